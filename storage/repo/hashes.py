"""Normalised-text hashes of stored paragraphs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Paragraph


def paragraph_hashes(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Map paragraph id -> norm_hash for the given ids (missing ids are left out)."""
    result: dict[int, str] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        rows = session.execute(
            select(Paragraph.id, Paragraph.norm_hash).where(
                Paragraph.id.in_(unique[start : start + 500])
            )
        )
        result.update({int(i): h for i, h in rows})
    return result


def paragraph_origins(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Map paragraph id -> (norm_hash, source id of its article)."""
    result: dict[int, tuple[str, int]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        rows = session.execute(
            select(Paragraph.id, Paragraph.norm_hash, Article.source_id)
            .join(Article, Paragraph.article_id == Article.id)
            .where(Paragraph.id.in_(unique[start : start + 500]))
        )
        result.update({int(i): (h, int(s)) for i, h, s in rows})
    return result
