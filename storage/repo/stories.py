"""The story queue: flags grouped by article pair (a copy and the article it repeats, or
one article's internal repeats), so an editor decides a story, not each paragraph.

A story is keyed by (flagged article, matched article); for repeats inside one article
both are the same. Filters are the queue's own (:class:`storage.repo.review.QueueFilter`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from storage.models import Article, DuplicateLink, Paragraph, Source
from storage.repo.review import (
    KIND_GROUPS,
    QueueFilter,
    _conditions,
    _joined,
    _other,
    _para,
)

_copy_id = _para.article_id
_original_id = _other.article_id


@dataclass(frozen=True)
class StoryArticle:
    """One article of a story, with how many paragraphs it has."""

    id: int
    title: str | None
    url: str
    source_id: int
    source: str
    published_at: datetime | None
    first_seen_at: datetime
    paragraphs: int


@dataclass(frozen=True)
class Story:
    """The flags between two articles (or inside one) that match the filter."""

    copy: StoryArticle
    original: StoryArticle
    flags: int  # flags matching the filter
    paragraphs_matched: int  # distinct paragraphs of the copy flagged against the original
    score_min: float
    score_max: float
    latest: datetime
    kinds: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)

    @property
    def within(self) -> bool:
        """Repeats inside one article."""
        return self.copy.id == self.original.id

    @property
    def share_copied(self) -> float:
        """Share of the copy's paragraphs that repeat the original (0-1)."""
        return self.paragraphs_matched / self.copy.paragraphs if self.copy.paragraphs else 0.0

    @property
    def key(self) -> str:
        """``COPY-ORIGINAL``: the story's id in forms and links."""
        return f"{self.copy.id}-{self.original.id}"

    @property
    def main_kind(self) -> str:
        """The kind most of its flags have."""
        return max(sorted(self.kinds.items()), key=lambda item: item[1])[0] if self.kinds else ""

    @property
    def kind_group(self) -> str:
        """within, syndicated or boilerplate: the group of most of its flags."""
        for group, kinds in KIND_GROUPS.items():
            if self.main_kind in kinds:
                return group
        return "syndicated"


@dataclass(frozen=True)
class StoryPage:
    """One page of stories."""

    stories: list[Story]
    total: int  # stories
    flags: int  # flags in all of them
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _grouped(f: QueueFilter) -> Any:
    return (
        _joined(
            select(
                _copy_id.label("copy_id"),
                _original_id.label("original_id"),
                func.count(DuplicateLink.id).label("flags"),
                func.max(DuplicateLink.created_at).label("latest"),
                func.min(DuplicateLink.score).label("score_min"),
                func.max(DuplicateLink.score).label("score_max"),
            )
        )
        .where(*_conditions(f))
        .group_by(_copy_id, _original_id)
    )


def _sorted(stmt: Any, sort: str) -> Any:
    if sort == "oldest":
        return stmt.order_by(func.max(DuplicateLink.created_at).asc(), _copy_id, _original_id)
    if sort == "score":
        return stmt.order_by(func.max(DuplicateLink.score).desc(), _copy_id, _original_id)
    if sort == "size":
        return stmt.order_by(func.count(DuplicateLink.id).desc(), _copy_id, _original_id)
    return stmt.order_by(
        func.max(DuplicateLink.created_at).desc(), _copy_id.desc(), _original_id.desc()
    )


def story_page(session: Session, f: QueueFilter, page: int = 1, per_page: int = 25) -> StoryPage:
    """One page (1-based) of the stories whose flags match ``f``, in ``f.sort`` order."""
    page = max(1, page)
    grouped = _grouped(f).subquery()
    total, flags = session.execute(
        select(func.count(), func.coalesce(func.sum(grouped.c.flags), 0))
    ).one()
    rows = session.execute(
        _sorted(_grouped(f), f.sort).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return StoryPage(
        stories=_stories(session, f, rows),
        total=int(total),
        flags=int(flags or 0),
        page=page,
        per_page=per_page,
    )


def get_story(session: Session, copy_id: int, original_id: int, f: QueueFilter) -> Story | None:
    """The story of the two articles under filter ``f`` (None: no flag matches)."""
    row = session.execute(
        _grouped(f).where(_copy_id == copy_id, _original_id == original_id)
    ).one_or_none()
    return None if row is None else _stories(session, f, [row])[0]


def story_link_ids(session: Session, copy_id: int, original_id: int, f: QueueFilter) -> list[int]:
    """The ids of the story's flags that match ``f``, in paragraph order."""
    stmt = (
        _joined(select(DuplicateLink.id))
        .where(*_conditions(f), _copy_id == copy_id, _original_id == original_id)
        .order_by(_para.position, DuplicateLink.id)
    )
    return [int(i) for i in session.scalars(stmt)]


def parse_key(key: str) -> tuple[int, int] | None:
    """``"12-7"`` -> (12, 7); None unless two ASCII-digit ids."""
    copy, sep, original = key.partition("-")
    if not sep or not all(
        p.isascii() and p.isdigit() and 0 < len(p) <= 10 for p in (copy, original)
    ):
        return None
    return int(copy), int(original)


def _stories(session: Session, f: QueueFilter, rows: Sequence[Any]) -> list[Story]:
    if not rows:
        return []
    keys = [(int(r.copy_id), int(r.original_id)) for r in rows]
    article_ids = {a for key in keys for a in key}
    articles = _articles(session, article_ids)
    in_keys = tuple_(_copy_id, _original_id).in_(keys)
    kinds: dict[tuple[int, int], dict[str, int]] = {key: {} for key in keys}
    states: dict[tuple[int, int], dict[str, int]] = {key: {} for key in keys}
    breakdown = session.execute(
        _joined(
            select(
                _copy_id,
                _original_id,
                DuplicateLink.kind,
                DuplicateLink.review_state,
                func.count(DuplicateLink.id),
            )
        )
        .where(*_conditions(f), in_keys)
        .group_by(_copy_id, _original_id, DuplicateLink.kind, DuplicateLink.review_state)
    )
    for copy, original, kind, state, count in breakdown:
        key = (int(copy), int(original))
        kinds[key][kind] = kinds[key].get(kind, 0) + int(count)
        states[key][state] = states[key].get(state, 0) + int(count)
    matched = dict(
        ((int(c), int(o)), int(n))
        for c, o, n in session.execute(
            _joined(
                select(
                    _copy_id, _original_id, func.count(func.distinct(DuplicateLink.paragraph_id))
                )
            )
            .where(in_keys)
            .group_by(_copy_id, _original_id)
        )
    )
    return [
        Story(
            copy=articles[key[0]],
            original=articles[key[1]],
            flags=int(row.flags),
            paragraphs_matched=matched.get(key, 0),
            score_min=float(row.score_min),
            score_max=float(row.score_max),
            latest=row.latest,
            kinds=kinds[key],
            states=states[key],
        )
        for key, row in zip(keys, rows, strict=True)
    ]


def _articles(session: Session, ids: set[int]) -> dict[int, StoryArticle]:
    counts = dict(
        (int(a), int(n))
        for a, n in session.execute(
            select(Paragraph.article_id, func.count(Paragraph.id))
            .where(Paragraph.article_id.in_(ids))
            .group_by(Paragraph.article_id)
        )
    )
    rows = session.execute(
        select(Article, Source)
        .join(Source, Article.source_id == Source.id)
        .where(Article.id.in_(ids))
    )
    return {
        a.id: StoryArticle(
            id=a.id,
            title=a.title,
            url=a.url,
            source_id=s.id,
            source=s.name,
            published_at=a.published_at,
            first_seen_at=a.first_seen_at,
            paragraphs=counts.get(a.id, 0),
        )
        for a, s in rows
    }
