"""Feeds, sitemaps, sitemap indexes, news sitemaps and listings; broken input."""

from __future__ import annotations

import gzip
import re

import pytest

from crawler.discovery.links import (
    DiscoveredLink,
    DiscoveryError,
    parse_feed,
    parse_listing,
    parse_sitemap,
)

BASE = "http://techwire.example"

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>TechWire</title><link>http://techwire.example/</link>
<item><title>Chips &amp; people</title><link>http://techwire.example/news/1</link>
<pubDate>Wed, 18 Nov 2026 09:30:00 +0000</pubDate></item>
<item><title>Relative</title><link>/news/2</link></item>
<item><title>Guid only</title><guid isPermaLink="true">http://techwire.example/news/3</guid></item>
<item><title>Not a permalink</title><guid isPermaLink="false">tag-4</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ByteBeat</title>
<entry><title>One</title><link rel="self" href="http://bytebeat.example/self/1"/>
<link rel="alternate" href="http://bytebeat.example/stories/one/"/>
<updated>2026-11-17T10:00:00Z</updated></entry>
<entry><title>Two</title><link href="/stories/two/"/><published>2026-11-10</published></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://circuitdaily.example/"><title>CD</title></channel>
<item rdf:about="http://circuitdaily.example/a/one"><title>One</title>
<link>http://circuitdaily.example/a/one</link><dc:date>2026-11-16</dc:date></item>
<item rdf:about="http://circuitdaily.example/a/two"><title>Two</title></item>
</rdf:RDF>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://techwire.example/news/1</loc><lastmod>2026-11-18</lastmod></url>
<url><loc> http://techwire.example/news/2 </loc></url>
<url><lastmod>2026-11-01</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://bytebeat.example/sitemaps/news.xml</loc><lastmod>2026-11-19</lastmod></sitemap>
<sitemap><loc>http://bytebeat.example/sitemaps/pages.xml.gz</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://bytebeat.example/stories/one/</loc><news:news><news:publication>
<news:name>ByteBeat</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-19T06:45:00Z</news:publication_date>
<news:title>Hiring wall</news:title></news:news></url>
</urlset>"""


def test_rss2() -> None:
    links = parse_feed(RSS2, f"{BASE}/feed.xml").links
    assert links == [
        DiscoveredLink(f"{BASE}/news/1", "Wed, 18 Nov 2026 09:30:00 +0000", "Chips & people"),
        DiscoveredLink(f"{BASE}/news/2", None, "Relative"),
        DiscoveredLink(f"{BASE}/news/3", None, "Guid only"),
    ]


def test_atom() -> None:
    links = parse_feed(ATOM, "http://bytebeat.example/atom.xml").links
    assert links == [
        DiscoveredLink("http://bytebeat.example/stories/one/", "2026-11-17T10:00:00Z", "One"),
        DiscoveredLink("http://bytebeat.example/stories/two/", "2026-11-10", "Two"),
    ]


def test_rss1_rdf() -> None:
    links = parse_feed(RDF, "http://circuitdaily.example/index.rdf").links
    assert [(link.url, link.lastmod) for link in links] == [
        ("http://circuitdaily.example/a/one", "2026-11-16"),
        ("http://circuitdaily.example/a/two", None),
    ]


def test_sitemap() -> None:
    result = parse_sitemap(SITEMAP, f"{BASE}/sitemap.xml")
    assert result.sitemaps == []
    assert not result.is_index
    assert result.links == [
        DiscoveredLink(f"{BASE}/news/1", "2026-11-18"),
        DiscoveredLink(f"{BASE}/news/2"),
    ]


def test_sitemap_index() -> None:
    result = parse_sitemap(INDEX, "http://bytebeat.example/sitemap_index.xml")
    assert result.is_index
    assert result.links == []
    assert [s.url for s in result.sitemaps] == [
        "http://bytebeat.example/sitemaps/news.xml",
        "http://bytebeat.example/sitemaps/pages.xml.gz",
    ]
    assert result.sitemaps[0].lastmod == "2026-11-19"


def test_news_sitemap_gives_title_and_date() -> None:
    result = parse_sitemap(NEWS, "http://bytebeat.example/sitemaps/news.xml")
    assert result.links == [
        DiscoveredLink(
            "http://bytebeat.example/stories/one/", "2026-11-19T06:45:00Z", "Hiring wall"
        )
    ]


def test_gzip_sitemap() -> None:
    body = gzip.compress(SITEMAP)
    result = parse_sitemap(body, f"{BASE}/sitemap.xml.gz")
    assert len(result.links) == 2


def test_listing_filters_by_pattern_and_deduplicates() -> None:
    page = b"""<html><head><base href="http://techwire.example/news/"></head><body>
    <nav><a href="/">Home</a><a href="/about">About</a></nav>
    <ul><li><a href="2026/chips?utm_source=x">Chips
       and people</a></li>
    <li><a href="2026/chips?utm_source=x">Chips again</a></li>
    <li><a href="http://techwire.example/news/2026/robots">Robots</a></li>
    <li><a href="mailto:desk@techwire.example">Mail</a></li>
    <li><a href="?page=2">Older</a></li></ul></body></html>"""
    links = parse_listing(page, f"{BASE}/news/", re.compile(r"/news/2026/"))
    assert links == [
        DiscoveredLink(f"{BASE}/news/2026/chips?utm_source=x", None, "Chips and people"),
        DiscoveredLink(f"{BASE}/news/2026/robots", None, "Robots"),
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss><channel><item><link>x", "not well-formed XML"),
        (b"", "empty body"),
        (b"<html><body>not a feed</body></html>", "not a feed: root element <html>"),
        (b'<rss version="2.0"></rss>', "RSS feed without <channel>"),
        (b"\x1f\x8b\x08\x00garbage", "broken gzip data"),
    ],
)
def test_broken_feed(body: bytes, reason: str) -> None:
    with pytest.raises(DiscoveryError) as info:
        parse_feed(body, f"{BASE}/feed.xml")
    assert str(info.value).startswith(f"{BASE}/feed.xml: ")
    assert reason in str(info.value)
    assert info.value.url == f"{BASE}/feed.xml"


def test_broken_sitemap() -> None:
    with pytest.raises(DiscoveryError, match=r"sitemap\.xml: not a sitemap: root element <rss>"):
        parse_sitemap(RSS2, f"{BASE}/sitemap.xml")
    with pytest.raises(DiscoveryError, match="not well-formed XML"):
        parse_sitemap(b"<urlset><url><loc>x</loc>", f"{BASE}/sitemap.xml")


def test_entities_are_not_expanded() -> None:
    hostile = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://techwire.example/&x;</loc></url></urlset>"""
    result = parse_sitemap(hostile, f"{BASE}/sitemap.xml")
    assert all("root:" not in link.url for link in result.links)


def test_empty_listing() -> None:
    with pytest.raises(DiscoveryError, match="empty page"):
        parse_listing(b"   ", f"{BASE}/news/", re.compile("x"))
