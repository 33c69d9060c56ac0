"""``newsdedup runs [--source S] [--limit N]``: list recorded crawl runs, newest first;
``newsdedup runs --errors RUN``: the bad inputs one run met, one line per URL and kind."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Mapping
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "runs",
        help="list crawl runs: status, counts, duplicates, errors, HTTP statuses",
        description="List recorded crawl runs, newest first.",
    )
    parser.add_argument("--source", metavar="NAME", help="only runs of this source")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N (20)")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    parser.add_argument(
        "--errors",
        type=int,
        metavar="RUN",
        help="list the bad inputs of run RUN (feeds, sitemaps, robots.txt, redirect loops, "
        "timeouts, refused requests, HTTP errors), one line per URL and kind",
    )
    parser.set_defaults(func=_run)


def counts(values: Mapping[str, Any] | None) -> str:
    """``{"200": 4, "304": 1}`` as ``200:4 304:1`` (``-`` when empty)."""
    if not values:
        return "-"
    return " ".join(f"{k}:{v}" for k, v in sorted(values.items()))


def run_dict(run: Any) -> dict[str, Any]:
    """A crawl run as plain data."""
    return {
        "id": run.id,
        "source": run.source.name,
        "status": run.status,
        "trigger": run.trigger,
        "pid": run.pid,
        "host": run.host,
        "started_at": run.started_at.isoformat(sep=" ", timespec="seconds"),
        "finished_at": (
            run.finished_at.isoformat(sep=" ", timespec="seconds") if run.finished_at else None
        ),
        "pages_fetched": run.pages_fetched,
        "articles_new": run.articles_new,
        "articles_updated": run.articles_updated,
        "articles_unchanged": run.articles_unchanged,
        "paragraphs": run.paragraphs,
        "duplicates": dict(run.duplicates or {}),
        "errors": dict(run.errors or {}),
        "http_statuses": dict(run.http_statuses or {}),
        "message": run.message,
    }


def _run(args: argparse.Namespace) -> int:
    from crawler.cli.status import close_gone_runs_or_warn, open_database

    if args.limit < 1:
        print("newsdedup runs: --limit must be at least 1", file=sys.stderr)
        return 2
    from storage.repo.runs_query import list_runs

    opened = open_database(database_url(args), "runs")
    if opened is None:
        return 1
    engine, factory = opened
    if args.errors is not None:
        try:
            return _errors(factory, args.errors, as_json=args.json)
        finally:
            engine.dispose()
    try:
        if not args.json:
            close_gone_runs_or_warn(factory, "runs")
        else:  # keep stdout pure JSON
            with contextlib.redirect_stdout(sys.stderr):
                close_gone_runs_or_warn(factory, "runs")
        with factory() as session:
            rows = [run_dict(r) for r in list_runs(session, source=args.source, limit=args.limit)]
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no crawl runs recorded" + (f" for source {args.source}" if args.source else ""))
        return 0
    for row in rows:
        print(
            f"run {row['id']:<5} {row['source']:<16} {row['status']:<11} {row['trigger']:<8} "
            f"{row['started_at']} -> {row['finished_at'] or '...'}"
            f"  (pid {row['pid']} on {row['host'] or '?'})"
        )
        print(
            f"    pages {row['pages_fetched']}  articles new {row['articles_new']} "
            f"updated {row['articles_updated']} unchanged {row['articles_unchanged']}  "
            f"paragraphs {row['paragraphs']}"
        )
        print(
            f"    duplicates {counts(row['duplicates'])}  errors {counts(row['errors'])}  "
            f"http {counts(row['http_statuses'])}"
        )
        if row["message"]:
            print(f"    {row['message']}")
    return 0


def problem_dict(problem: Any) -> dict[str, Any]:
    """A recorded bad input as plain data."""
    return {
        "run_id": problem.run_id,
        "url": problem.url,
        "kind": problem.kind,
        "reason": problem.reason,
        "attempts": problem.attempts,
        "first_seen_at": problem.first_seen_at.isoformat(sep=" ", timespec="seconds"),
        "last_seen_at": problem.last_seen_at.isoformat(sep=" ", timespec="seconds"),
    }


def _errors(factory: Any, run_id: int, *, as_json: bool) -> int:
    from storage.models import CrawlRun
    from storage.repo.problems import run_problems

    with factory() as session:
        if session.get(CrawlRun, run_id) is None:
            print(f"newsdedup runs: no crawl run {run_id}", file=sys.stderr)
            return 1
        rows = [problem_dict(p) for p in run_problems(session, run_id)]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"run {run_id}: no bad input recorded")
        return 0
    print(f"run {run_id}: {len(rows)} bad input(s)")
    for row in rows:
        times = f" (x{row['attempts']})" if row["attempts"] > 1 else ""
        print(f"  {row['kind']:<16} {row['url']}{times}")
        print(f"      {row['reason']}")
    return 0
