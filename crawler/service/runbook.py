"""The one run book: opening, refusing, counting and closing crawl runs.

Shared by ``newsdedup crawl``/``schedule``/``demo`` (:mod:`crawler.service.runner`, which
opens a run before a source's crawl and closes it after) and by the pipeline of a plain
``scrapy crawl`` (:mod:`crawler.pipelines`, which opens and closes its own). Every method
writes, so the crawl service calls them on its writer thread
(:mod:`crawler.service.writer`); each is one serialized writing transaction
(:func:`storage.db.retrying` with ``serialized=True``, as the writer's batches).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from crawler.fetch.incremental import KnownPage
from storage.db import retrying

# Run verdicts are logged under the runner's name, as before the run book had a module.
log = logging.getLogger("crawler.service.runner")

STATUS_SKIPPED = "skipped"


@dataclass
class RunReport:
    source: str
    run_id: int
    status: str
    finish_reason: str | None
    message: str | None = None


@dataclass
class OpenedRun:
    """A run that was opened, or why it was not (``run_id`` None, ``refused`` set)."""

    source_id: int
    run_id: int | None
    known: dict[str, KnownPage]
    refused: str | None = None


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (None: unknown, taken as gone)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunBook:
    """The database side of crawls: runs opened, refused, counted and closed."""

    def __init__(self, factory: sessionmaker[Session], trigger: str = "manual") -> None:
        self.factory = factory
        self.trigger = trigger

    def open(
        self,
        name: str,
        domains: list[str],
        *,
        shared: bool = False,
        refuse_busy: bool = True,
        load_known: bool = True,
        trigger: str | None = None,
    ) -> OpenedRun:
        """Open a run of source ``name``.

        Runs of it left ``running`` by a process that is gone are closed as
        ``interrupted``. ``refuse_busy``: while a run of it is still going in a live
        process, nothing is opened (``refused`` says why). ``shared``: a worker of a
        shared crawl, where several runs of one source run at once: nothing is refused
        (runs whose process is gone are closed all the same). ``load_known``: what the
        database knows of its pages (lastmod, ETag, Last-Modified), for incremental
        crawling.
        """
        from storage import repository as repo
        from storage.models import utcnow
        from storage.repo.incremental import known_pages
        from storage.repo.runs_query import mark_interrupted, running_runs

        def work(session: Session) -> OpenedRun:
            row = repo.get_or_create_source(session, name, domains)
            # Also for workers of a shared crawl: a run of a live worker (its pid here, or
            # a fresh heartbeat from another host) is never closed (runs_query).
            for run in mark_interrupted(session, pid_alive, row.id):
                log.warning("source %s: run %d marked interrupted: %s", name, run.id, run.message)
            busy = [] if shared or not refuse_busy else running_runs(session, row.id)
            if busy:
                other = busy[0]
                why = f"run {other.id} (pid {other.pid}) of it is still running"
                return OpenedRun(row.id, None, {}, why)
            run = repo.start_run(session, row.id)
            run.trigger = trigger or self.trigger
            run.pid = os.getpid()
            run.heartbeat_at = utcnow()
            known: dict[str, KnownPage] = {}
            if load_known:
                known = {
                    url: KnownPage(lastmod, etag, last_modified)
                    for url, (lastmod, etag, last_modified) in known_pages(session, row.id).items()
                }
            session.flush()
            return OpenedRun(row.id, run.id, known)

        return retrying(self.factory, work, serialized=True)

    @staticmethod
    def count_error(session: Session, run_id: int, kind: str) -> None:
        """Count one error of ``kind`` on the run (in the caller's transaction)."""
        from storage import repository as repo
        from storage.models import CrawlRun

        run = session.get(CrawlRun, run_id)
        if run is not None:
            repo.bump(run, "errors", kind)

    def close(
        self,
        name: str,
        run_id: int,
        finish_reason: str | None,
        limit: float,
        *,
        http: Mapping[str, int] | None = None,
        errors: Mapping[str, int] | None = None,
        fault: str | None = None,
    ) -> RunReport:
        """Add the crawl's HTTP status and error counts, judge and close the run.

        A failure is logged as an ERROR naming source and reason; ``fault`` (a storage
        fault stopped the crawl) closes it ``failed`` with that reason, logged once by
        the writer already.
        """
        from crawler.service.run_health import counters_of, judge
        from storage import repository as repo
        from storage.models import CrawlRun

        def work(session: Session) -> tuple[str, str | None, str]:
            run = session.get(CrawlRun, run_id)
            assert run is not None
            for code, count in (http or {}).items():
                repo.bump(run, "http_statuses", code, n=count)
            for kind, count in (errors or {}).items():
                repo.bump(run, "errors", kind, n=count)
            reason: str | None
            if fault is not None:
                status, reason = "failed", fault
            else:
                verdict = judge(counters_of(run), finish_reason, limit)
                status, reason = verdict.status, verdict.reason
            repo.finish_run(session, run, status, reason)
            summary = (
                f"{run.pages_fetched} pages, {run.articles_new} new, "
                f"{run.articles_updated} updated, {run.articles_unchanged} unchanged"
            )
            return status, reason, summary

        status, reason, summary = retrying(self.factory, work, serialized=True)
        if fault is not None:
            log.info("source %s: run %d recorded failed (%s)", name, run_id, summary)
        elif status == "failed":
            log.error("source %s: run %d FAILED: %s (%s)", name, run_id, reason, summary)
        elif status == "interrupted":
            log.warning("source %s: run %d interrupted: %s", name, run_id, reason)
        else:
            log.info("source %s: run %d ok (%s)", name, run_id, summary)
        return RunReport(name, run_id, status, finish_reason, reason)


def crawl_counters(stats: Mapping[str, object]) -> tuple[dict[str, int], dict[str, int]]:
    """HTTP status and download error counts of one crawl, from its Scrapy stats."""
    prefix = "downloader/response_status_count/"
    statuses = {k[len(prefix) :]: _int(v) for k, v in stats.items() if k.startswith(prefix)}
    errors = {
        k.rsplit("/", 1)[-1]: _int(v)
        for k, v in stats.items()
        if k.startswith("downloader/exception_type_count/")
        # requests Scrapy chose not to send (robots.txt, offsite) are not errors
        and not k.endswith(".IgnoreRequest")
    }
    return statuses, errors


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float | str) else 0
