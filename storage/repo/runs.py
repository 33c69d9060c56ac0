"""Crawl runs and their counters."""

from __future__ import annotations

import os
import socket

from sqlalchemy.orm import Session

from storage.models import CrawlRun, utcnow

RUN_STATUSES = ("running", "ok", "failed", "interrupted")
COUNTER_FIELDS = (
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "paragraphs",
)
KEYED_COUNTER_FIELDS = ("duplicates", "errors", "http_statuses")


def this_host() -> str:
    """The name of this machine, as recorded on the runs it starts."""
    return socket.gethostname()[:255]


def start_run(session: Session, source_id: int) -> CrawlRun:
    """A new run of source ``source_id`` with status ``running`` (flushed: it has an id).

    The run records the process that runs it: this process's pid and host, so a run
    left ``running`` by a process that is gone can be told apart
    (:func:`storage.repo.runs_query.mark_interrupted`).
    """
    run = CrawlRun(
        source_id=source_id,
        started_at=utcnow(),
        status="running",
        pid=os.getpid(),
        host=this_host(),
        heartbeat_at=utcnow(),
        **dict.fromkeys(COUNTER_FIELDS, 0),
        **{name: {} for name in KEYED_COUNTER_FIELDS},
    )
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: str, message: str | None = None) -> None:
    """Close ``run`` with ``status`` (ok, failed or interrupted) and an optional message.

    Raises:
        ValueError: ``status`` is not a run status.
    """
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; expected one of {RUN_STATUSES}")
    run.status = status
    run.message = message
    run.finished_at = utcnow()
    session.flush()


def bump(run: CrawlRun, field: str, key: str | None = None, n: int = 1) -> None:
    """Add ``n`` to a counter of ``run``.

    Args:
        run: the run.
        field: an int counter (``pages_fetched``, ``articles_new``, ``articles_updated``,
            ``articles_unchanged``, ``paragraphs``) or, with ``key``, a keyed counter
            (``duplicates``, ``errors``, ``http_statuses``).
        key: the key inside a keyed counter, e.g. ``"near_within"`` or ``"404"``.
        n: the increment.

    Raises:
        ValueError: unknown field, or a key missing for a keyed counter (or given for an
            int counter).

    Example:
        >>> run = CrawlRun(pages_fetched=0, http_statuses={})
        >>> bump(run, "pages_fetched"); bump(run, "http_statuses", "200", 2)
        >>> (run.pages_fetched, run.http_statuses)
        (1, {'200': 2})
    """
    validate_counter(field, key)
    if field in COUNTER_FIELDS:
        setattr(run, field, (getattr(run, field) or 0) + n)
    else:
        counts = dict(getattr(run, field) or {})
        counts[str(key)] = int(counts.get(str(key), 0)) + n
        setattr(run, field, counts)  # a new dict, so the change is seen and persisted


def validate_counter(field: str, key: str | None) -> None:
    """Raise what :func:`bump` raises for an unknown counter or a wrong key."""
    if field in COUNTER_FIELDS:
        if key is not None:
            raise ValueError(f"counter {field!r} takes no key (got {key!r})")
    elif field in KEYED_COUNTER_FIELDS:
        if key is None:
            raise ValueError(f"counter {field!r} needs a key")
    else:
        known = COUNTER_FIELDS + KEYED_COUNTER_FIELDS
        raise ValueError(f"unknown run counter {field!r}; expected one of {known}")
