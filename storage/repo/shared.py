"""Queries for the shared crawl (several workers on one PostgreSQL database).

Functions take a Session first and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.orm import Session

from storage.models import ParagraphSignature
from storage.repo.dedup import SignatureRow, signature_query, signature_row

_LOCK_KEYS = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"
).bindparams(bindparam("keys", type_=ARRAY(BIGINT)))


def signatures_of(session: Session, params_id: int, ids: Sequence[int]) -> list[SignatureRow]:
    """The stored signatures (made with ``params_id``) of the paragraphs ``ids`` that exist.

    Returns:
        ``(paragraph_id, article_id, source_id, norm_hash, hashvalues)`` rows; ids without
        a committed signature are left out.
    """
    if not ids:
        return []
    stmt = signature_query(params_id).where(ParagraphSignature.paragraph_id.in_(list(ids)))
    return [signature_row(row) for row in session.execute(stmt)]


def lock_keys(session: Session, keys: Sequence[int]) -> None:
    """Take PostgreSQL advisory transaction locks on signed 64-bit ``keys``, in ascending
    order (so two transactions locking overlapping sets cannot deadlock on them). They are
    released at commit or rollback, also when the process dies."""
    if not keys:
        return
    session.execute(_LOCK_KEYS, {"keys": sorted(set(keys))})


def lock_one(session: Session, key: int) -> None:
    """Take one advisory transaction lock (e.g. around a one-time setup step)."""
    session.execute(select(func.pg_advisory_xact_lock(bindparam("k", key, type_=BigInteger))))
