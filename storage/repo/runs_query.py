"""Reading crawl runs back: listings, the last run per source, runs left running."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from storage.models import CrawlRun, Source, utcnow

INTERRUPTED_MESSAGE = "the process running it ended without closing the run"


def list_runs(session: Session, *, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
    """The latest runs, newest first, optionally of one source (by name)."""
    query = (
        select(CrawlRun)
        .options(joinedload(CrawlRun.source))
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit)
    )
    if source is not None:
        query = query.join(Source, CrawlRun.source_id == Source.id).where(Source.name == source)
    return list(session.scalars(query))


def last_runs(session: Session) -> dict[str, CrawlRun]:
    """The latest run of every source that has one, by source name."""
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    rows = session.scalars(
        select(CrawlRun)
        .join(latest, CrawlRun.id == latest.c.run_id)
        .options(joinedload(CrawlRun.source))
    )
    return {run.source.name: run for run in rows}


def running_runs(session: Session, source_id: int | None = None) -> list[CrawlRun]:
    """Runs whose status is still ``running`` (optionally of one source), oldest first."""
    query = select(CrawlRun).where(CrawlRun.status == "running").order_by(CrawlRun.id)
    if source_id is not None:
        query = query.where(CrawlRun.source_id == source_id)
    return list(session.scalars(query))


def mark_interrupted(
    session: Session, is_alive: Callable[[int | None], bool], source_id: int | None = None
) -> list[CrawlRun]:
    """Close as ``interrupted`` every running run whose process is not alive.

    Args:
        session: the session (flushed, not committed).
        is_alive: tells whether the process with a run's ``pid`` still runs.
        source_id: only this source's runs, if given.

    Returns:
        The runs that were closed.
    """
    closed: list[CrawlRun] = []
    for run in running_runs(session, source_id):
        if is_alive(run.pid):
            continue
        run.status = "interrupted"
        run.message = INTERRUPTED_MESSAGE
        run.finished_at = run.heartbeat_at or utcnow()
        closed.append(run)
    session.flush()
    return closed
