"""Fetched pages: one row per normalised URL, body stored zlib-compressed."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Page, utcnow

_URL_MAX = 2048

#: zlib level of stored bodies: 1 compresses a 100 KB news page in about 0.7 ms to 25 %
#: of its size, the default (6) in 1.7 ms to 21 % (measured on the benchmark's pages);
#: the crawl compresses every page it fetches, so the faster level. Any level reads back.
RAW_LEVEL = 1


def compress_body(body: bytes) -> bytes:
    """A page body as stored in ``pages.raw``."""
    return zlib.compress(body, RAW_LEVEL)


def get_page(session: Session, url: str) -> Page | None:
    """The page stored under the normalised ``url``, or None."""
    return session.scalars(select(Page).where(Page.url == url)).one_or_none()


def upsert_page(
    session: Session,
    *,
    source_id: int,
    url: str,
    final_url: str | None,
    http_status: int | None,
    content_type: str | None,
    etag: str | None,
    last_modified: str | None,
    body: bytes,
    extraction_status: str,
    extraction_reason: str | None,
    run_id: int | None,
) -> Page:
    """Store a fetched page, or update the row already stored under ``url``.

    The body is stored zlib-compressed in ``raw``; ``body_sha256`` is the hash of the
    uncompressed body. ``first_seen_at`` is kept on update, ``fetched_at`` is now.
    Header values longer than their columns are cut; a ``final_url`` that does not fit
    is left out.

    Raises:
        ValueError: ``url`` is longer than the column allows.
    """
    now = utcnow()
    values = page_values(
        url=url,
        source_id=source_id,
        final_url=final_url,
        http_status=http_status,
        content_type=content_type,
        etag=etag,
        last_modified=last_modified,
        body=body,
        extraction_status=extraction_status,
        extraction_reason=extraction_reason,
        fetched_at=now,
        run_id=run_id,
    )
    return write_page(session, url, values, now)


def write_page(session: Session, url: str, values: dict[str, Any], now: datetime) -> Page:
    """The ORM write of :func:`upsert_page`: ``values`` (from :func:`page_values`) set on
    the row stored under ``url``, or on a new row first seen ``now``."""
    page = get_page(session, url)
    if page is None:
        page = Page(url=url, first_seen_at=now)
        session.add(page)
    for key, value in values.items():
        setattr(page, key, value)
    session.flush()
    return page


def page_values(
    *,
    url: str,
    source_id: int,
    final_url: str | None,
    http_status: int | None,
    content_type: str | None,
    etag: str | None,
    last_modified: str | None,
    body: bytes,
    extraction_status: str,
    extraction_reason: str | None,
    fetched_at: datetime,
    run_id: int | None,
) -> dict[str, Any]:
    """The columns a fetch sets on the page row of ``url`` (values cut to their columns; a
    ``final_url`` that does not fit left out; the body compressed into ``raw`` beside its
    SHA-256), shared by the ORM and Core writers.

    Raises:
        ValueError: ``url`` is longer than the column allows.
    """
    if len(url) > _URL_MAX:
        raise ValueError(f"page URL is {len(url)} characters long, over {_URL_MAX}: {url[:80]}…")
    return {
        "source_id": source_id,
        "final_url": final_url if final_url and len(final_url) <= _URL_MAX else None,
        "http_status": http_status,
        "content_type": _cut(content_type, 200),
        "etag": _cut(etag, 500),
        "last_modified": _cut(last_modified, 100),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "raw": compress_body(body),
        "extraction_status": extraction_status,
        "extraction_reason": extraction_reason,
        "fetched_at": fetched_at,
        "run_id": run_id,
    }


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else value


def page_body(page: Page) -> bytes:
    """The uncompressed body of ``page`` (empty if none was stored).

    Raises:
        ValueError: the stored body is not valid zlib data.
    """
    if page.raw is None:
        return b""
    try:
        return zlib.decompress(page.raw)
    except zlib.error as exc:
        raise ValueError(f"page {page.id} ({page.url}): stored body is corrupt: {exc}") from exc


def page_ids(session: Session, source_id: int | None = None) -> list[int]:
    """Ids of stored pages that kept their raw body, in id order (optionally of one source)."""
    query = select(Page.id).where(Page.raw.is_not(None)).order_by(Page.id)
    if source_id is not None:
        query = query.where(Page.source_id == source_id)
    return list(session.scalars(query))
