"""Sitemaps discovered from robots.txt: configuration, spider routing, and a real crawl
of a source configured with nothing but its domain, over loopback."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse, XmlResponse

from crawler.config import SourceConfig, load_sources_text
from crawler.demo.server import serve_sample_site
from crawler.spiders.source import SourceSpider

ROOT = Path(__file__).resolve().parents[2]
HELPER = Path(__file__).with_name("crawl_helper.py")
FIXTURES = ROOT / "tests" / "fixtures" / "discovery"


def _source(text: str) -> SourceConfig:
    return load_sources_text(text, "inline").sources[0]


def test_a_domain_is_enough_and_its_robots_txt_is_read() -> None:
    source = _source('[[sources]]\nname = "vestnik"\ndomains = ["vestnik.example"]\n')
    assert source.entry_points == ()
    assert source.uses_robots_sitemaps
    assert source.robots_urls == ("https://vestnik.example/robots.txt",)


def test_configured_sitemaps_turn_robots_off_unless_asked() -> None:
    base = (
        '[[sources]]\nname = "techwire"\ndomains = ["techwire.example", "techwire-cdn.example"]\n'
        'sitemaps = ["http://www.techwire.example/sitemap.xml"]\n'
    )
    assert _source(base).robots_urls == ()
    both = _source(base + "robots_sitemaps = true\n")
    assert both.robots_urls == (
        "http://www.techwire.example/robots.txt",
        "https://techwire.example/robots.txt",
        "https://techwire-cdn.example/robots.txt",
    )


def test_feeds_only_source_reads_robots_of_the_feed_site_and_can_opt_out() -> None:
    feeds = (
        '[[sources]]\nname = "techwire"\ndomains = ["techwire.example"]\n'
        'feeds = ["http://techwire.example/feed.xml"]\n'
    )
    assert _source(feeds).robots_urls == ("http://techwire.example/robots.txt",)
    assert _source(feeds + "robots_sitemaps = false\n").robots_urls == ()
    off = load_sources_text("[defaults]\nrobots_sitemaps = false\n" + feeds, "inline")
    assert off.sources[0].robots_urls == ()


def test_spider_follows_robots_sitemaps_on_its_domains(caplog: pytest.LogCaptureFixture) -> None:
    source = SourceConfig(name="techwire", domains=("techwire.example",))
    spider = SourceSpider(source=source)

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    (start,) = asyncio.run(collect())
    assert (start.url, start.callback, start.errback) == (
        "https://techwire.example/robots.txt",
        spider.parse_robots,
        spider.on_robots_error,
    )
    meta = json.loads((FIXTURES / "robots.json").read_text(encoding="utf-8"))
    response = TextResponse(
        url=meta["url"], body=(FIXTURES / "robots.txt").read_bytes(), request=start
    )
    with caplog.at_level(logging.INFO):
        requests = list(spider.parse_robots(response))
    assert [(r.url, r.callback) for r in requests] == [
        ("https://techwire.example/sitemap-news.xml", spider.parse_sitemap),
        ("https://techwire.example/sitemap-archive.xml.gz", spider.parse_sitemap),
    ]
    assert "sitemap from robots.txt outside the domains: https://cdn.elsewhere.example/" in (
        caplog.text
    )
    assert list(spider.parse_robots(response)) == []  # each sitemap once


def test_spider_logs_what_it_salvaged_with_the_url(caplog: pytest.LogCaptureFixture) -> None:
    source = SourceConfig(name="techwire", domains=("techwire.example",))
    spider = SourceSpider(source=source)
    url = "https://techwire.example/sitemap.xml.gz"
    body = (FIXTURES / "sitemap_truncated.xml.gz").read_bytes()
    with caplog.at_level(logging.WARNING):
        requests = list(spider.parse_sitemap(XmlResponse(url=url, body=body, request=Request(url))))
    assert len(requests) >= 50
    assert f"salvaged sitemap {url}: broken gzip data: truncated stream" in caplog.text


@pytest.mark.e2e
def test_crawl_of_a_source_without_sitemaps_finds_articles_through_robots_txt(
    tmp_path: Path,
) -> None:
    """robots.txt -> a truncated .xml.gz sitemap -> the articles listed before the cut.

    The source's only entry point is a feed that is gone (404), on http: the sample site
    serves no https, and a domain-only source would read ``https://DOMAIN/robots.txt``."""
    with serve_sample_site() as site:
        host = "http://techwire.example"
        articles = site.expected_article_urls
        mine = [u for u in articles if u.startswith(host)][:3]
        xml = "<urlset>" + "".join(f"<url><loc>{u}</loc></url>" for u in mine)
        xml += "<url><loc>http://techwire.example/news/never-reached</loc></url></urlset>"
        packed = gzip.compress(xml.encode("ascii"), mtime=0)
        cut = packed[: -len(packed) // 4]
        site.set_page(
            f"{host}/robots.txt", b"User-agent: *\nSitemap: /hidden.xml.gz\n", "text/plain"
        )
        site.set_page(f"{host}/hidden.xml.gz", cut, "application/octet-stream")
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[[sources]]\nname = "onlydomain"\ndomains = ["techwire.example"]\n'
            'feeds = ["http://techwire.example/gone.xml"]\n',
            encoding="utf-8",
        )
        out = tmp_path / "items.jsonl"
        result = subprocess.run(
            [sys.executable, str(HELPER), str(sources), site.proxy_url, str(out), "onlydomain"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]
    items: list[dict[str, Any]] = [json.loads(line) for line in out.read_text().splitlines()]
    fetched = {item["url"] for item in items}
    decompressed_before_cut = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    expected = {u for u in mine if f"{u}</loc></url>".encode() in decompressed_before_cut}
    assert expected and fetched == expected
    assert all(item["discovered_via"] == f"{host}/hidden.xml.gz" for item in items)
    assert f"salvaged sitemap {host}/hidden.xml.gz: broken gzip data: truncated" in result.stderr
