"""What an index snapshot is checked against: the stored signatures of one parameter set up
to a paragraph id (see :mod:`crawler.ingest.index_snapshot`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, DedupParamSet, Paragraph, ParagraphSignature
from storage.repo.dedup import SignatureRow, signature_query, signature_row

_IN_CHUNK = 500
#: newest rows compared one by one (ids freed by a deletion can be given out again)
TOP_ROWS = 16


@dataclass(frozen=True)
class SignatureStats:
    """The signatures of a parameter set with paragraph ids at or below ``upto``.

    Attributes:
        upto: the paragraph id limit.
        rows: how many there are.
        id_sum: the sum of their paragraph ids.
        top: the newest :data:`TOP_ROWS` of them, newest first: ``(paragraph id,
            article id, source id, first 16 hex digits of the exact hash)``.
    """

    upto: int
    rows: int
    id_sum: int
    top: list[tuple[int, int, int, str]]


def params_id(session: Session, fingerprint: str) -> int | None:
    """The id of the dedup parameter set with ``fingerprint``; None if never used."""
    found = session.scalar(select(DedupParamSet.id).where(DedupParamSet.fingerprint == fingerprint))
    return None if found is None else int(found)


def max_signature_id(session: Session, params_id: int) -> int:
    """The highest paragraph id with a signature of ``params_id`` (0 if none)."""
    found = session.scalar(
        select(func.max(ParagraphSignature.paragraph_id)).where(
            ParagraphSignature.params_id == params_id
        )
    )
    return int(found or 0)


def signature_stats(session: Session, params_id: int, upto: int) -> SignatureStats:
    """Count, id sum and newest rows of the signatures of ``params_id`` up to ``upto``."""
    where = (ParagraphSignature.params_id == params_id, ParagraphSignature.paragraph_id <= upto)
    rows, id_sum = session.execute(
        select(
            func.count(ParagraphSignature.paragraph_id),
            func.coalesce(func.sum(ParagraphSignature.paragraph_id), 0),
        ).where(*where)
    ).one()
    top = session.execute(
        select(Paragraph.id, Paragraph.article_id, Article.source_id, Paragraph.norm_hash)
        .join(ParagraphSignature, ParagraphSignature.paragraph_id == Paragraph.id)
        .join(Article, Article.id == Paragraph.article_id)
        .where(*where)
        .order_by(ParagraphSignature.paragraph_id.desc())
        .limit(TOP_ROWS)
    ).all()
    return SignatureStats(
        upto,
        int(rows),
        int(id_sum),
        [(int(p), int(a), -1 if s is None else int(s), str(h)[:16].lower()) for p, a, s, h in top],
    )


@dataclass(frozen=True)
class SignatureIdents:
    """Columns of stored signatures of a parameter set, in id order: what identifies the
    content of each (see :func:`iter_signature_idents`)."""

    ids: list[int]
    articles: list[int]
    sources: list[int]
    hashes: list[str]


def iter_signature_idents(
    session: Session, params_id: int, upto: int, batch: int = 50_000
) -> Iterator[SignatureIdents]:
    """Paragraph id, article id, source id (-1 if none) and the first 16 hex digits of the
    exact hash of every signature of ``params_id`` up to paragraph ``upto``, ascending by
    id, ``batch`` rows at a time (so a million rows never sit in Python objects at once)."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    base = (
        select(
            Paragraph.id,
            Paragraph.article_id,
            Article.source_id,
            func.substr(Paragraph.norm_hash, 1, 16),
        )
        .join(ParagraphSignature, ParagraphSignature.paragraph_id == Paragraph.id)
        .join(Article, Article.id == Paragraph.article_id)
        .where(ParagraphSignature.params_id == params_id)
        .where(ParagraphSignature.paragraph_id <= upto)
        .order_by(ParagraphSignature.paragraph_id)
        .limit(batch)
    )
    last = 0
    while True:
        rows = session.execute(base.where(ParagraphSignature.paragraph_id > last)).all()
        if not rows:
            return
        ids, articles, sources, hashes = (list(c) for c in zip(*rows, strict=True))
        yield SignatureIdents(ids, articles, [-1 if s is None else s for s in sources], hashes)
        if len(rows) < batch:
            return
        last = ids[-1]


def signature_rows(session: Session, params_id: int, ids: Sequence[int]) -> Iterator[SignatureRow]:
    """The stored rows (as :func:`storage.repo.dedup.iter_signatures` yields them) of the
    paragraphs ``ids`` with a signature of ``params_id``, in id order."""
    unique = sorted(set(ids))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        rows = session.execute(
            signature_query(params_id)
            .where(ParagraphSignature.paragraph_id.in_(chunk))
            .order_by(ParagraphSignature.paragraph_id)
        ).all()
        yield from (signature_row(row) for row in rows)
