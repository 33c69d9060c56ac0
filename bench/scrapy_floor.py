"""A bare Scrapy crawl of the benchmark's pages: the floor of any crawl that fetches with Scrapy.

Usage (a child process of ``python -m bench.pipeline_bench --floor``):
    python -m bench.scrapy_floor SITEMAP_URL PROXY_URL [key=value ...]

Crawls every page of a sitemap through the forward proxy with Scrapy's own
``SitemapSpider``, the project's reactor and the settings of the loopback fast profile
(``key=value``: the same ``-s`` values the real crawl gets; robots.txt on, cookies off,
``CONCURRENT_ITEMS`` as in ``crawler/settings.py``), yields one small item per page, which
nothing stores, and prints how many it scraped. No extraction, no dedup, no SQL: what is
left is Scrapy's own work per response (Twisted's HTTP client, the middleware chains, the
scheduler, the item pipeline's tasks), which no change to the project's code can take away
while Scrapy fetches. The parent reads its CPU from ``wait4``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

#: Settings of ``crawler/settings.py`` that shape Scrapy's own work per response.
PROJECT_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "COOKIES_ENABLED": False,
    "CONCURRENT_ITEMS": 16,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
}


def main(argv: list[str]) -> int:
    import os

    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response
    from scrapy.spiders import SitemapSpider

    sitemap, proxy, *pairs = argv
    settings: dict[str, Any] = dict(PROJECT_SETTINGS)
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not key.startswith("NEWSDEDUP_"):
            settings[key] = value

    class BareSpider(SitemapSpider):
        name = "bare"
        sitemap_urls = [sitemap]  # noqa: RUF012 (Scrapy's own attribute, set per class)

        def parse(self, response: Response, **kwargs: Any) -> Iterator[dict[str, Any]]:
            yield {"url": response.url, "bytes": len(response.body)}

    # Scrapy's HttpProxyMiddleware reads the proxy from the environment when it starts
    os.environ["http_proxy"] = proxy
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    sys.stdout.write(f"items: {crawler.stats.get_value('item_scraped_count', 0)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
