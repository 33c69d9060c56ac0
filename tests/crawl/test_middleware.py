"""ProxyMiddleware: off without NEWSDEDUP_PROXY, else sets meta["proxy"]."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.fetch.middlewares import ProxyMiddleware
from crawler.spiders.source import SourceSpider


def test_sets_proxy_on_every_request() -> None:
    middleware = ProxyMiddleware("http://127.0.0.1:8123")
    request = Request("http://techwire.example/feed.xml")
    middleware.process_request(request)
    assert request.meta["proxy"] == "http://127.0.0.1:8123"


def test_keeps_an_explicit_proxy() -> None:
    request = Request("http://techwire.example/", meta={"proxy": "http://other:1"})
    ProxyMiddleware("http://127.0.0.1:8123").process_request(request)
    assert request.meta["proxy"] == "http://other:1"


def test_not_configured_without_setting() -> None:
    with pytest.raises(NotConfigured):
        ProxyMiddleware("")
    with pytest.raises(NotConfigured):
        ProxyMiddleware.from_crawler(get_crawler(SourceSpider, {"NEWSDEDUP_PROXY": ""}))


def test_from_crawler_reads_setting() -> None:
    crawler = get_crawler(SourceSpider, {"NEWSDEDUP_PROXY": "http://127.0.0.1:9"})
    assert ProxyMiddleware.from_crawler(crawler).proxy == "http://127.0.0.1:9"


def test_registered_in_project_settings() -> None:
    from crawler import settings

    assert "crawler.fetch.middlewares.ProxyMiddleware" in settings.DOWNLOADER_MIDDLEWARES
    assert settings.DOWNLOADER_MIDDLEWARES["crawler.fetch.middlewares.ProxyMiddleware"] < 750
