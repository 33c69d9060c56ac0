"""Judge a finished crawl run: ok, failed (with the reason) or interrupted.

Plain Python: works on the run's counters, not on the database. A run fails when
Scrapy did not finish normally, when the source yielded no articles at all (new,
updated or unchanged), or when the share of fetched pages whose extraction failed is
over the limit (setting ``NEWSDEDUP_MAX_FAILURE_SHARE``, or the source's
``max_failure_share`` in sources.toml).

The share is failures / pages seen, where the pages seen are the fetched pages counted
in ``pages_fetched`` plus those whose ingest failed (``ingest_error``: their transaction
was rolled back, so their ``pages_fetched`` count went with it). So it never exceeds
100 %.

Runs left ``running`` by a process that is gone are closed by :func:`close_gone_runs`
(what "gone" means: :mod:`storage.repo.runs_query`).

Example:
    >>> counters = RunCounters(pages_fetched=10, articles=3, extraction_failures=7)
    >>> judge(counters, "finished", max_failure_share=0.5).reason
    'extraction failed on 7 of 10 pages (70%), over the limit of 50%'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.extract.model import STATUS_OK, STATUSES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "EXTRACTION_FAILURES",
    "INGEST_ERROR",
    "RunCounters",
    "Verdict",
    "close_gone_runs",
    "counters_of",
    "judge",
]

log = logging.getLogger(__name__)

#: The ``errors`` key of a fetched page whose ingest raised (its transaction rolled back).
INGEST_ERROR = "ingest_error"
#: Keys of a run's ``errors`` counter that are failed extractions of a fetched page.
EXTRACTION_FAILURES = frozenset(s for s in STATUSES if s != STATUS_OK) | {INGEST_ERROR}


@dataclass(frozen=True)
class RunCounters:
    """The counters of a run that its health depends on."""

    pages_fetched: int = 0
    articles: int = 0
    extraction_failures: int = 0
    http_statuses: Mapping[str, int] = field(default_factory=dict)
    ingest_errors: int = 0  # pages not counted in pages_fetched (rolled back)

    @property
    def pages_seen(self) -> int:
        """Fetched pages, those whose ingest failed included."""
        return self.pages_fetched + self.ingest_errors


@dataclass(frozen=True)
class Verdict:
    """A run's final status (``ok``, ``failed`` or ``interrupted``) and why."""

    status: str
    reason: str | None = None


def counters_of(run: Any) -> RunCounters:
    """:class:`RunCounters` from a ``CrawlRun`` row (or anything with its attributes)."""
    errors: Mapping[str, Any] = run.errors or {}
    return RunCounters(
        pages_fetched=int(run.pages_fetched or 0),
        articles=int(
            (run.articles_new or 0) + (run.articles_updated or 0) + (run.articles_unchanged or 0)
        ),
        extraction_failures=sum(int(v) for k, v in errors.items() if k in EXTRACTION_FAILURES),
        http_statuses={str(k): int(v) for k, v in (run.http_statuses or {}).items()},
        ingest_errors=int(errors.get(INGEST_ERROR, 0)),
    )


def judge(counters: RunCounters, finish_reason: str | None, max_failure_share: float) -> Verdict:
    """The verdict on a finished run.

    Args:
        counters: the run's counters.
        finish_reason: Scrapy's finish reason (``finished``, ``shutdown``, ...); None when
            the crawl did not start.
        max_failure_share: the most extraction failures per fetched page (0..1) a healthy
            run may have.
    """
    if finish_reason == "shutdown":
        return Verdict("interrupted", "stopped by a signal before the crawl finished")
    if finish_reason != "finished":
        return Verdict("failed", f"crawl ended: {finish_reason or 'did not start'}")
    if counters.articles == 0:
        return Verdict("failed", "the source yielded no articles" + _statuses(counters))
    pages = max(counters.pages_seen, counters.extraction_failures)  # never above 100 %
    if pages:
        share = counters.extraction_failures / pages
        if share > max_failure_share:
            return Verdict(
                "failed",
                f"extraction failed on {counters.extraction_failures} of "
                f"{pages} pages ({share:.0%}), over the limit of "
                f"{max_failure_share:.0%}",
            )
    return Verdict("ok")


def close_gone_runs(factory: sessionmaker[Session], source_id: int | None = None) -> list[Any]:
    """Mark ``interrupted`` the runs left ``running`` by a process that is gone.

    Reads first (no write lock while nothing is to be done); when some run is gone, closes
    it in a writing transaction (:func:`storage.db.retrying`) and logs a WARNING per run.

    Args:
        factory: the database's session factory.
        source_id: only this source's runs, if given.

    Returns:
        The runs closed (detached ``CrawlRun`` rows).
    """
    from storage.db import retrying
    from storage.repo.runs_query import gone_runs, mark_interrupted

    with factory() as session:
        if not gone_runs(session, source_id=source_id):
            return []
    closed = retrying(factory, lambda session: mark_interrupted(session, source_id=source_id))
    for run in closed:
        log.warning(
            "run %d (source id %d) marked interrupted: %s", run.id, run.source_id, run.message
        )
    return closed


def _statuses(counters: RunCounters) -> str:
    bad = {k: v for k, v in sorted(counters.http_statuses.items()) if not k.startswith(("2", "3"))}
    if not bad:
        return ""
    return " (HTTP " + ", ".join(f"{k} x{v}" for k, v in bad.items()) + ")"
