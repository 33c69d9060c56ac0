"""Discover article URLs in feeds, sitemaps and listing pages.

Plain Python plus lxml; no Scrapy. Each function takes the raw body and the URL it
came from and returns :class:`DiscoveredLink` objects with absolute (not yet
normalised) URLs. XML is parsed without entity resolution, network access or DTD
loading, and without lxml's huge-tree mode. Gzip-compressed bodies (``.xml.gz``
sitemaps) are decompressed, with a cap on the decompressed size.

Example:
    >>> feed = b'<rss version="2.0"><channel><item><link>/a</link></item></channel></rss>'
    >>> parse_feed(feed, "http://site.example/feed.xml")[0].url
    'http://site.example/a'
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "DiscoveredLink",
    "DiscoveryError",
    "SitemapResult",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
]

#: Largest body accepted after gunzip (sitemaps are capped at 50 MB by the protocol).
MAX_DECOMPRESSED_BYTES = 60 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class DiscoveryError(ValueError):
    """A feed, sitemap or listing could not be read. Names the URL and the problem."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class DiscoveredLink:
    """A link found at an entry point.

    Attributes:
        url: absolute URL as found (not normalised).
        lastmod: the date the feed or sitemap gave (updated, lastmod, pubDate), as written.
        title: the title or anchor text, if any.
    """

    url: str
    lastmod: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class SitemapResult:
    """What a sitemap holds: page links, and child sitemaps for a sitemap index."""

    links: list[DiscoveredLink] = field(default_factory=list)
    sitemaps: list[DiscoveredLink] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        """Whether this was a sitemap index."""
        return bool(self.sitemaps) and not self.links


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def _gunzip(body: bytes, url: str) -> bytes:
    """Decompress a gzip body; other bodies are returned unchanged."""
    if not body.startswith(_GZIP_MAGIC):
        return body
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise DiscoveryError(url, f"broken gzip data: {exc}") from exc
    if len(data) > MAX_DECOMPRESSED_BYTES:
        raise DiscoveryError(url, f"gzip body exceeds {MAX_DECOMPRESSED_BYTES} bytes unpacked")
    if not decompressor.eof:
        raise DiscoveryError(url, "broken gzip data: truncated stream")
    return data


def _parse_xml(body: bytes, url: str) -> etree._Element:
    data = _gunzip(body, url).lstrip(b"\xef\xbb\xbf").lstrip()
    if not data:
        raise DiscoveryError(url, "empty body")
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(url, f"not well-formed XML: {exc}") from exc
    if root is None:
        raise DiscoveryError(url, "no XML root element")
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return str(etree.QName(tag).localname)


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text(element: etree._Element, *names: str) -> str | None:
    """The stripped text of the first child with one of ``names`` (in that order)."""
    for name in names:
        for child in _children(element, name):
            value = "".join(child.itertext()).strip()
            if value:
                return value
    return None


def _absolute(href: str, base: str) -> str | None:
    href = href.strip()
    if not href:
        return None
    try:
        url = urljoin(base, href)
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def parse_feed(body: bytes, url: str) -> list[DiscoveredLink]:
    """Article links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed.

    Args:
        body: the raw feed (gzip allowed).
        url: the feed's URL, to resolve relative links and name it in errors.

    Raises:
        DiscoveryError: not well-formed XML, or not a feed.
    """
    root = _parse_xml(body, url)
    kind = _local(root)
    if kind == "rss":
        channel = next(iter(_children(root, "channel")), None)
        if channel is None:
            raise DiscoveryError(url, "RSS feed without <channel>")
        return _rss_items(_children(channel, "item"), url)
    if kind == "RDF":
        return _rss_items(_children(root, "item"), url)
    if kind == "feed":
        return _atom_entries(root, url)
    raise DiscoveryError(url, f"not a feed: root element <{kind}>")


def _rss_items(items: list[etree._Element], url: str) -> list[DiscoveredLink]:
    links: list[DiscoveredLink] = []
    for item in items:
        href = _text(item, "link")
        if href is None:
            for guid in _children(item, "guid"):
                if (guid.get("isPermaLink") or "true").lower() == "true":
                    href = "".join(guid.itertext()).strip()
        absolute = _absolute(href or item.get(_RDF_ABOUT) or "", url)
        if absolute:
            lastmod = _text(item, "pubDate", "date", "updated", "modified")
            links.append(DiscoveredLink(absolute, lastmod, _text(item, "title")))
    return links


_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


def _atom_entries(root: etree._Element, url: str) -> list[DiscoveredLink]:
    links: list[DiscoveredLink] = []
    for entry in _children(root, "entry"):
        href = None
        for link in _children(entry, "link"):
            if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
                href = link.get("href")
                break
        absolute = _absolute(href or "", url)
        if absolute:
            lastmod = _text(entry, "updated", "published")
            links.append(DiscoveredLink(absolute, lastmod, _text(entry, "title")))
    return links


def parse_sitemap(body: bytes, url: str) -> SitemapResult:
    """Page links of an XML sitemap or Google News sitemap, or the children of an index.

    Args:
        body: the raw sitemap (gzip allowed).
        url: the sitemap's URL.

    Raises:
        DiscoveryError: not well-formed XML, or not a sitemap.
    """
    root = _parse_xml(body, url)
    kind = _local(root)
    if kind == "sitemapindex":
        children = [
            DiscoveredLink(absolute, _text(node, "lastmod"))
            for node in _children(root, "sitemap")
            if (absolute := _absolute(_text(node, "loc") or "", url))
        ]
        return SitemapResult(sitemaps=children)
    if kind != "urlset":
        raise DiscoveryError(url, f"not a sitemap: root element <{kind}>")
    links: list[DiscoveredLink] = []
    for node in _children(root, "url"):
        absolute = _absolute(_text(node, "loc") or "", url)
        if not absolute:
            continue
        lastmod = _text(node, "lastmod")
        title = None
        for news in _children(node, "news"):
            title = _text(news, "title")
            lastmod = lastmod or _text(news, "publication_date")
        links.append(DiscoveredLink(absolute, lastmod, title))
    return SitemapResult(links=links)


_SPACES = re.compile(r"\s+")


def parse_listing(
    body: bytes, url: str, pattern: re.Pattern[str] | None = None
) -> list[DiscoveredLink]:
    """Links on a listing page; with ``pattern``, only those whose absolute URL matches it.

    Links are returned once each, in page order; ``<base href>`` is honoured.

    Args:
        body: the page's raw HTML.
        url: the page's URL.
        pattern: regex (``re.search``) an article link must match; None keeps all links.

    Raises:
        DiscoveryError: the page is empty or cannot be parsed as HTML.
    """
    data = _gunzip(body, url)
    if not data.strip():
        raise DiscoveryError(url, "empty page")
    parser = lxml_html.HTMLParser(no_network=True, recover=True, remove_comments=True)
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise DiscoveryError(url, f"cannot parse HTML: {exc}") from exc
    base = url
    for node in root.iter("base"):
        if node.get("href"):
            base = _absolute(node.get("href"), url) or url
            break
    links: list[DiscoveredLink] = []
    seen: set[str] = set()
    for anchor in root.iter("a"):
        absolute = _absolute(anchor.get("href") or "", base)
        if not absolute or absolute in seen:
            continue
        if pattern is not None and not pattern.search(absolute):
            continue
        seen.add(absolute)
        title = _SPACES.sub(" ", anchor.text_content()).strip() or None
        links.append(DiscoveredLink(absolute, None, title))
    return links
