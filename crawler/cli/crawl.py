"""``newsdedup crawl [SOURCE...]``: crawl configured sources into the database.

Every source named is crawled at once, in this one process (one dedup index, one database
writer: :mod:`crawler.service.runner`). A source that another live process is crawling is
crawled after that run ends (``--trigger schedule``: skipped instead).

Exit codes: 0 every run ok; 1 a run failed (health alert, storage fault) or was
interrupted; 2 bad configuration or arguments; 3 a source was skipped because a run of it
is still going.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url, sources_path


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "crawl",
        help="crawl configured sources into the database",
        description="Crawl the named sources (default: every enabled source) into the "
        "database, extracting articles and flagging duplicate paragraphs.",
    )
    parser.add_argument("names", nargs="*", metavar="SOURCE", help="source names to crawl")
    parser.add_argument(
        "--sources", metavar="PATH", help="sources file (default: config/sources.toml)"
    )
    parser.add_argument("--proxy", metavar="URL", help="send every request through this HTTP proxy")
    parser.add_argument(
        "--trigger",
        default="manual",
        choices=("manual", "schedule"),
        help="recorded with the run (the scheduler passes 'schedule')",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="fetch every page again (no lastmod skipping, no conditional requests)",
    )
    parser.add_argument(
        "--log-level", default=None, help="Scrapy log level (default: NEWSDEDUP_LOG_LEVEL or INFO)"
    )
    parser.add_argument(
        "-s",
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a Scrapy or NEWSDEDUP_* setting for this crawl (repeatable)",
    )
    parser.set_defaults(func=_run)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; ValueError for one without ``=``."""
    result: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, not {pair!r}")
        result[name.strip()] = value
    return result


def _run(args: argparse.Namespace) -> int:
    from crawler.config import ConfigError, load_sources
    from crawler.ingest.recheck import problem
    from crawler.service.runner import run_crawl

    path = sources_path(args)
    try:
        config = load_sources(path)
    except ConfigError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    try:
        overrides = parse_overrides(args.overrides)
    except ValueError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    from crawler import settings
    from crawler.ingest.index_snapshot import snapshot_problem

    reason = problem(overrides.get("NEWSDEDUP_EMBEDDINGS")) or snapshot_problem(
        overrides.get("NEWSDEDUP_INDEX_SNAPSHOT_EVERY", settings.NEWSDEDUP_INDEX_SNAPSHOT_EVERY)
    )
    if reason is not None:
        print(f"newsdedup: {reason}", file=sys.stderr)
        return 2
    by_name = {s.name: s for s in config.sources}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        print(f"newsdedup: {path}: no such source: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = (
        [by_name[n] for n in args.names] if args.names else [s for s in config.sources if s.enabled]
    )
    if not chosen:
        print(f"newsdedup: {path}: no enabled source to crawl", file=sys.stderr)
        return 2
    from crawler.scaleout.config import ScaleOutError

    try:
        reports = run_crawl(
            chosen,
            database_url(args),
            proxy=args.proxy,
            log_level=args.log_level or str(settings.LOG_LEVEL),
            trigger=args.trigger,
            incremental=not args.full,
            # two `newsdedup crawl` of one source at once: the second waits for the first
            wait_busy=args.trigger == "manual",
            overrides=overrides,
        )
    except ScaleOutError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from crawler.service.writer import is_storage_fault, storage_message

        if not is_storage_fault(exc):
            raise
        # the crawl could not start: no run was opened, nothing to record
        print(f"newsdedup: {storage_message(database_url(args), exc)}", file=sys.stderr)
        return 1
    for report in reports:
        detail = f": {report.message}" if report.message else ""
        print(f"{report.source}: run {report.run_id} {report.status}{detail}")
    return exit_code([r.status for r in reports])


def exit_code(statuses: list[str]) -> int:
    """0 when every run is ok; 1 when one failed or was interrupted; 3 when the only
    trouble is a source skipped because it was already running."""
    if all(s == "ok" for s in statuses):
        return 0
    if all(s in ("ok", "skipped") for s in statuses):
        return 3
    return 1
