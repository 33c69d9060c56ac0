"""The item a spider yields: one fetched page, as fetched. Parsing happens downstream."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchedPage:
    """A fetched article candidate, handed by the spider to the ingest pipeline.

    Attributes:
        source: name of the configured source.
        url: the normalised URL the article was discovered under (the page's key).
        final_url: the URL after redirects, as fetched.
        status: HTTP status code.
        headers: response headers that matter downstream, lower-case keys
            (content-type, etag, last-modified).
        body: the raw response body, bytes as received.
        discovered_via: the entry point (feed, sitemap or listing URL) it came from.
        lastmod: lastmod/updated date the feed or sitemap gave for it, if any.
    """

    source: str
    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    discovered_via: str | None = None
    lastmod: str | None = None
