"""Run SourceSpider for some sources in this process and write the items as JSON lines.

Used by the loopback crawl test in a subprocess (a Twisted reactor cannot restart):

    python tests/crawl/crawl_helper.py SOURCES_TOML PROXY_URL OUT_JSONL NAME [NAME ...]

Each line of OUT_JSONL describes one item (body replaced by its length and a prefix).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.items import FetchedPage
from crawler.spiders.source import SourceSpider


def main(argv: list[str]) -> int:
    sources, proxy, out, *names = argv
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(
        {
            "NEWSDEDUP_SOURCES": sources,
            "NEWSDEDUP_PROXY": proxy,
            "ITEM_PIPELINES": {},
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "INFO",
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    rows: list[dict[str, Any]] = []

    def collect(item: FetchedPage, **_: Any) -> None:
        rows.append(
            {
                "source": item.source,
                "url": item.url,
                "final_url": item.final_url,
                "status": item.status,
                "headers": item.headers,
                "body_len": len(item.body),
                "body_start": item.body[:15].decode("utf-8", "replace"),
                "discovered_via": item.discovered_via,
                "lastmod": item.lastmod,
            }
        )

    for name in names:
        crawler = process.create_crawler(SourceSpider)
        crawler.signals.connect(collect, signal=signals.item_scraped)
        process.crawl(crawler, source=name)
    process.start()
    with open(out, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
