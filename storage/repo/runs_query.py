"""Reading crawl runs back: listings, the last run per source, runs left running.

A run records the pid and host of its process. A run still ``running`` is *gone* (and
:func:`mark_interrupted` closes it as ``interrupted``) when:

- it ran on this host (or recorded no host: runs from before the host was recorded)
  and no process with its pid runs here any more (kill -9, a crash, a reboot); or
- it ran on another host, whose pid cannot be checked from here, and its heartbeat
  (written with every page it stores) is older than :data:`REMOTE_HEARTBEAT_LIMIT`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from storage.models import CrawlRun, Source, utcnow
from storage.repo.runs import this_host

INTERRUPTED_MESSAGE = "the process running it ended without closing the run"
#: A run of another host with no heartbeat for this long counts as gone.
REMOTE_HEARTBEAT_LIMIT = timedelta(minutes=30)

PidCheck = Callable[[int | None], bool]


def local_pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (None: unknown, taken as gone)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    return True


def gone_reason(
    run: CrawlRun,
    *,
    pid_alive: PidCheck = local_pid_alive,
    host: str | None = None,
    now: datetime | None = None,
    heartbeat_limit: timedelta = REMOTE_HEARTBEAT_LIMIT,
) -> str | None:
    """Why the process of a ``running`` run is gone, or None while it may still run.

    Args:
        run: the run.
        pid_alive: checks a pid on this machine.
        host: this machine's name (default: :func:`storage.repo.runs.this_host`).
        now: naive UTC now.
        heartbeat_limit: how old the heartbeat of another host's run may be.
    """
    host = host or this_host()
    if run.host is not None and run.host != host:
        last = run.heartbeat_at or run.started_at
        age = (now or utcnow()) - last
        if age <= heartbeat_limit:
            return None
        minutes = int(age.total_seconds() // 60)
        return (
            f"no heartbeat from its process (pid {run.pid} on {run.host}) for {minutes} min "
            f"(limit {int(heartbeat_limit.total_seconds() // 60)} min)"
        )
    if pid_alive(run.pid):
        return None
    where = f" on {run.host}" if run.host else ""
    return f"{INTERRUPTED_MESSAGE} (pid {run.pid}{where} is gone)"


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


def gone_runs(
    session: Session,
    is_alive: PidCheck | None = None,
    source_id: int | None = None,
    *,
    host: str | None = None,
    now: datetime | None = None,
) -> list[tuple[CrawlRun, str]]:
    """The runs still ``running`` whose process is gone, each with why (reads only)."""
    found: list[tuple[CrawlRun, str]] = []
    for run in running_runs(session, source_id):
        reason = gone_reason(run, pid_alive=is_alive or local_pid_alive, host=host, now=now)
        if reason is not None:
            found.append((run, reason))
    return found


def mark_interrupted(
    session: Session,
    is_alive: PidCheck | None = None,
    source_id: int | None = None,
    *,
    host: str | None = None,
    now: datetime | None = None,
) -> list[CrawlRun]:
    """Close as ``interrupted`` every running run whose process is gone (see the module).

    Args:
        session: the session (flushed, not committed).
        is_alive: tells whether a pid of this host still runs (default: ``os.kill(pid, 0)``).
        source_id: only this source's runs, if given.
        host: this host's name (default: :func:`storage.repo.runs.this_host`).
        now: naive UTC now.

    Returns:
        The runs that were closed (their message says why).
    """
    closed: list[CrawlRun] = []
    for run, reason in gone_runs(session, is_alive, source_id, host=host, now=now):
        run.status = "interrupted"
        run.message = reason
        run.finished_at = run.heartbeat_at or utcnow()
        closed.append(run)
    session.flush()
    return closed
