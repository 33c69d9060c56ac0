"""``newsdedup export``: stream articles as JSON Lines, CSV or Parquet, in constant memory."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from crawler.cli.common import database_url, migrated_session

FORMATS = ("jsonl", "csv", "parquet")


def _since(value: str) -> datetime:
    """``--since``: an ISO 8601 date or datetime; naive means UTC. Stored as naive UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date or datetime: {value!r} (e.g. 2026-11-01 or 2026-11-01T08:00:00Z)"
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="export articles as jsonl, csv or parquet (streamed, constant memory)",
        description="Export articles with their source, cluster, canonical flag and "
        "paragraph counts, in article id order. See docs/schema.md for the columns.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, help="output format")
    parser.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="only articles first stored, or whose text changed, at or after DATE "
        "(ISO 8601; naive times are UTC)",
    )
    parser.add_argument(
        "--canonical-only",
        action="store_true",
        help="one article per story: articles in no cluster and each cluster's original",
    )
    parser.add_argument(
        "--output",
        "-o",
        default="-",
        metavar="FILE",
        help="file to write ('-': standard output, the default; parquet needs a file)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=1000,
        metavar="N",
        help="rows fetched and written per batch (default %(default)s)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.format == "parquet" and args.output == "-":
        print(
            "newsdedup export: parquet needs a seekable file: pass --output FILE.parquet",
            file=sys.stderr,
        )
        return 2
    if args.batch_size < 1:
        print("newsdedup export: --batch-size must be at least 1", file=sys.stderr)
        return 2

    from sqlalchemy.exc import SQLAlchemyError

    from crawler.export import ExportError, export_rows
    from storage.db import DatabaseURLError, describe_error, display_url
    from storage.migrate import NotMigratedError
    from storage.repo.export import EXPORT_COLUMNS, iter_export_rows

    url = database_url(args)
    try:
        with migrated_session(url) as session:
            rows = iter_export_rows(
                session,
                since=args.since,
                canonical_only=args.canonical_only,
                batch_size=args.batch_size,
            )
            count = export_rows(
                rows, args.format, args.output, EXPORT_COLUMNS, batch_rows=args.batch_size
            )
    except BrokenPipeError:  # e.g. `newsdedup export --format jsonl | head`
        sys.stderr.close()
        return 0
    except (NotMigratedError, ExportError) as exc:
        print(f"newsdedup export: {exc}", file=sys.stderr)
        return 1
    except (DatabaseURLError, SQLAlchemyError) as exc:
        print(f"newsdedup export: {display_url(url)}: {describe_error(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"newsdedup export: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    where = "standard output" if args.output == "-" else args.output
    print(f"exported {count} articles as {args.format} to {where}", file=sys.stderr)
    return 0
