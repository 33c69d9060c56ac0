"""Site boilerplate rows: paragraphs that recur on many pages of one source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import Article, SiteBoilerplate, utcnow


def site_boilerplate(session: Session, source_id: int) -> list[SiteBoilerplate]:
    """Every recurring paragraph recorded for the source, most pages first."""
    query = (
        select(SiteBoilerplate)
        .where(SiteBoilerplate.source_id == source_id)
        .order_by(SiteBoilerplate.pages.desc(), SiteBoilerplate.id)
    )
    return list(session.scalars(query))


def record_occurrence(
    session: Session, source_id: int, norm_hash: str, text: str, pages: int = 1
) -> SiteBoilerplate:
    """Record one more page of the source on which the paragraph occurs.

    A new row starts at ``pages``: the caller passes 2 for a first repeat (the stored page
    and the new one); an existing row grows by one page."""
    row = session.scalars(
        select(SiteBoilerplate).where(
            SiteBoilerplate.source_id == source_id, SiteBoilerplate.norm_hash == norm_hash
        )
    ).one_or_none()
    if row is None:
        row = SiteBoilerplate(source_id=source_id, norm_hash=norm_hash, text=text, pages=pages)
        session.add(row)
    else:
        row.pages += 1
        row.last_seen_at = utcnow()
    session.flush()
    return row


_TABLE = cast(Table, SiteBoilerplate.__table__)
_GROW = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(pages=_TABLE.c.pages + 1, last_seen_at=bindparam("now"))
)


def site_evidence(session: Session, source_id: int) -> dict[str, int]:
    """The source's recorded paragraphs: norm_hash -> pages (read as columns, so rows
    grown by :func:`record_occurrences` in this transaction read back as stored)."""
    rows = session.execute(
        select(_TABLE.c.norm_hash, _TABLE.c.pages).where(_TABLE.c.source_id == source_id)
    )
    return {digest: int(pages) for digest, pages in rows}


def record_occurrences(
    session: Session, source_id: int, texts: Mapping[str, str], pages: int = 2
) -> dict[str, int]:
    """:func:`record_occurrence` for many paragraphs of one page at once (one query, one
    ``executemany`` per kind of write): ``texts`` maps norm_hash -> text. Returns the
    pages each hash is on now."""
    if not texts:
        return {}
    digests = sorted(texts)
    found = {
        digest: (int(row_id), int(count))
        for row_id, digest, count in session.execute(
            select(_TABLE.c.id, _TABLE.c.norm_hash, _TABLE.c.pages).where(
                _TABLE.c.source_id == source_id, _TABLE.c.norm_hash.in_(digests)
            )
        )
    }
    now = utcnow()
    new: list[dict[str, Any]] = [
        {
            "source_id": source_id,
            "norm_hash": digest,
            "text": texts[digest],
            "pages": pages,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for digest in digests
        if digest not in found
    ]
    if new:
        session.execute(insert(_TABLE), new)
    if found:
        session.execute(_GROW, [{"row_id": row_id, "now": now} for row_id, _ in found.values()])
    result = {digest: pages for digest in digests}
    result.update({digest: count + 1 for digest, (_, count) in found.items()})
    return result


def source_article_count(session: Session, source_id: int) -> int:
    """How many articles of the source are stored."""
    query = select(func.count()).select_from(Article).where(Article.source_id == source_id)
    return int(session.scalar(query) or 0)
