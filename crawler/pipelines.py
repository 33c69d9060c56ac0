"""The one item pipeline: hands each fetched page to the process's crawl service.

Thin by design: settings are read only in ``from_crawler``; extraction, dedup and
storage run on the service's writer thread (:mod:`crawler.service.crawl_service`), never
on the reactor thread. A page that fails to ingest is logged with its URL and counted;
the crawl goes on. A storage fault stops the crawl (the service logs it once).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future

from crawler.fetch.incremental import NotModified
from crawler.items import FetchedPage
from crawler.service.writer import StorageFault

log = logging.getLogger(__name__)


class IngestPipeline:
    """Store fetched pages through the crawl service.

    Under ``newsdedup crawl``/``schedule``/``demo`` the crawler carries the process's
    service and the run (``NEWSDEDUP_RUN_ID``), opened and closed by the runner. Under a
    plain ``scrapy crawl source -a source=NAME`` the pipeline builds a service of its own
    and opens and closes its run itself, through the same run book.
    """

    def __init__(
        self,
        service: Any,
        *,
        run_id: int | None = None,
        source_id: int | None = None,
        owns_service: bool = False,
        stats: Any = None,
        max_failure_share: float = 0.5,
    ) -> None:
        self.service = service
        self.run_id = run_id
        self.source_id = source_id
        self.owns_service = owns_service
        self.stats = stats
        self.max_failure_share = max_failure_share
        self._ids: dict[str, tuple[int, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        from crawler.fetch.problems import problem_found

        settings = crawler.settings
        service = getattr(crawler, "service", None)
        owns = service is None
        if service is None:
            from crawler.service.crawl_service import CrawlService

            service = CrawlService.open(
                settings.get("NEWSDEDUP_DATABASE_URL"), settings, trigger="scrapy"
            )
        pipeline = cls(
            service,
            run_id=settings.getint("NEWSDEDUP_RUN_ID", 0) or None,
            source_id=settings.getint("NEWSDEDUP_SOURCE_ID", 0) or None,
            owns_service=owns,
            stats=crawler.stats,
            max_failure_share=settings.getfloat("NEWSDEDUP_MAX_FAILURE_SHARE", 0.5),
        )
        crawler.signals.connect(pipeline.record_problem, signal=problem_found)
        return pipeline

    async def _ids_for(self, source: str) -> tuple[int, int]:
        """The source and run ids of a page: the runner's run, or one opened here."""
        if source not in self._ids:
            if self.run_id is not None and self.source_id is not None:
                self._ids[source] = (self.source_id, self.run_id)
            else:
                opened = await maybe_deferred_to_future(
                    self.service.writer.submit(
                        lambda: self.service.book.open(
                            source, [], refuse_busy=False, load_known=False
                        ),
                        batched=False,
                    )
                )
                self._ids[source] = (opened.source_id, opened.run_id)
        return self._ids[source]

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage | NotModified):
            return item
        try:
            source_id, run_id = await self._ids_for(item.source)
            if isinstance(item, NotModified):
                done = self.service.not_modified(item, source_id, run_id)
            else:
                done = self.service.ingest(item, source_id, run_id)
            outcome = await maybe_deferred_to_future(done)
        except StorageFault:
            return item  # logged once by the writer; the crawl is stopping
        except Exception:
            log.exception("could not ingest %s (source %s); continuing", item.url, item.source)
            self._count("newsdedup/ingest_errors")
            if item.source in self._ids:
                self.service.count_error(self._ids[item.source][1], "ingest_error").addErrback(
                    lambda _f: None
                )
            return item
        if self.stats is not None:
            self.stats.set_value("newsdedup/index/paragraphs", len(self.service.ingestor.engine))
        if isinstance(item, NotModified):
            self._count(f"newsdedup/not_modified/{item.reason}")
        else:
            self._count(f"newsdedup/extraction/{outcome.extraction_status}")
            for kind, count in outcome.duplicates.items():
                self._count(f"newsdedup/duplicates/{kind}", count)
        if outcome.article_status:
            self._count(f"newsdedup/articles/{outcome.article_status}")
        return item

    def record_problem(self, source: str, url: str, kind: str, reason: str) -> None:
        """Store a bad input with the source's run (signal ``problem_found`` of
        :mod:`crawler.fetch.problems`), through the writer; a failure is only logged."""
        from scrapy.utils.defer import deferred_from_coro

        async def record() -> None:
            _source_id, run_id = await self._ids_for(source)
            await maybe_deferred_to_future(self.service.record_problem(run_id, url, kind, reason))

        done = deferred_from_coro(record())
        done.addErrback(
            lambda failure: log.warning(
                "could not record %s at %s (source %s): %s",
                kind,
                url,
                source,
                failure.getErrorMessage(),
            )
        )

    def _count(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    async def close_spider(self) -> None:
        """Close the runs this pipeline opened itself (the runner closes its own)."""
        if not self.owns_service:
            return
        from crawler.service.runbook import crawl_counters

        try:
            stats = self.stats.get_stats() if self.stats is not None else {}
            http, errors = crawl_counters(stats)
            fault = str(self.service.fault) if self.service.fault is not None else None
            for name, (_source_id, run_id) in self._ids.items():
                if run_id == self.run_id:
                    continue
                try:
                    await maybe_deferred_to_future(
                        self.service.writer.submit(
                            lambda n=name, r=run_id: self.service.book.close(
                                n,
                                r,
                                "finished",
                                self.max_failure_share,
                                http=http,
                                errors=errors,
                                fault=fault,
                            ),
                            batched=False,
                            always=True,
                        )
                    )
                except Exception as exc:  # said once, the crawl is over
                    log.error("source %s: run %d could not be recorded: %s", name, run_id, exc)
        finally:
            self.service.close()
