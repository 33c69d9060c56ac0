"""SourceSpider routing, tested by feeding responses to its callbacks (no network)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, XmlResponse
from twisted.python.failure import Failure

from crawler.config import ListingConfig, SourceConfig
from crawler.items import FetchedPage
from crawler.spiders.source import SourceSpider

SOURCE = SourceConfig(
    name="techwire",
    domains=("techwire.example",),
    feeds=("http://techwire.example/feed.xml",),
    sitemaps=("http://techwire.example/sitemap_index.xml",),
    listings=(ListingConfig("http://techwire.example/news/", r"/news/2026/[a-z-]+$"),),
    article_pattern=r"/news/2026/",
    max_pages=10,
    concurrency=3,
    download_delay=0.0,
    user_agent="spider-test/1.0",
)

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><link>http://techwire.example/news/2026/chips?utm_source=rss#top</link>
<pubDate>Wed, 18 Nov 2026 09:30:00 +0000</pubDate></item>
<item><link>http://techwire.example/news/2026/chips</link></item>
<item><link>http://elsewhere.example/news/2026/copy</link></item>
<item><link>http://www.techwire.example/news/2026/robots</link></item>
<item><link>http://techwire.example/about</link></item>
</channel></rss>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://techwire.example/sitemaps/news.xml</loc></sitemap>
<sitemap><loc>http://techwire.example/sitemap_index.xml</loc></sitemap>
<sitemap><loc>http://cdn.other.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""

SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://techwire.example/news/2026/chips</loc><lastmod>2026-11-18</lastmod></url>
<url><loc>http://techwire.example/news/2026/batteries</loc><lastmod>2026-11-12</lastmod></url>
</urlset>"""

LISTING = b"""<html><body><nav><a href="/">Home</a></nav>
<a href="/news/2026/firmware?ref=listing">Firmware</a>
<a href="/news/2026/chips">Chips</a><a href="/news/?page=2">Older</a></body></html>"""

ARTICLE = (
    b"<!DOCTYPE html><html><head><title>Chips</title>"
    b'<link rel="canonical" href="http://techwire.example/news/2026/chips-and-people?utm_medium=x">'
    b"</head><body><p>Caf\xc3\xa9 text, untouched \xe2\x80\x94 bytes.</p></body></html>"
)


def _spider(source: SourceConfig = SOURCE) -> SourceSpider:
    return SourceSpider(source=source)


def _xml(url: str, body: bytes) -> XmlResponse:
    return XmlResponse(url=url, body=body, request=Request(url))


def _requests(results: Any) -> list[Request]:
    items = list(results)
    assert all(isinstance(item, Request) for item in items)
    return items


def test_start_requests_every_entry_point() -> None:
    spider = _spider()

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert [(r.url, r.callback) for r in requests] == [
        ("http://techwire.example/feed.xml", spider.parse_feed),
        ("http://techwire.example/sitemap_index.xml", spider.parse_sitemap),
        ("http://techwire.example/news/", spider.parse_listing),
    ]
    assert requests[2].cb_kwargs == {"listing": SOURCE.listings[0]}
    assert all(r.errback == spider.on_error for r in requests)
    assert spider.allowed_domains == ["techwire.example"]


def test_feed_links_are_normalised_filtered_and_deduplicated() -> None:
    spider = _spider()
    requests = _requests(spider.parse_feed(_xml("http://techwire.example/feed.xml", FEED)))
    assert [r.url for r in requests] == [
        "http://techwire.example/news/2026/chips",
        "http://www.techwire.example/news/2026/robots",
    ]
    first = requests[0]
    assert first.callback == spider.parse_article
    assert first.cb_kwargs == {
        "via": "http://techwire.example/feed.xml",
        "lastmod": "Wed, 18 Nov 2026 09:30:00 +0000",
        "discovered_as": "http://techwire.example/news/2026/chips",
    }


def test_sitemap_index_follows_children_once_and_only_in_domain() -> None:
    spider = _spider()

    async def start() -> list[Request]:
        return [request async for request in spider.start()]

    asyncio.run(start())  # registers the configured sitemap as seen
    index = _xml("http://techwire.example/sitemap_index.xml", INDEX)
    requests = _requests(spider.parse_sitemap(index))
    assert [(r.url, r.callback) for r in requests] == [
        ("http://techwire.example/sitemaps/news.xml", spider.parse_sitemap)
    ]
    assert _requests(spider.parse_sitemap(index)) == []


def test_sitemap_articles_and_dedup_across_entry_points() -> None:
    spider = _spider()
    _requests(spider.parse_feed(_xml("http://techwire.example/feed.xml", FEED)))
    sitemap = _xml("http://techwire.example/sitemaps/news.xml", SITEMAP)
    requests = _requests(spider.parse_sitemap(sitemap))
    assert [r.url for r in requests] == ["http://techwire.example/news/2026/batteries"]
    assert requests[0].cb_kwargs["lastmod"] == "2026-11-12"


def test_listing_uses_its_pattern() -> None:
    spider = _spider()
    listing = HtmlResponse(
        url="http://techwire.example/news/", body=LISTING, request=Request("http://x.example")
    )
    requests = _requests(spider.parse_listing(listing, SOURCE.listings[0]))
    assert [r.url for r in requests] == [
        "http://techwire.example/news/2026/firmware",
        "http://techwire.example/news/2026/chips",
    ]


def test_max_pages_counts_article_requests() -> None:
    spider = _spider(SourceConfig(**{**SOURCE.__dict__, "max_pages": 1}))
    requests = _requests(spider.parse_feed(_xml("http://techwire.example/feed.xml", FEED)))
    assert len(requests) == 1
    sitemap = _xml("http://techwire.example/sitemaps/news.xml", SITEMAP)
    assert _requests(spider.parse_sitemap(sitemap)) == []
    assert spider.article_requests == 1


def test_broken_feed_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    spider = _spider()
    with caplog.at_level(logging.WARNING):
        result = list(spider.parse_feed(_xml("http://techwire.example/feed.xml", b"<rss><chan")))
    assert result == []
    assert "skipping feed: http://techwire.example/feed.xml: not well-formed XML" in caplog.text


def test_article_yields_page_untouched_with_canonical_url() -> None:
    spider = _spider()
    url = "http://techwire.example/news/2026/chips"
    response = HtmlResponse(
        url=url,
        body=ARTICLE,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"', "X-Other": "no"},
        request=Request(url),
    )
    (page,) = spider.parse_article(
        response, via="http://techwire.example/feed.xml", lastmod="2026-11-18", discovered_as=url
    )
    assert page == FetchedPage(
        source="techwire",
        url="http://techwire.example/news/2026/chips-and-people",
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8", "etag": '"v1"'},
        body=ARTICLE,
        discovered_via="http://techwire.example/feed.xml",
        lastmod="2026-11-18",
    )


def test_canonical_outside_domains_is_ignored() -> None:
    spider = _spider()
    url = "http://techwire.example/news/2026/copy"
    body = b'<html><head><link rel="canonical" href="http://bytebeat.example/x"></head></html>'
    response = HtmlResponse(url=url, body=body, request=Request(url))
    (page,) = spider.parse_article(response, via="v", lastmod=None, discovered_as=url)
    assert page.url == url


def test_errback_logs_url_and_error(caplog: pytest.LogCaptureFixture) -> None:
    spider = _spider()
    failure = Failure(ConnectionRefusedError("refused"))  # type: ignore[no-untyped-call]
    failure.request = Request("http://techwire.example/news/2026/gone")  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING):
        spider.on_error(failure)
    assert "request failed: http://techwire.example/news/2026/gone" in caplog.text
    assert "ConnectionRefusedError" in caplog.text


def test_from_crawler_by_name_applies_source_settings(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[sources]]\nname = "techwire"\ndomains = ["techwire.example"]\n'
        'feeds = ["http://techwire.example/feed.xml"]\nconcurrency = 5\n'
        'download_delay = 1.5\nuser_agent = "agent/2"\n',
        encoding="utf-8",
    )
    crawler = Crawler(SourceSpider, {"NEWSDEDUP_SOURCES": str(path)})
    spider = SourceSpider.from_crawler(crawler, source="techwire")
    assert spider.source.name == "techwire"
    assert crawler.settings.getint("CONCURRENT_REQUESTS") == 5
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 5
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 1.5
    assert crawler.settings.get("USER_AGENT") == "agent/2"
    with pytest.raises(KeyError, match="no source named 'nope'"):
        SourceSpider.from_crawler(
            Crawler(SourceSpider, {"NEWSDEDUP_SOURCES": str(path)}), source="nope"
        )


def test_from_crawler_with_config_object() -> None:
    crawler = Crawler(SourceSpider)
    spider = SourceSpider.from_crawler(crawler, source=SOURCE)
    assert spider.source is SOURCE
    assert crawler.settings.getint("CONCURRENT_REQUESTS") == 3
    with pytest.raises(ValueError, match="needs source="):
        SourceSpider.from_crawler(Crawler(SourceSpider))


def test_page_fetched_twice_under_one_canonical_is_yielded_once() -> None:
    spider = _spider()
    body = b'<html><head><link rel="canonical" href="/news/2026/one"></head></html>'
    pages = []
    for url in ("http://techwire.example/news/2026/one-amp", "http://techwire.example/print/1"):
        response = HtmlResponse(url=url, body=body, request=Request(url))
        pages += list(spider.parse_article(response, via="v", lastmod=None, discovered_as=url))
    assert [page.url for page in pages] == ["http://techwire.example/news/2026/one"]
    feed = b"""<rss version="2.0"><channel>
    <item><link>http://techwire.example/news/2026/one</link></item></channel></rss>"""
    assert _requests(spider.parse_feed(_xml("http://techwire.example/feed.xml", feed))) == []


def test_robots_skip_is_logged_as_info(caplog: pytest.LogCaptureFixture) -> None:
    spider = _spider()
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))  # type: ignore[no-untyped-call]
    failure.request = Request("http://techwire.example/drafts/x")  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO):
        spider.on_error(failure)
    (record,) = [r for r in caplog.records if "drafts/x" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert "request skipped: http://techwire.example/drafts/x" in record.getMessage()
