"""``newsdedup status``: per source, its last run, its health and its next scheduled time."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url, sources_path


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "status",
        help="per source: last run, health, next scheduled crawl",
        description="Show, for every configured source, its last crawl run, whether that "
        "run was healthy, and when the scheduler runs it next (UTC).",
    )
    parser.add_argument(
        "--sources", metavar="PATH", help="sources file (default: config/sources.toml)"
    )
    parser.set_defaults(func=_run)


def open_database(url: str, command: str) -> tuple[Any, Any] | None:
    """(engine, session factory) of an existing, migrated database; None after printing
    why not."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import DatabaseURLError, make_engine, make_session_factory, sqlite_path
    from storage.migrate import NotMigratedError, ensure_current

    try:
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise NotMigratedError(f"database file {path} does not exist: run a crawl first")
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as session:
            ensure_current(session.connection())
    except NotMigratedError as exc:
        print(f"newsdedup {command}: {exc}", file=sys.stderr)
        return None
    except (DatabaseURLError, SQLAlchemyError, OSError) as exc:
        print(f"newsdedup {command}: cannot read the database: {exc}", file=sys.stderr)
        return None
    return engine, factory


def health(run: Any, gone: str | None = None) -> str:
    """A one-word health of a source from its last run, with the reason when not ok.

    Args:
        run: the last run (None: never crawled).
        gone: why the process of a ``running`` run is gone (it is then reported
            interrupted, never running).
    """
    if run is None:
        return "never crawled"
    if run.status == "ok":
        return "healthy"
    if run.status == "running":
        if gone is not None:
            return f"INTERRUPTED: {gone}"
        return f"running (pid {run.pid} on {run.host or 'this host'})"
    return f"{run.status.upper()}: {run.message or 'no reason recorded'}"


def close_gone_runs_or_warn(factory: Any, command: str) -> None:
    """Mark runs whose process is gone as interrupted; on a database that cannot be
    written, say so on stderr (the listing still reports them as interrupted)."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.service.run_health import close_gone_runs
    from storage.db import describe_error

    try:
        for run in close_gone_runs(factory):
            print(f"newsdedup {command}: run {run.id}: {run.message}: marked interrupted")
    except SQLAlchemyError as exc:
        print(
            f"newsdedup {command}: could not mark gone runs interrupted: {describe_error(exc)}",
            file=sys.stderr,
        )


def _run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from crawler.config import ConfigError, load_sources
    from crawler.service.scheduler import due_times
    from storage import repository as repo
    from storage.models import utcnow
    from storage.repo.runs_query import gone_reason, last_runs
    from storage.repo.schedule import schedule_states

    path = sources_path(args)
    try:
        config = load_sources(path)
    except ConfigError as exc:
        print(f"newsdedup: {exc}", file=sys.stderr)
        return 2
    opened = open_database(database_url(args), "status")
    if opened is None:
        return 1
    engine, factory = opened
    try:
        close_gone_runs_or_warn(factory, "status")
        with factory() as session:
            runs = last_runs(session)
            states = schedule_states(session)
            stored: dict[str, datetime | None] = {}
            for source in config.sources:
                row = repo.get_source(session, source.name)
                if row is not None and row.id in states:
                    stored[source.name] = states[row.id].next_due_at
    finally:
        engine.dispose()
    due = due_times(config.sources, stored, utcnow())
    unhealthy = 0
    for source in config.sources:
        run = runs.get(source.name)
        last = (
            f"run {run.id} {run.status} at {run.started_at.isoformat(sep=' ', timespec='minutes')}"
            f" ({run.articles_new} new, {run.articles_updated} updated, "
            f"{run.articles_unchanged} unchanged)"
            if run is not None
            else "no run yet"
        )
        gone = gone_reason(run) if run is not None and run.status == "running" else None
        state = health(run, gone)
        if run is not None and (run.status in ("failed", "interrupted") or gone is not None):
            unhealthy += 1
        nxt = (
            due[source.name].isoformat(sep=" ", timespec="minutes") + " UTC"
            if source.enabled
            else "not scheduled (disabled)"
        )
        print(f"{source.name}")
        print(f"    last:   {last}")
        print(f"    health: {state}")
        print(f"    next:   {nxt}  [{source.schedule}]")
    return 1 if unhealthy else 0
