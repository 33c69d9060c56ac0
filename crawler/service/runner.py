"""Run crawls of configured sources in this process, all at once, and record their runs.

Used by ``newsdedup crawl``, ``newsdedup demo`` and ``newsdedup schedule``. One process
has one Twisted reactor, one Scrapy :class:`~scrapy.crawler.CrawlerProcess` (a
``CrawlerRunner`` that owns the reactor) and one crawl service
(:mod:`crawler.service.crawl_service`: one dedup index, one database writer). Every source
given is crawled **concurrently**: one Scrapy crawler per source, started on the running
reactor, all handing their pages to the same writer, so a page is checked against every
page stored before it, whichever source fetched it. ``newsdedup schedule`` starts crawlers
on the same reactor as sources fall due (:class:`ServiceRunner.crawl`).

For each source, before its crawl starts (on the writer thread, :mod:`crawler.service.runbook`):

- runs of the source left ``running`` by a process that is gone are closed as
  ``interrupted``; if a run of it is still running in a live process, the source is
  skipped (status ``skipped``) or, with ``wait_busy`` (``newsdedup crawl``), crawled once
  that run has ended: never two runs of one source at once;
- a run row is opened (trigger, pid, heartbeat) and what the database knows of the
  source's pages (lastmod, ETag, Last-Modified) is loaded and given to the spider, so
  unchanged pages are skipped or fetched conditionally (:mod:`crawler.fetch.incremental`).

After it, the run is judged (:mod:`crawler.service.run_health`): ``ok``, ``failed`` (logged
as an ERROR naming the source and the reason; a storage fault stops every crawl and fails
every run, :mod:`crawler.service.writer`) or ``interrupted`` (SIGTERM/SIGINT: every crawl
stops gracefully; the pages already stored stay). A second SIGTERM/SIGINT stops at once.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from crawler.config import SourceConfig
from crawler.service.alerts import AlertSender, run_alert
from crawler.service.heap import crawl_heap
from crawler.service.runbook import STATUS_SKIPPED, OpenedRun, RunReport, pid_alive

__all__ = [
    "STATUS_SKIPPED",
    "RunReport",
    "ScrapyLevelFilter",
    "ServiceRunner",
    "crawl_settings",
    "pid_alive",
    "run_crawl",
]

log = logging.getLogger(__name__)

#: Seconds between looks at a source busy in another process (``wait_busy``).
BUSY_POLL = 2.0


class ScrapyLevelFilter(logging.Filter):
    """Drop Scrapy's and Twisted's records below ``level`` (the crawl's ``LOG_LEVEL``)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(("scrapy", "twisted", "py.warnings")):
            return record.levelno >= self.level
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


class ServiceRunner:
    """The crawl side of one process: its reactor, its crawl service, its runs.

    Build it before the reactor runs (it installs the reactor, migrates the database and
    loads the dedup index); call :meth:`crawl` on the running reactor for each source,
    :meth:`start` to run the reactor, and :meth:`finish` once it stopped.
    """

    def __init__(
        self,
        database_url: str,
        *,
        proxy: str | None = None,
        log_level: str = "INFO",
        trigger: str = "manual",
        incremental: bool = True,
        wait_busy: bool = False,
        sources: Sequence[SourceConfig] = (),
        overrides: dict[str, Any] | None = None,
    ) -> None:
        from scrapy.crawler import CrawlerProcess
        from scrapy.utils.reactor import install_reactor

        from crawler.scaleout.config import prepare_database, shared_redis_url
        from crawler.service.crawl_service import CrawlService

        base = crawl_settings(database_url, proxy=proxy, log_level=log_level)
        for key, value in (overrides or {}).items():
            base.set(key, value, priority="cmdline")
        # A worker of a shared crawl when NEWSDEDUP_REDIS_URL is set (ScaleOutError on SQLite).
        self.redis_url = shared_redis_url(database_url, base.get("NEWSDEDUP_REDIS_URL"))
        if self.redis_url:
            # workers starting together migrate and create source rows one at a time
            prepare_database(database_url, [(s.name, s.domains) for s in sources])
        base.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
        install_reactor(base["TWISTED_REACTOR"])
        # Scrapy logs its start-up banner while the process is built, before the levels
        # below apply, and its logging setup resets its loggers' levels: filter at the
        # handlers.
        quiet = ScrapyLevelFilter(logging.getLevelName(log_level))
        for handler in logging.getLogger().handlers:
            handler.addFilter(quiet)
        self.process = CrawlerProcess(base)
        # Scrapy's logging setup sets its own loggers to DEBUG; apply the requested level.
        for name in (
            "scrapy",
            "twisted",
            "crawler.spiders",
            "crawler.pipelines",
            "crawler.ingest.ingestor",
        ):
            logging.getLogger(name).setLevel(log_level)
        self.base = base
        self.incremental = incremental
        self.wait_busy = wait_busy
        self.default_limit = base.getfloat("NEWSDEDUP_MAX_FAILURE_SHARE", 0.5)
        self.service = CrawlService.open(database_url, base, trigger)
        # webhook alerts of failed runs (crawler.service.alerts); off without URLs
        try:
            self.alerts = AlertSender.from_settings(base.get)
        except ValueError as exc:  # a bad URL: said once, the crawl goes on without alerts
            log.error("alerts are off: %s", exc)
            self.alerts = AlertSender([])
        self.stopping = False
        self.on_stop: list[Callable[[], object]] = []
        # Runs opened and not closed yet, and the reports of those closed.
        self._open: dict[int, tuple[SourceConfig, Any]] = {}
        self.reports: dict[int, RunReport] = {}

    # --- on the reactor -------------------------------------------------------------------

    def crawl(self, source: SourceConfig) -> Any:
        """Start crawling ``source`` now; a Deferred of its :class:`RunReport`."""
        from twisted.internet import defer

        # a Twisted coroutine: it awaits the writer's and Scrapy's Deferreds directly
        return defer.ensureDeferred(self._crawl(source))

    async def _crawl(self, source: SourceConfig) -> RunReport:
        from twisted.internet import reactor as installed
        from twisted.internet import task

        reactor: Any = installed

        from crawler.service.crawl_service import ServiceCrawler
        from crawler.spiders.source import SourceSpider

        writer = self.service.writer
        while True:
            try:
                opened: OpenedRun = await writer.submit(
                    lambda: self.service.book.open(
                        source.name, list(source.domains), shared=bool(self.redis_url)
                    ),
                    batched=False,
                )
            except Exception as exc:
                if self.service.fault is None:  # a storage fault is logged by the writer
                    log.exception("source %s: could not open its run", source.name)
                return RunReport(source.name, 0, "failed", None, f"did not start: {exc}")
            if opened.run_id is not None:
                break
            if not self.wait_busy or self.stopping:
                log.error("source %s: not crawled: %s", source.name, opened.refused)
                return RunReport(source.name, 0, STATUS_SKIPPED, None, opened.refused)
            log.info("source %s: %s; waiting for it to end", source.name, opened.refused)
            await task.deferLater(reactor, BUSY_POLL, lambda: None)
        run_id = opened.run_id
        settings = self.base.copy()
        settings.set("NEWSDEDUP_RUN_ID", run_id, priority="cmdline")
        settings.set("NEWSDEDUP_SOURCE_ID", opened.source_id, priority="cmdline")
        if self.redis_url:
            from crawler.scaleout.config import shared_settings

            for key, value in shared_settings(source.name, self.redis_url, self.base).items():
                settings.set(key, value, priority="cmdline")
        crawler = ServiceCrawler(SourceSpider, settings, self.service)
        self._open[run_id] = (source, crawler)
        self.service.crawlers.add(crawler)
        log.info(
            "crawling source %s (run %d, %d pages known)", source.name, run_id, len(opened.known)
        )
        try:
            known = opened.known if self.incremental else {}
            await self.process.crawl(crawler, source=source, known=known)
        except Exception:
            log.exception("crawl of source %s failed", source.name)
        finally:
            self.service.crawlers.discard(crawler)
        report: RunReport = await writer.submit(
            lambda: self._close(run_id), batched=False, always=True
        )
        return report

    def stop(self) -> None:
        """Stop every crawl gracefully, then the reactor (SIGTERM/SIGINT)."""
        from twisted.internet import defer
        from twisted.internet import reactor as installed

        reactor: Any = installed

        if self.stopping:
            log.warning("stopping at once: pages fetched and not stored yet are dropped")
            self.service.writer.abandon("stopped at once")
            self._stop_reactor()
            return
        self.stopping = True
        for callback in self.on_stop:
            callback()
        stopped = defer.DeferredList(
            [c.stop() for c in list(self.service.crawlers) if c.crawling], consumeErrors=True
        )
        # the runs' close jobs were queued as the crawls ended: let the writer finish them
        stopped.addBoth(lambda _: reactor.callLater(0, self._stop_reactor))

    def stop_source(self, name: str) -> None:
        """Stop the crawl of source ``name`` gracefully, if it runs."""
        for source, crawler in list(self._open.values()):
            if source.name == name and crawler.crawling:
                crawler.stop()

    @staticmethod
    def _stop_reactor() -> None:
        from twisted.internet import reactor as installed

        reactor: Any = installed

        with contextlib.suppress(RuntimeError):  # ReactorNotRunning: already stopping
            reactor.stop()

    def start(self, first: Callable[[], object]) -> None:
        """Run the reactor (blocking); ``first`` is called once it runs. SIGTERM/SIGINT call
        :meth:`stop`; a second one stops at once."""
        from twisted.internet import reactor as installed

        reactor: Any = installed

        def on_signal(signum: int, _frame: Any) -> None:
            name = signal.Signals(signum).name
            reactor.callFromThread(log.info, "%s: stopping the crawls gracefully", name)
            reactor.callFromThread(self.stop)

        def running() -> None:
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
            first()

        reactor.callWhenRunning(running)
        with crawl_heap():  # start-up's heap frozen while the reactor runs
            self.process.start(stop_after_crawl=False, install_signal_handlers=False)

    # --- on the writer thread -----------------------------------------------------------

    def _close(self, run_id: int) -> RunReport:
        """Judge and close one run (once); a run that cannot be recorded is said on stderr."""
        from crawler.service.runbook import crawl_counters

        if run_id in self.reports:
            return self.reports[run_id]
        source, crawler = self._open.pop(run_id)
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        reason = stats.get("finish_reason") or "shutdown"
        http, errors = crawl_counters(stats)
        fault = self.service.fault
        try:
            if fault is not None:
                self.service.writer.check_present()  # a removed file takes no record
            report = self.service.book.close(
                source.name,
                run_id,
                reason,
                _limit(source, self.default_limit),
                http=http,
                errors=errors,
                fault=None if fault is None else str(fault),
            )
        except Exception as exc:  # the database cannot record it
            from storage.db import describe_error

            cause = str(fault) if fault is not None else describe_error(exc)
            print(
                f"newsdedup: source {source.name}: run {run_id} could not be recorded as "
                f"failed: {describe_error(exc)}",
                file=sys.stderr,
            )
            report = RunReport(source.name, run_id, "failed", reason, cause)
        self.reports[run_id] = report
        if not self._open:  # the last crawl running ended: keep the index snapshot current
            self.service.save_index()
        alert = run_alert(source.name, run_id, report.status, report.message, {"finish": reason})
        if alert is not None and self.alerts:
            self.alerts.send(alert)
        return report

    # --- after the reactor ----------------------------------------------------------------

    def finish(self) -> None:
        """Close the runs still open (the reactor stopped before their crawl handed control
        back), then the service."""
        try:
            for run_id in list(self._open):
                self.service.writer.call(lambda r=run_id: self._close(r), always=True)
        finally:
            self.alerts.wait(timeout=30.0)  # let this process's alerts go out
            self.service.close()


def run_crawl(
    sources: Sequence[SourceConfig],
    database_url: str,
    *,
    proxy: str | None = None,
    log_level: str = "INFO",
    trigger: str = "manual",
    incremental: bool = True,
    wait_busy: bool = False,
    overrides: dict[str, Any] | None = None,
) -> list[RunReport]:
    """Crawl ``sources`` into ``database_url``, all at once; return one report each.

    Args:
        sources: the sources.
        database_url: where to store.
        proxy: an HTTP proxy for every request.
        log_level: Scrapy's log level.
        trigger: recorded with each run (``manual``, ``schedule``, ``demo``).
        incremental: skip or conditionally fetch pages already stored (default).
        wait_busy: a source with a run going in another live process is crawled after
            that run ends (else it is skipped).
        overrides: Scrapy settings set over the project's (``-s NAME=VALUE``).
    """
    from twisted.internet import defer

    runner = ServiceRunner(
        database_url,
        proxy=proxy,
        log_level=log_level,
        trigger=trigger,
        incremental=incremental,
        wait_busy=wait_busy,
        sources=sources,
        overrides=overrides,
    )
    results: dict[str, RunReport] = {}

    def crawl_all() -> None:
        def done(report: RunReport) -> None:
            results[report.source] = report

        crawls = [runner.crawl(source).addCallback(done) for source in sources]
        finished = defer.DeferredList(crawls, consumeErrors=True)
        finished.addBoth(lambda _: runner._stop_reactor())

    try:
        runner.start(crawl_all)
    finally:
        runner.finish()
    by_run = {r.source: r for r in runner.reports.values()}
    reports = []
    for source in sources:
        report = results.get(source.name) or by_run.get(source.name)
        if report is None:
            report = RunReport(source.name, 0, "interrupted", "shutdown", "not started")
        reports.append(report)
    return reports


def _limit(source: SourceConfig, default: float) -> float:
    """The source's extraction failure share limit, else the setting's."""
    return default if source.max_failure_share is None else source.max_failure_share
