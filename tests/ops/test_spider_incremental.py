"""The spider's incremental routing, without a reactor: a known URL whose lastmod did not
move becomes a NotModified item; another known URL is requested conditionally (and a
304 for it becomes NotModified); an unknown URL is a plain request."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse

from crawler.config import SourceConfig
from crawler.fetch.incremental import KnownPage, NotModified
from crawler.spiders.source import SourceSpider

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Quayside</title>
<item><title>Old</title><link>http://quayside.example/a/old</link>
<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Edited</title><link>http://quayside.example/a/edited</link>
<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Fresh</title><link>http://quayside.example/a/fresh</link>
<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate></item>
</channel></rss>"""

KNOWN = {
    "http://quayside.example/a/old": KnownPage(lastmod="2026-11-20T08:00:00+00:00", etag='"1"'),
    "http://quayside.example/a/edited": KnownPage(
        lastmod="2026-11-20T08:00:00+00:00",
        etag='"2"',
        last_modified="Fri, 20 Nov 2026 08:00:00 GMT",
    ),
}


def spider() -> SourceSpider:
    source = SourceConfig(
        name="quayside",
        domains=("quayside.example",),
        feeds=("http://quayside.example/feed.xml",),
    )
    return SourceSpider(source, known=KNOWN)


def test_feed_links_are_skipped_conditional_or_plain() -> None:
    url = "http://quayside.example/feed.xml"
    out = list(spider().parse_feed(XmlResponse(url=url, body=FEED, request=Request(url))))
    skipped = [o for o in out if isinstance(o, NotModified)]
    requests = {o.url: o for o in out if isinstance(o, Request)}
    assert [(s.url, s.reason) for s in skipped] == [("http://quayside.example/a/old", "lastmod")]
    edited = requests["http://quayside.example/a/edited"]
    assert edited.headers.get("If-None-Match") == b'"2"'
    assert edited.headers.get("If-Modified-Since") == b"Fri, 20 Nov 2026 08:00:00 GMT"
    assert edited.meta["handle_httpstatus_list"] == [304]
    fresh = requests["http://quayside.example/a/fresh"]
    assert b"If-None-Match" not in fresh.headers and "handle_httpstatus_list" not in fresh.meta


def test_a_304_becomes_not_modified_and_a_200_a_page() -> None:
    url = "http://quayside.example/a/edited"
    crawler_spider = spider()
    kwargs = {"via": "feed", "lastmod": "2026-11-24", "discovered_as": url}
    not_modified = list(
        crawler_spider.parse_article(Response(url, status=304, request=Request(url)), **kwargs)
    )
    assert not_modified == [NotModified("quayside", url, "304", "2026-11-24", "feed")]
    fresh = "http://quayside.example/a/fresh"
    body = b"<html><body><p>Text.</p></body></html>"
    pages = list(
        crawler_spider.parse_article(
            HtmlResponse(fresh, body=body, request=Request(fresh)),
            via="feed",
            lastmod=None,
            discovered_as=fresh,
        )
    )
    assert [type(p).__name__ for p in pages] == ["FetchedPage"]
