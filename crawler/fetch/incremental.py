"""Incremental crawling: decide whether a seen URL needs fetching again, and how.

Plain Python (no Scrapy, no SQL). The crawl runner loads what the database knows of a
source's pages (:class:`KnownPage` per normalised URL) before Scrapy starts and gives it
to the spider; the spider asks :func:`decide` for every discovered article link:

- ``"skip"``: the feed or sitemap gave a lastmod that is not newer than the one stored;
  the page is not requested and a :class:`NotModified` item reports it as seen.
- ``"conditional"``: the page was seen before; it is requested with ``If-None-Match``
  and/or ``If-Modified-Since`` (:func:`conditional_headers`), and a 304 answer becomes a
  :class:`NotModified` item too.
- ``"fetch"``: a URL never stored: a plain request.

Example:
    >>> known = KnownPage(lastmod="2026-11-20T08:00:00+00:00", etag='"abc"')
    >>> decide(known, "2026-11-20T08:00:00Z"), decide(known, "2026-11-21")
    ('skip', 'conditional')
    >>> decide(None, None)
    'fetch'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = [
    "Decision",
    "KnownPage",
    "NotModified",
    "conditional_headers",
    "decide",
    "parse_lastmod",
]

Decision = Literal["skip", "conditional", "fetch"]


@dataclass(frozen=True)
class KnownPage:
    """What the database knows of a stored page.

    Attributes:
        lastmod: the feed or sitemap lastmod stored with the page, as written.
        etag: the ETag header of its last 200 response.
        last_modified: the Last-Modified header of its last 200 response.
    """

    lastmod: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class NotModified:
    """Item: a known page that did not change, so was not extracted again.

    Attributes:
        source: name of the configured source.
        url: the page's normalised URL (its key in the database).
        reason: ``"lastmod"`` (not requested: the feed/sitemap lastmod is not newer) or
            ``"304"`` (requested conditionally; the server answered 304 Not Modified).
        lastmod: the lastmod the feed or sitemap gave now, if any.
        discovered_via: the entry point it came from.
    """

    source: str
    url: str
    reason: str
    lastmod: str | None = None
    discovered_via: str | None = None


def parse_lastmod(value: str | None) -> datetime | None:
    """A feed/sitemap date (ISO 8601, W3C date or RFC 822) as an aware UTC datetime.

    Returns None for a missing or unreadable value. A date without a time is midnight UTC.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    when: datetime | None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def decide(known: KnownPage | None, lastmod: str | None) -> Decision:
    """How to treat a discovered link.

    Args:
        known: what is stored for the URL; None when it was never stored.
        lastmod: the lastmod the feed or sitemap gives for it now, if any.
    """
    if known is None:
        return "fetch"
    new = parse_lastmod(lastmod)
    old = parse_lastmod(known.lastmod)
    if new is not None and old is not None and new <= old:
        return "skip"
    return "conditional"


def conditional_headers(known: KnownPage) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for a stored page (empty when it has neither
    an ETag nor a Last-Modified header)."""
    headers: dict[str, str] = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers
