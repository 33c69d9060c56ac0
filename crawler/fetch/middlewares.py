"""Downloader middlewares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["ProxyMiddleware"]


class ProxyMiddleware:
    """Send every request through one HTTP proxy (setting ``NEWSDEDUP_PROXY``).

    The sample site is served this way: a forward proxy on 127.0.0.1 answers for the
    ``.example`` hosts. A request that already has ``meta["proxy"]`` keeps it.
    Scrapy's own ``HttpProxyMiddleware`` (after this one) then applies the proxy.
    """

    def __init__(self, proxy: str) -> None:
        if not proxy:
            raise NotConfigured("NEWSDEDUP_PROXY is not set")
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        return cls(str(crawler.settings.get("NEWSDEDUP_PROXY") or ""))

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)
