"""``newsdedup demo``: serve the bundled sample site, crawl it, print what was found."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="crawl the bundled sample site into the database and print a summary",
        description="Serve the bundled sample site (three made-up publishers) on 127.0.0.1 "
        "on a free port, crawl it into the database (default: the SQLite file "
        "newsdedup.db) and print what was found.",
    )
    parser.add_argument(
        "--quiet-crawl",
        action="store_true",
        default=True,
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="Scrapy log level during the crawl (default WARNING)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from crawler.config import load_sources_text
    from crawler.dedup.warmup import warm_up
    from crawler.demo.server import serve_sample_site
    from crawler.demo.summary import print_summary
    from crawler.service.runner import run_crawl

    url = database_url(args)
    print("newsdedup demo: preparing the dedup engine (compiled once after install, then cached)")
    print(f"dedup engine ready in {warm_up():.1f} s")
    with serve_sample_site() as site:
        config = load_sources_text(site.sources_toml(), "<sample site>")
        print(f"newsdedup demo: sample site served through {site.proxy_url}")
        print(f"crawling {len(config.sources)} sources into {url} ...")
        reports = run_crawl(config.sources, url, proxy=site.proxy_url, log_level=args.log_level)
        return print_summary(url, reports, site)
