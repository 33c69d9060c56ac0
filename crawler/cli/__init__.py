"""The ``newsdedup`` command line. Each command lives in its own module with a
``register(subparsers)`` function that adds its parser and sets ``func``.
Heavy imports happen inside the command functions, so ``--help`` stays fast."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "crawler.cli.crawl",
    "crawler.cli.schedule",
    "crawler.cli.runs",
    "crawler.cli.status",
    "crawler.cli.demo",
    "crawler.cli.db",
    "crawler.cli.sources",
    "crawler.cli.stats",
    "crawler.cli.extract",
    "crawler.cli.reextract",
    "crawler.cli.dedup",
    "crawler.cli.index",
    "crawler.cli.boilerplate",
    "crawler.cli.serve",
    "crawler.cli.users",
    "crawler.cli.evaluate",
    "crawler.cli.export",
    "crawler.cli.tokens",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdedup",
        description="Crawl syndicated tech news, extract article bodies, flag duplicates.",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy database URL (default: $NEWSDEDUP_DATABASE_URL or sqlite:///newsdedup.db)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log debug messages, and Scrapy's start-up banner, settings and components",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        # Alembic's INFO chatter (plugins, migration context) stays out of every command,
        # and so do Scrapy's banner, settings dump and component lists (shown with -v).
        from crawler.service.logs import quiet_banner

        logging.getLogger("alembic").setLevel(logging.WARNING)
        quiet_banner()
    code: int = args.func(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
