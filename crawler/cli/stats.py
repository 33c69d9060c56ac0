"""`newsdedup stats`: counts of what the database holds."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from crawler.cli.common import database_url, migrated_session

if TYPE_CHECKING:
    from storage.repository import Summary


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "stats",
        help="print counts: sources, runs, pages, articles, paragraphs, duplicates",
        description="Print what the database holds, in total and per source.",
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import DatabaseURLError, describe_error, display_url
    from storage.migrate import NotMigratedError
    from storage.repository import summary

    url = database_url(args)
    try:
        with migrated_session(url) as session:
            result = summary(session)
    except NotMigratedError as exc:
        print(f"newsdedup stats: {exc}", file=sys.stderr)
        return 1
    except (DatabaseURLError, SQLAlchemyError, OSError) as exc:
        print(f"newsdedup stats: {display_url(url)}: {describe_error(exc)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        print(format_summary(result, display_url(url)))
    return 0


def format_summary(result: Summary, where: str | None = None) -> str:
    """The summary as aligned text lines."""
    lines = [] if where is None else [f"Database: {where}"]
    lines += [
        f"Sources:         {result.sources}",
        f"Crawl runs:      {result.runs}{_breakdown(result.runs_by_status)}",
        f"Pages:           {result.pages}{_breakdown(result.pages_by_status)}",
        f"Articles:        {result.articles}",
        f"Paragraphs:      {result.paragraphs}",
        f"Duplicate links: {result.duplicate_links}{_breakdown(result.duplicates_by_kind)}",
    ]
    if result.per_source:
        width = max(len("source"), *(len(s.name) for s in result.per_source))
        lines.append("")
        lines.append(
            f"{'source':<{width}}  {'articles':>8}  {'paragraphs':>10}  {'duplicates':>10}"
        )
        for item in result.per_source:
            lines.append(
                f"{item.name:<{width}}  {item.articles:>8}  {item.paragraphs:>10}"
                f"  {item.duplicates:>10}"
            )
    return "\n".join(lines)


def _breakdown(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{key}: {value}" for key, value in sorted(counts.items())) + ")"
