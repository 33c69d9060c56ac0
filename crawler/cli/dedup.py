"""``newsdedup dedup recheck [--dry-run]``: link copies a past bug left unlinked."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "dedup",
        help="maintenance of the duplicate links (recheck: link copies left unlinked)",
        description="Maintenance of the duplicate links and clusters.",
    )
    commands = parser.add_subparsers(dest="dedup_command", metavar="ACTION", required=True)
    recheck = commands.add_parser(
        "recheck",
        help="re-run cross-article dedup over stored articles, without fetching",
        description="Re-run dedup over the stored articles in the order they were first "
        "seen, each against the ones stored before it, and add the duplicate links and "
        "cluster memberships that are missing (copies stored at the same time by crawls "
        "that did not share one index). Links already stored, editors' decisions and "
        "suppressed pairs are kept; running it again changes nothing.",
    )
    recheck.add_argument(
        "--dry-run", action="store_true", help="print what would be linked; change nothing"
    )
    recheck.set_defaults(func=_recheck)


def _recheck(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.cli.status import open_database
    from crawler.ingest.recheck import problem
    from crawler.ingest.relink import NewLinks, recheck_links
    from storage.db import describe_error

    reason = problem()
    if reason is not None:
        print(f"newsdedup: {reason}", file=sys.stderr)
        return 2
    opened = open_database(database_url(args), "dedup recheck")
    if opened is None:
        return 1
    engine, factory = opened
    verb = "would link" if args.dry_run else "linked"

    def show(pair: NewLinks) -> None:
        print(
            f"{verb}: article {pair.article_id} {pair.url} -> article "
            f"{pair.matched_article_id} {pair.matched_url}: {pair.paragraphs} paragraph(s) "
            f"{pair.kind}"
        )

    try:
        report = recheck_links(factory, dry_run=args.dry_run, on_pair=show)
    except SQLAlchemyError as exc:
        print(f"newsdedup dedup recheck: {describe_error(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    links = sum(report.links.values())
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.links.items()))
    print(
        f"rechecked {report.articles} articles: {links} link(s) "
        f"{'would be ' if args.dry_run else ''}added"
        + (f" ({kinds})" if kinds else "")
        + f", {report.cluster_joins} cluster membership(s)"
        + (" (dry run: nothing changed)" if args.dry_run else "")
    )
    return 0
