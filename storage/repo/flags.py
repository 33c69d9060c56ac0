"""Read views of duplicate flags, with both paragraphs and their articles."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.models import Article, DuplicateLink, Paragraph, Source


@dataclass(frozen=True)
class FlagView:
    """One duplicate link: ``text`` (in ``url``) repeats ``matched_text`` (in ``matched_url``)."""

    id: int
    kind: str
    method: str
    score: float
    scores: dict[str, float]
    source: str
    url: str
    title: str | None
    position: int
    text: str
    matched_source: str
    matched_url: str
    matched_title: str | None
    matched_position: int
    matched_text: str


def list_flags(
    session: Session,
    *,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
    include_rejected: bool = False,
) -> list[FlagView]:
    """Duplicate flags, newest first, optionally of one kind; flags editors judged "not a
    duplicate" only with ``include_rejected``."""
    para, other = aliased(Paragraph), aliased(Paragraph)
    art, other_art = aliased(Article), aliased(Article)
    src, other_src = aliased(Source), aliased(Source)
    query = (
        select(DuplicateLink, para, art, src, other, other_art, other_src)
        .join(para, DuplicateLink.paragraph_id == para.id)
        .join(art, para.article_id == art.id)
        .join(src, art.source_id == src.id)
        .join(other, DuplicateLink.matched_paragraph_id == other.id)
        .join(other_art, other.article_id == other_art.id)
        .join(other_src, other_art.source_id == other_src.id)
        .order_by(DuplicateLink.created_at.desc(), DuplicateLink.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if kind is not None:
        query = query.where(DuplicateLink.kind == kind)
    if not include_rejected:
        query = query.where(DuplicateLink.review_state != "not_duplicate")
    views = []
    for link, p, a, s, op, oa, os_ in session.execute(query):
        views.append(
            FlagView(
                id=link.id,
                kind=link.kind,
                method=link.method,
                score=link.score,
                scores={k: float(v) for k, v in (link.scores or {}).items()},
                source=s.name,
                url=a.url,
                title=a.title,
                position=p.position,
                text=p.text,
                matched_source=os_.name,
                matched_url=oa.url,
                matched_title=oa.title,
                matched_position=op.position,
                matched_text=op.text,
            )
        )
    return views


def article_ids_of_paragraphs(session: Session, ids: list[int]) -> dict[int, int]:
    """Map paragraph id -> article id for the given paragraphs (missing ids are left out)."""
    result: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Paragraph.id, Paragraph.article_id).where(Paragraph.id.in_(chunk))
        )
        result.update({int(p): int(a) for p, a in rows})
    return result


def count_paragraphs_containing(session: Session, snippet: str) -> int:
    """How many stored paragraphs contain ``snippet`` (a bound parameter, LIKE-escaped)."""
    escaped = snippet.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(func.count()).where(Paragraph.text.like(f"%{escaped}%", escape="\\"))
    return int(session.scalar(query.select_from(Paragraph)) or 0)


def paragraph_counts(
    session: Session, article_ids: Sequence[int], kinds: Collection[str]
) -> dict[int, int]:
    """Per article, how many of its paragraphs are of the given kinds."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(Paragraph.article_id, func.count())
        .where(Paragraph.article_id.in_(list(article_ids)), Paragraph.kind.in_(list(kinds)))
        .group_by(Paragraph.article_id)
    )
    return {int(a): int(n) for a, n in rows}
