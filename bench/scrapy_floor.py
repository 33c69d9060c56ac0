"""A bare Scrapy crawl of the benchmark's pages: the floor of any crawl that fetches with Scrapy.

Usage (a child process of ``python -m bench.pipeline_bench --floor``):
    python -m bench.scrapy_floor SITEMAP_URL PROXY_URL [key=value ...]

Crawls every page of a sitemap through the forward proxy with Scrapy's own
``SitemapSpider`` and the settings of ``crawler/settings.py`` that shape Scrapy's work per
response (robots.txt, cookies, ``CONCURRENT_ITEMS``, the reactor), plus the loopback fast
profile (``key=value``: the same ``-s`` values the real crawl gets). It yields one small
item per page, which nothing stores, and prints how many it scraped. No extraction, no
dedup, no SQL: what is left is Scrapy's own work per response (Twisted's HTTP client, the
middleware chains, the scheduler, the item pipeline's tasks), which no change to the
project's code can take away while Scrapy fetches. The parent reads its CPU from
``wait4``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

from crawler import settings as project

#: Settings of ``crawler/settings.py`` that shape Scrapy's own work per response.
PROJECT_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "COOKIES_ENABLED",
    "CONCURRENT_ITEMS",
    "TELNETCONSOLE_ENABLED",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION",
    "TWISTED_REACTOR",
)


def main(argv: list[str]) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response
    from scrapy.spiders import SitemapSpider

    sitemap, proxy, *pairs = argv
    settings: dict[str, Any] = {key: getattr(project, key) for key in PROJECT_SETTINGS}
    settings["LOG_LEVEL"] = "WARNING"
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
