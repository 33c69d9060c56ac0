"""Discover article URLs in feeds, sitemaps, robots.txt and listing pages.

Plain Python plus lxml; no Scrapy. Each function takes the raw body and the URL it
came from and returns :class:`DiscoveredLink` objects with absolute (not yet
normalised) URLs. XML is parsed without entity resolution, network access or DTD
loading, and without lxml's huge-tree mode. Gzip-compressed bodies (``.xml.gz``
sitemaps) are decompressed, with a cap on the decompressed size.

What real sites serve is salvaged, and each salvage is reported in the result's
``warnings`` (the caller logs them with the URL):

- the charset: a byte-order mark wins over the XML declaration, and bytes that contradict
  the declared encoding are decoded as what they are (:mod:`crawler.extract.decode`);
- a feed or sitemap that is not well-formed XML: unescaped ``&`` and HTML entities such as
  ``&nbsp;`` are repaired first (libxml2's recovery alone would drop the ``&`` and
  corrupt the URL ``?a=1&b=2``); what is still broken is cut after the last complete
  ``<item>``/``<entry>``/``<url>``/``<sitemap>`` and parsed in lxml's recover mode;
- a truncated gzip stream keeps what was unpacked before the cut, up to the last
  complete entry (a half-written ``<loc>`` is not a URL). A corrupt one (bad data, not a
  cut) is refused: deflate data before the error may already be garbage.

Example:
    >>> feed = b'<rss version="2.0"><channel><item><link>/a</link></item></channel></rss>'
    >>> parse_feed(feed, "http://site.example/feed.xml").links[0].url
    'http://site.example/a'
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass, field
from html.entities import html5
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.decode import Charset, detect_charset, xml_charset

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "DiscoveredLink",
    "DiscoveryError",
    "FeedResult",
    "SitemapResult",
    "parse_feed",
    "parse_listing",
    "parse_robots_sitemaps",
    "parse_sitemap",
]

#: Largest body accepted after gunzip (sitemaps are capped at 50 MB by the protocol).
MAX_DECOMPRESSED_BYTES = 60 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_STEP = 4096


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
class FeedResult:
    """What a feed holds, and what had to be salvaged to read it (empty when nothing)."""

    links: list[DiscoveredLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SitemapResult:
    """What a sitemap holds: page links, and child sitemaps for a sitemap index.

    ``warnings`` says what had to be salvaged to read it (empty when nothing).
    """

    links: list[DiscoveredLink] = field(default_factory=list)
    sitemaps: list[DiscoveredLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        """Whether this was a sitemap index."""
        return bool(self.sitemaps) and not self.links


def _xml_parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
        encoding="utf-8",  # the body is decoded first and handed over as UTF-8
    )


def _gunzip(body: bytes, url: str) -> tuple[bytes, str | None]:
    """Decompress a gzip body; other bodies are returned unchanged.

    Returns:
        the data and, for a truncated stream, what went wrong (the data is then what was
        unpacked before the cut).

    Raises:
        DiscoveryError: corrupt data, nothing before the cut, or too large unpacked.
    """
    if not body.startswith(_GZIP_MAGIC):
        return body, None
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    try:
        # small input steps: one step cannot unpack to more than about 1000 times its
        # size, so the cap is checked before memory runs away
        for start in range(0, len(body), _GZIP_STEP):
            out += decompressor.decompress(body[start : start + _GZIP_STEP])
            if len(out) > MAX_DECOMPRESSED_BYTES:
                raise DiscoveryError(
                    url, f"gzip body exceeds {MAX_DECOMPRESSED_BYTES} bytes unpacked"
                )
            if decompressor.eof:
                break
    except zlib.error as exc:
        # corrupt, not cut: deflate has no checksum before the end, so the bytes unpacked
        # before the error may already be garbage (wrong back-references): keep none
        raise DiscoveryError(url, f"broken gzip data: {exc}") from exc
    if decompressor.eof:
        return bytes(out), None
    problem = f"broken gzip data: truncated stream after {len(out)} unpacked bytes"
    if not out:
        raise DiscoveryError(url, problem)
    return bytes(out), problem


_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.S)
_BARE_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z_][A-Za-z0-9._-]*;)")
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _repair_entities(data: bytes) -> tuple[bytes, int]:
    """Escape bare ``&`` and turn HTML entities (``&nbsp;``) into character references,
    outside CDATA sections. Returns the data and the number of repairs."""
    count = 0

    def named(match: re.Match[bytes]) -> bytes:
        nonlocal count
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group()
        count += 1
        chars = html5.get(name.decode("ascii") + ";")
        if chars is None:
            return b"&amp;" + name + b";"
        return b"".join(b"&#%d;" % ord(c) for c in chars)

    def bare(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return b"&amp;"

    parts = _CDATA.split(data)
    for index in range(0, len(parts), 2):  # even parts lie outside CDATA
        parts[index] = _BARE_AMPERSAND.sub(bare, _NAMED_ENTITY.sub(named, parts[index]))
    return b"".join(parts), count


def _cut_after_last_record(data: bytes, records: tuple[str, ...]) -> bytes | None:
    """``data`` up to the end of its last complete record element (None if there is none)."""
    names = b"|".join(re.escape(name.encode("ascii")) for name in records)
    end = 0
    for match in re.finditer(rb"</(?:[A-Za-z_][\w.-]*:)?(?:" + names + rb")\s*>", data):
        end = match.end()
    return data[:end] if end else None


def _parse_xml(body: bytes, url: str, records: tuple[str, ...]) -> tuple[etree._Element, list[str]]:
    """The root of a feed or sitemap, salvaged if need be, and the salvage warnings.

    Args:
        records: local names of the entry elements (``item``, ``url``...): a broken
            document is cut after the last complete one.
    """
    data, problem = _gunzip(body, url)
    warnings = [problem] if problem is not None else []
    charset = detect_charset(data)
    head = data[:4096].removeprefix(codecs.BOM_UTF8)
    warnings += _charset_warnings(charset, xml_charset(head))
    xml = charset.text.lstrip().encode("utf-8")
    if not xml:
        raise DiscoveryError(url, problem or "empty body")
    error: str | None = None
    if problem is None:
        try:
            return _root(etree.fromstring(xml, _xml_parser()), url), warnings
        except etree.XMLSyntaxError as exc:
            error = f"not well-formed XML: {exc}"
    repaired, repairs = _repair_entities(xml)
    if repairs and problem is None:
        try:
            root = _root(etree.fromstring(repaired, _xml_parser()), url)
        except etree.XMLSyntaxError:
            pass
        else:
            warnings.append(f"repaired {repairs} unescaped '&' or HTML entities")
            return root, warnings
    cut = _cut_after_last_record(repaired, records)
    if cut is None:
        raise DiscoveryError(url, error or f"{problem}: no complete entry before the cut")
    try:
        root = etree.fromstring(cut, _xml_parser(recover=True))
    except etree.XMLSyntaxError as exc:  # pragma: no cover - recover mode rarely raises
        raise DiscoveryError(url, error or f"not well-formed XML: {exc}") from exc
    if error is not None:
        warnings.append(f"{error}; kept the entries before the error")
    elif problem is not None:
        warnings[0] = f"{problem}; kept the entries before the cut"
    return _root(root, url), warnings


def _family(name: str) -> str:
    """A codec name with its byte-order variants, and ISO-8859-1 with windows-1252, as one."""
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    if name.startswith(("utf-16", "utf-32")):
        return name[:6]
    return "cp1252" if name == "iso8859-1" else name


def _charset_warnings(charset: Charset, declared: str | None) -> list[str]:
    """What to report about how the document was decoded (XML's default is UTF-8)."""
    if charset.problem is not None:
        return [charset.problem]
    warnings = []
    if _family(declared or "utf-8") != _family(charset.encoding):
        warnings.append(
            f"decoded as {charset.encoding} ({charset.source}): the bytes contradict "
            f"the declared {declared or 'utf-8 (no declaration)'}"
        )
    if charset.repaired:
        warnings.append(f"repaired {charset.repaired} double-encoded UTF-8 sequences")
    return warnings


def _root(root: etree._Element | None, url: str) -> etree._Element:
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


def parse_feed(body: bytes, url: str) -> FeedResult:
    """Article links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed.

    Args:
        body: the raw feed (gzip allowed).
        url: the feed's URL, to resolve relative links and name it in errors.

    Raises:
        DiscoveryError: not a feed, or XML so broken that no entry can be salvaged.
    """
    root, warnings = _parse_xml(body, url, ("item", "entry"))
    kind = _local(root)
    if kind == "rss":
        channel = next(iter(_children(root, "channel")), None)
        if channel is None:
            raise DiscoveryError(url, "RSS feed without <channel>")
        return FeedResult(_rss_items(_children(channel, "item"), url), warnings)
    if kind == "RDF":
        return FeedResult(_rss_items(_children(root, "item"), url), warnings)
    if kind == "feed":
        return FeedResult(_atom_entries(root, url), warnings)
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
        DiscoveryError: not a sitemap, or XML so broken that no entry can be salvaged.
    """
    root, warnings = _parse_xml(body, url, ("url", "sitemap"))
    kind = _local(root)
    if kind == "sitemapindex":
        children = [
            DiscoveredLink(absolute, _text(node, "lastmod"))
            for node in _children(root, "sitemap")
            if (absolute := _absolute(_text(node, "loc") or "", url))
        ]
        return SitemapResult(sitemaps=children, warnings=warnings)
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
    return SitemapResult(links=links, warnings=warnings)


_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


def parse_robots_sitemaps(body: bytes, url: str) -> list[DiscoveredLink]:
    """The sitemaps a robots.txt lists on its ``Sitemap:`` lines (any case), in order.

    Args:
        body: the raw robots.txt.
        url: its URL, to resolve relative sitemap URLs (the standard wants absolute ones).

    Example:
        >>> robots = b"User-agent: *\\nDisallow: /admin\\nSitemap: /news-sitemap.xml\\n"
        >>> parse_robots_sitemaps(robots, "https://site.example/robots.txt")[0].url
        'https://site.example/news-sitemap.xml'
    """
    text = body.decode("utf-8", "replace")
    links: list[DiscoveredLink] = []
    seen: set[str] = set()
    for match in _SITEMAP_LINE.finditer(text):
        absolute = _absolute(match.group(1), url)
        if absolute and absolute not in seen:
            seen.add(absolute)
            links.append(DiscoveredLink(absolute))
    return links


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
    data, _ = _gunzip(body, url)
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
