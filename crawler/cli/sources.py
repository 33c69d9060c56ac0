"""`newsdedup sources check|list`: validate and show the sources file without crawling."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import sources_path


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sources",
        help="validate or list the configured sources",
        description="Validate or list the sources file (TOML) without crawling.",
    )
    actions = parser.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("check", _check, "validate the file; print each source and its entry points"),
        ("list", _list, "print one line per source: name, enabled, schedule, limits"),
    ):
        action = actions.add_parser(name, help=text, description=text.capitalize() + ".")
        action.add_argument(
            "--sources",
            metavar="PATH",
            help="sources file (default: $NEWSDEDUP_SOURCES or config/sources.toml)",
        )
        action.set_defaults(func=func)


def _load(args: argparse.Namespace) -> Any:
    from crawler.config import ConfigError, load_sources

    try:
        return load_sources(sources_path(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    for source in config.sources:
        state = "enabled" if source.enabled else "disabled"
        print(
            f"{source.name} ({state}; schedule {source.schedule!r}; "
            f"max_pages {source.max_pages}; concurrency {source.concurrency})"
        )
        print(f"  domains: {', '.join(source.domains)}")
        for url in source.feeds:
            print(f"  feed:    {url}")
        for url in source.sitemaps:
            print(f"  sitemap: {url}")
        for listing in source.listings:
            print(f"  listing: {listing.url}  (links matching {listing.article_pattern})")
        for url in source.robots_urls:
            print(f"  robots:  {url}  (the sitemaps it lists)")
    count = len(config.sources)
    print(
        f"{config.origin}: OK, {count} source{'s' if count != 1 else ''} "
        f"({len(config.enabled)} enabled)"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return 1
    for source in config.sources:
        state = "enabled" if source.enabled else "disabled"
        print(
            f"{source.name}\t{state}\t{source.schedule}\t"
            f"max_pages={source.max_pages}\tconcurrency={source.concurrency}"
        )
    return 0
