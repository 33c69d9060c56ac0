"""Pairs of paragraph texts that editors judged not to be duplicates."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from storage.models import SuppressedPair


def ordered(hash_1: str, hash_2: str) -> tuple[str, str]:
    """The pair in storage order (``hash_a`` < ``hash_b``)."""
    return (hash_1, hash_2) if hash_1 <= hash_2 else (hash_2, hash_1)


def suppress_pair(session: Session, hash_1: str, hash_2: str, user_id: int | None) -> bool:
    """Record that the two texts are not duplicates; False if already recorded."""
    a, b = ordered(hash_1, hash_2)
    exists = session.scalars(
        select(SuppressedPair.id).where(SuppressedPair.hash_a == a, SuppressedPair.hash_b == b)
    ).first()
    if exists is not None:
        return False
    session.add(SuppressedPair(hash_a=a, hash_b=b, decided_by=user_id))
    session.flush()
    return True


def suppressed_among(session: Session, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the given pairs (in any order) are suppressed; returned in storage order."""
    wanted = sorted({ordered(a, b) for a, b in pairs})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        rows = session.execute(
            select(SuppressedPair.hash_a, SuppressedPair.hash_b).where(
                tuple_(SuppressedPair.hash_a, SuppressedPair.hash_b).in_(chunk)
            )
        )
        found.update((a, b) for a, b in rows)
    return found
