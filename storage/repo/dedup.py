"""Dedup state: parameter sets, paragraph signatures and duplicate links."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Table, and_, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    Article,
    DedupParamSet,
    DuplicateLink,
    Paragraph,
    ParagraphSignature,
    utcnow,
)

# Bound parameters per IN (...) query: well under SQLite's and PostgreSQL's limits.
_IN_CHUNK = 500

SignatureRow = tuple[int, int, int, str, bytes | None]


def get_or_create_params(
    session: Session, fingerprint: str, params: dict[str, Any]
) -> DedupParamSet:
    """The parameter set with ``fingerprint``, created with ``params`` if missing.

    Args:
        session: the session (flushed, not committed).
        fingerprint: a stable hash of ``params`` (the caller computes it).
        params: seed, num_perm, permutation scheme, shingling version, thresholds.
    """
    found = session.scalars(
        select(DedupParamSet).where(DedupParamSet.fingerprint == fingerprint)
    ).one_or_none()
    if found is not None:
        return found
    param_set = DedupParamSet(fingerprint=fingerprint, params=dict(params), created_at=utcnow())
    session.add(param_set)
    session.flush()
    return param_set


def save_signature(
    session: Session, paragraph_id: int, params_id: int, hashvalues: bytes | None
) -> None:
    """Store (or replace) the signature of paragraph ``paragraph_id``.

    Args:
        session: the session (not committed).
        paragraph_id: the paragraph.
        params_id: the parameter set that made the signature.
        hashvalues: the MinHash hash values as bytes; None for a paragraph too short to
            sign (matched exactly only).
    """
    save_signatures(session, params_id, [(paragraph_id, hashvalues)])


def save_signatures(
    session: Session, params_id: int, signatures: Iterable[tuple[int, bytes | None]]
) -> int:
    """Store (or replace) many signatures made with ``params_id`` in one statement.

    On SQLite and PostgreSQL this is an ``INSERT ... ON CONFLICT DO UPDATE`` (no read
    first); signature objects already loaded in the session are not refreshed.

    Args:
        session: the session (not committed).
        params_id: the parameter set that made the signatures.
        signatures: ``(paragraph_id, hashvalues)`` pairs; the last one wins for an id.

    Returns:
        How many signatures were written.
    """
    values = dict(signatures)
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        session.flush()  # a Core statement does not autoflush
        session.execute(
            _signature_upsert(dialect),
            [
                {"paragraph_id": paragraph_id, "params_id": params_id, "hashvalues": value}
                for paragraph_id, value in values.items()
            ],
        )
        return len(values)
    for paragraph_id, value in values.items():  # other backends: read, then write
        signature = session.get(ParagraphSignature, paragraph_id)
        if signature is None:
            signature = ParagraphSignature(paragraph_id=paragraph_id)
            session.add(signature)
        signature.params_id = params_id
        signature.hashvalues = value
    return len(values)


@cache
def _signature_upsert(dialect: str) -> Any:
    """The signature upsert of :func:`save_signatures`, built once per dialect."""
    table = cast(Table, ParagraphSignature.__table__)
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.paragraph_id],
        set_={"params_id": stmt.excluded.params_id, "hashvalues": stmt.excluded.hashvalues},
    )


def signature_query(params_id: int) -> Select[int, int, int, str, bytes | None]:
    """SELECT of the stored signature rows made with ``params_id`` (unordered): the columns
    of a :data:`SignatureRow`; callers add their filter and order."""
    return (
        select(
            ParagraphSignature.paragraph_id,
            Paragraph.article_id,
            Article.source_id,
            Paragraph.norm_hash,
            ParagraphSignature.hashvalues,
        )
        .join(Paragraph, Paragraph.id == ParagraphSignature.paragraph_id)
        .join(Article, Article.id == Paragraph.article_id)
        .where(ParagraphSignature.params_id == params_id)
    )


def signature_row(row: Sequence[Any]) -> SignatureRow:
    """One result row of :func:`signature_query` as a :data:`SignatureRow`."""
    paragraph_id, article_id, source_id, norm_hash, hashvalues = row
    return (
        paragraph_id,
        article_id,
        source_id,
        norm_hash,
        None if hashvalues is None else bytes(hashvalues),
    )


def iter_signatures(
    session: Session, params_id: int, batch: int = 10000, after: int | None = None
) -> Iterator[SignatureRow]:
    """Every signature made with ``params_id``, in paragraph id order, ``batch`` rows per query
    (only those of paragraph ids above ``after`` when given).

    Yields:
        ``(paragraph_id, article_id, source_id, norm_hash, hashvalues)``.

    Raises:
        ValueError: ``batch`` is below 1.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    base = signature_query(params_id).order_by(ParagraphSignature.paragraph_id).limit(batch)
    last: int | None = after
    while True:
        stmt = base if last is None else base.where(ParagraphSignature.paragraph_id > last)
        rows = session.execute(stmt).all()
        yield from (signature_row(row) for row in rows)
        if len(rows) < batch:
            return
        last = rows[-1][0]


def paragraphs_missing_signature(
    session: Session,
    params_id: int,
    batch: int = 1000,
    kinds: Collection[str] | None = None,
) -> Iterator[Paragraph]:
    """Paragraphs without a signature made with ``params_id``, in id order, in batches;
    only those of the given ``kinds`` when set.

    Saving signatures while iterating is safe (the scan moves on by id).
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    base = (
        select(Paragraph)
        .outerjoin(
            ParagraphSignature,
            and_(
                ParagraphSignature.paragraph_id == Paragraph.id,
                ParagraphSignature.params_id == params_id,
            ),
        )
        .where(ParagraphSignature.paragraph_id.is_(None))
        .order_by(Paragraph.id)
        .limit(batch)
    )
    if kinds is not None:
        base = base.where(Paragraph.kind.in_(list(kinds)))
    last: int | None = None
    while True:
        stmt = base if last is None else base.where(Paragraph.id > last)
        paragraphs = list(session.scalars(stmt))
        yield from paragraphs
        if len(paragraphs) < batch:
            return
        last = paragraphs[-1].id


def delete_signatures_except(session: Session, params_id: int) -> int:
    """Delete every signature not made with ``params_id``; return how many went."""
    result = session.execute(
        delete(ParagraphSignature).where(ParagraphSignature.params_id != params_id),
        execution_options={"synchronize_session": "fetch"},
    )
    return int(cast(CursorResult[Any], result).rowcount)


def paragraph_texts(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The texts of the paragraphs ``ids`` (ids not found are left out)."""
    texts: dict[int, str] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        rows = session.execute(select(Paragraph.id, Paragraph.text).where(Paragraph.id.in_(chunk)))
        texts.update({paragraph_id: text for paragraph_id, text in rows})
    return texts


def add_duplicate_link(
    session: Session,
    *,
    paragraph_id: int,
    matched_paragraph_id: int,
    kind: str,
    method: str,
    score: float,
    scores: dict[str, Any],
    params_id: int | None,
    run_id: int | None,
) -> bool:
    """Record that ``paragraph_id`` repeats the earlier ``matched_paragraph_id``.

    Args:
        kind: exact_within, near_within, exact_cross, near_cross or boilerplate.
        method: how it was found, e.g. ``"norm_hash"`` or ``"minhash+jaccard"``.
        score: the deciding score in [0, 1].
        scores: every score computed, by name.

    Returns:
        True if stored; False if this pair was already linked (nothing changes).

    Raises:
        ValueError: a paragraph linked to itself.
    """
    if paragraph_id == matched_paragraph_id:
        raise ValueError(f"paragraph {paragraph_id} cannot be a duplicate of itself")
    exists = session.scalar(
        select(DuplicateLink.id).where(
            DuplicateLink.paragraph_id == paragraph_id,
            DuplicateLink.matched_paragraph_id == matched_paragraph_id,
        )
    )
    if exists is not None:
        return False
    session.add(
        DuplicateLink(
            paragraph_id=paragraph_id,
            matched_paragraph_id=matched_paragraph_id,
            kind=kind,
            method=method,
            score=float(score),
            scores=dict(scores),
            params_id=params_id,
            run_id=run_id,
            created_at=utcnow(),
        )
    )
    session.flush()
    return True
