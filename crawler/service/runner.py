"""Run crawls of configured sources in this process and record them as crawl runs.

Used by ``newsdedup crawl``, ``newsdedup demo`` and (as a subprocess per crawl)
``newsdedup schedule``. Sources are crawled one after the other in one Twisted reactor,
so each source's crawl compares against everything the previous ones stored. A reactor
cannot be restarted: call :func:`run_crawl` once per process.

For each source, before its crawl starts:

- runs of the source left ``running`` by a process that is gone are closed as
  ``interrupted``; if a run of it is still running in a live process, the source is
  skipped (status ``skipped``): never two runs of one source at once;
- a run row is opened (trigger, pid, heartbeat) and what the database knows of the
  source's pages (lastmod, ETag, Last-Modified) is loaded and given to the spider, so
  unchanged pages are skipped or fetched conditionally (:mod:`crawler.fetch.incremental`).

After it, the run is judged (:mod:`crawler.service.run_health`): ``ok``, ``failed`` (logged as an
ERROR naming the source and the reason) or ``interrupted`` (SIGTERM/SIGINT: Scrapy's
graceful shutdown; the pages already stored stay, and no further source is started).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from crawler.config import SourceConfig
from crawler.fetch.incremental import KnownPage
from crawler.service.alerts import AlertSender, run_alert

log = logging.getLogger(__name__)

STATUS_SKIPPED = "skipped"


class ScrapyLevelFilter(logging.Filter):
    """Drop Scrapy's and Twisted's records below ``level`` (the crawl's ``LOG_LEVEL``)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(("scrapy", "twisted", "py.warnings")):
            return record.levelno >= self.level
        return True


@dataclass
class RunReport:
    source: str
    run_id: int
    status: str
    finish_reason: str | None
    message: str | None = None


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


def crawl_settings(database_url: str, *, proxy: str | None = None, log_level: str = "INFO") -> Any:
    """Scrapy settings for a crawl: the project's settings module plus the given overrides."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("NEWSDEDUP_DATABASE_URL", database_url, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if proxy:
        settings.set("NEWSDEDUP_PROXY", proxy, priority="cmdline")
    return settings


class _RunBook:
    """The database side of a crawl: opening, refusing and closing runs."""

    def __init__(self, database_url: str, trigger: str, alerts: AlertSender | None = None) -> None:
        from storage.db import make_engine, make_session_factory
        from storage.migrate import upgrade

        self.alerts = alerts
        upgrade(database_url)
        self.engine = make_engine(database_url)
        self.factory = make_session_factory(self.engine)
        self.trigger = trigger

    def open(
        self, source: SourceConfig, shared: bool = False
    ) -> tuple[int | None, dict[str, KnownPage], str | None]:
        """Open a run of ``source``: (run id, known pages, None), or (None, {}, why not).

        ``shared``: a worker of a shared crawl, where several runs of one source (one per
        worker, maybe on other machines) run at once: no run is refused or closed.
        """
        from storage import repository as repo
        from storage.models import utcnow
        from storage.repo.incremental import known_pages
        from storage.repo.runs_query import mark_interrupted, running_runs

        with self.factory() as session:
            row = repo.get_or_create_source(session, source.name, list(source.domains))
            for run in [] if shared else mark_interrupted(session, pid_alive, row.id):
                log.warning(
                    "source %s: run %d (pid %s) was left running by a process that is gone; "
                    "marked interrupted",
                    source.name,
                    run.id,
                    run.pid,
                )
            busy = [] if shared else running_runs(session, row.id)
            if busy:
                session.commit()
                other = busy[0]
                return None, {}, f"run {other.id} (pid {other.pid}) of it is still running"
            run = repo.start_run(session, row.id)
            run.trigger = self.trigger
            run.pid = os.getpid()
            run.heartbeat_at = utcnow()
            known = {
                url: KnownPage(lastmod, etag, last_modified)
                for url, (lastmod, etag, last_modified) in known_pages(session, row.id).items()
            }
            session.commit()
            return run.id, known, None

    def close(
        self, source: SourceConfig, run_id: int, finish_reason: str | None, limit: float
    ) -> RunReport:
        """Judge and close a run; log a failure as an ERROR naming source and reason."""
        from crawler.service.run_health import counters_of, judge
        from storage import repository as repo
        from storage.models import CrawlRun

        with self.factory() as session:
            run = session.get(CrawlRun, run_id)
            assert run is not None
            verdict = judge(counters_of(run), finish_reason, limit)
            repo.finish_run(session, run, verdict.status, verdict.reason)
            session.commit()
            summary = (
                f"{run.pages_fetched} pages, {run.articles_new} new, "
                f"{run.articles_updated} updated, {run.articles_unchanged} unchanged"
            )
        if verdict.status == "failed":
            log.error(
                "source %s: run %d FAILED: %s (%s)", source.name, run_id, verdict.reason, summary
            )
        elif verdict.status == "interrupted":
            log.warning("source %s: run %d interrupted: %s", source.name, run_id, verdict.reason)
        else:
            log.info("source %s: run %d ok (%s)", source.name, run_id, summary)
        alert = run_alert(source.name, run_id, verdict.status, verdict.reason, {"summary": summary})
        if alert is not None and self.alerts:
            self.alerts.send(alert)
        return RunReport(source.name, run_id, verdict.status, finish_reason, verdict.reason)

    def dispose(self) -> None:
        if self.alerts:
            self.alerts.wait(timeout=30.0)  # let the alerts of this process go out
        self.engine.dispose()


def run_crawl(
    sources: Sequence[SourceConfig],
    database_url: str,
    *,
    proxy: str | None = None,
    log_level: str = "INFO",
    trigger: str = "manual",
    incremental: bool = True,
) -> list[RunReport]:
    """Crawl ``sources`` into ``database_url`` one after the other; return one report each.

    Args:
        sources: the sources, in crawl order.
        database_url: where to store.
        proxy: an HTTP proxy for every request.
        log_level: Scrapy's log level.
        trigger: recorded with each run (``manual``, ``schedule``, ``demo``).
        incremental: skip or conditionally fetch pages already stored (default).
    """
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.utils.reactor import install_reactor
    from twisted.internet import defer

    from crawler.scaleout.config import prepare_database, shared_redis_url, shared_settings
    from crawler.spiders.source import SourceSpider

    base = crawl_settings(database_url, proxy=proxy, log_level=log_level)
    # A worker of a shared crawl when NEWSDEDUP_REDIS_URL is set (ScaleOutError on SQLite).
    redis_url = shared_redis_url(database_url, base.get("NEWSDEDUP_REDIS_URL"))
    if redis_url:
        # workers starting together migrate and create source rows one at a time
        prepare_database(database_url, [(s.name, s.domains) for s in sources])
    book = _RunBook(database_url, trigger, AlertSender.from_settings(base.get))
    base.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    install_reactor(base["TWISTED_REACTOR"])
    # Scrapy logs its start-up banner while the process is built, before the levels below
    # apply, and its logging setup resets its loggers' levels: filter at the handlers.
    quiet = ScrapyLevelFilter(logging.getLevelName(log_level))
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet)
    process = CrawlerProcess(base)
    # Scrapy's logging setup sets its own loggers to DEBUG; apply the requested level.
    for name in (
        "scrapy",
        "twisted",
        "crawler.spiders",
        "crawler.pipelines",
        "crawler.ingest.ingestor",
    ):
        logging.getLogger(name).setLevel(log_level)
    default_limit = base.getfloat("NEWSDEDUP_MAX_FAILURE_SHARE", 0.5)
    reports: list[RunReport] = []
    # Runs opened and not closed yet: the reactor may stop (SIGTERM) before a crawl's
    # deferred hands control back to crawl_all; those are closed after it stops.
    open_runs: dict[int, tuple[SourceConfig, Crawler]] = {}

    @defer.inlineCallbacks
    def crawl_all() -> Any:
        from twisted.internet import reactor

        try:
            for source in sources:
                run_id, known, refused = book.open(source, shared=bool(redis_url))
                if run_id is None:
                    log.error("source %s: not crawled: %s", source.name, refused)
                    reports.append(RunReport(source.name, 0, STATUS_SKIPPED, None, refused))
                    continue
                settings = base.copy()
                settings.set("NEWSDEDUP_RUN_ID", run_id, priority="cmdline")
                if redis_url:
                    for key, value in shared_settings(source.name, redis_url, base).items():
                        settings.set(key, value, priority="cmdline")
                crawler = Crawler(SourceSpider, settings)
                open_runs[run_id] = (source, crawler)
                log.info(
                    "crawling source %s (run %d, %d pages known)", source.name, run_id, len(known)
                )
                try:
                    yield process.crawl(crawler, source=source, known=known if incremental else {})
                except Exception:
                    log.exception("crawl of source %s failed", source.name)
                reason = None
                if crawler.stats is not None:
                    reason = crawler.stats.get_value("finish_reason")
                del open_runs[run_id]
                reports.append(book.close(source, run_id, reason, _limit(source, default_limit)))
                if reason == "shutdown":
                    log.warning("stopping: no further source is crawled")
                    break
        finally:
            running_reactor: Any = reactor
            if running_reactor.running:
                running_reactor.stop()

    from twisted.internet import reactor as installed_reactor

    # Start crawling once the reactor runs, so that stopping it always works.
    cast(Any, installed_reactor).callWhenRunning(crawl_all)
    process.start(stop_after_crawl=False)
    for run_id, (source, crawler) in open_runs.items():
        stats = crawler.stats
        reason = (stats.get_value("finish_reason") if stats is not None else None) or "shutdown"
        reports.append(book.close(source, run_id, reason, _limit(source, default_limit)))
    book.dispose()
    return reports


def _limit(source: SourceConfig, default: float) -> float:
    """The source's extraction failure share limit, else the setting's."""
    return default if source.max_failure_share is None else source.max_failure_share
