"""The crawl service of one process: one Ingestor (one dedup index), one database writer,
one run book, shared by every crawler running on the process's reactor.

Built once per process by :mod:`crawler.service.runner` (``newsdedup crawl``, ``demo``,
``schedule``) and handed to each crawler's pipeline through the crawler
(:class:`ServiceCrawler`); a plain ``scrapy crawl`` pipeline builds its own. Settings are
read here from the Scrapy settings given (``NEWSDEDUP_EMBEDDINGS``,
``NEWSDEDUP_WRITE_BATCH``, ``NEWSDEDUP_EXTRACT_POOL``, ``NEWSDEDUP_EXTRACT_WORKERS``,
``NEWSDEDUP_INDEX_SNAPSHOT_EVERY``, ``NEWSDEDUP_REDIS_*``), never from the environment
directly.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session

from crawler.extract.model import Extraction
from crawler.fetch.incremental import NotModified
from crawler.ingest.ingestor import IngestOutcome, extract_fetched
from crawler.items import FetchedPage
from crawler.service.dblock import startup_lock
from crawler.service.extract_pool import ExtractPool, pool_from_settings
from crawler.service.runbook import RunBook
from crawler.service.writer import DEFAULT_BATCH, DatabaseWriter, StorageFault

log = logging.getLogger(__name__)


class ServiceCrawler(Crawler):
    """A Scrapy crawler that carries the process's crawl service to its pipeline."""

    def __init__(self, spidercls: Any, settings: Any, service: CrawlService) -> None:
        super().__init__(spidercls, settings)
        self.service = service


class CrawlService:
    """Open with :meth:`open` (migrates, loads the index); :meth:`close` at the end."""

    def __init__(self, database_url: str, settings: Any, trigger: str = "manual") -> None:
        from storage.db import make_engine, make_session_factory

        self.database_url = database_url
        self.settings = settings
        self.engine = make_engine(database_url)
        self.factory = make_session_factory(self.engine)
        self.book = RunBook(self.factory, trigger)
        self.ingestor: Any = None
        self.shared = bool(settings.get("NEWSDEDUP_REDIS_URL"))
        self.crawlers: set[Crawler] = set()
        self.pool: ExtractPool | None = None if self.shared else pool_from_settings(settings)
        from crawler.ingest.index_snapshot import snapshot_interval

        self.snapshot_every = snapshot_interval(settings.get("NEWSDEDUP_INDEX_SNAPSHOT_EVERY"))
        self._snapshot_at = time.monotonic()
        self.writer = DatabaseWriter(
            self.factory,
            database_url,
            batch=1 if self.shared else settings.getint("NEWSDEDUP_WRITE_BATCH", DEFAULT_BATCH),
            before_batch=None if self.shared else self._refresh,
            after_batch=None if self.shared else self._after_batch,
            on_fault=self._on_fault,
        )

    @classmethod
    def open(cls, database_url: str, settings: Any, trigger: str = "manual") -> CrawlService:
        """Migrate the database and load the dedup index, under the start-up lock."""
        from crawler.ingest.index_snapshot import configured_path
        from crawler.ingest.ingestor import Ingestor
        from crawler.ingest.recheck import recheck_from_settings
        from storage.migrate import upgrade

        service = cls(database_url, settings, trigger)
        try:
            recheck = recheck_from_settings(settings.get("NEWSDEDUP_EMBEDDINGS"))
            with startup_lock(service.engine, database_url):
                upgrade(database_url)
                if service.shared:
                    service.ingestor = service._open_shared(recheck)
                else:
                    snapshot = configured_path(
                        database_url,
                        settings.get("NEWSDEDUP_INDEX_SNAPSHOT"),
                        settings.get("NEWSDEDUP_INDEX_SNAPSHOT_DIR"),
                    )
                    service.ingestor = service.writer.call(
                        lambda: Ingestor.open(service.factory, recheck=recheck, snapshot=snapshot)
                    )
        except BaseException:
            service.close()
            raise
        return service

    def _open_shared(self, recheck: Any) -> Any:
        import redis

        from crawler.scaleout.config import shared_redis_url
        from crawler.scaleout.shared_ingest import SharedIngestor

        url = shared_redis_url(self.database_url, self.settings.get("NEWSDEDUP_REDIS_URL"))
        assert url is not None
        client = redis.Redis.from_url(url)
        return SharedIngestor.open_shared(
            self.factory,
            client,
            self.settings.get("NEWSDEDUP_REDIS_PREFIX") or "newsdedup",
            index_ttl=self.settings.getint("NEWSDEDUP_INDEX_TTL", 0),
        )

    def _refresh(self, session: Session) -> None:
        added = self.ingestor.refresh(session)
        if added:
            log.info("dedup index: %d paragraph(s) stored by another process added", added)

    # --- pages (called on the reactor thread; the work runs on the writer thread) -------

    def ingest(self, page: FetchedPage, source_id: int, run_id: int | None) -> Any:
        """Store one page; a Deferred of its :class:`IngestOutcome`."""
        if self.shared:
            return self.writer.submit(
                lambda: self.ingestor.ingest(page, source_id=source_id, run_id=run_id),
                batched=False,
            )

        def store(session: Session, extraction: Extraction | None = None) -> IngestOutcome:
            outcome: IngestOutcome = self.ingestor.ingest_in(
                session, page, source_id=source_id, run_id=run_id, extraction=extraction
            )
            return outcome

        if self.pool is None:
            # extracted on the writer thread, the batch's pages back to back before its
            # transaction (DatabaseWriter's prepare)
            return self.writer.submit(store, prepare=lambda: extract_fetched(page))
        from twisted.internet import defer
        from twisted.internet import reactor as installed

        reactor: Any = installed
        done: defer.Deferred[IngestOutcome] = defer.Deferred()

        def extracted(extraction: Extraction | None, error: BaseException | None) -> None:
            def hand_over() -> None:  # on the reactor thread
                if error is not None:
                    done.errback(error)
                    return
                self.writer.submit(lambda session: store(session, extraction)).chainDeferred(done)

            reactor.callFromThread(hand_over)

        self.pool.submit(page, extracted)
        return done

    def not_modified(self, item: NotModified, source_id: int, run_id: int | None) -> Any:
        """Record a page that did not change; a Deferred of its :class:`IngestOutcome`."""
        del source_id
        return self.writer.submit(
            lambda session: self.ingestor.not_modified_in(session, item, run_id=run_id)
        )

    def count_error(self, run_id: int, kind: str) -> Any:
        return self.writer.submit(lambda session: self.book.count_error(session, run_id, kind))

    def record_problem(self, run_id: int, url: str, kind: str, reason: str) -> Any:
        """Store a bad input with its run (:mod:`crawler.fetch.problems`); a Deferred."""
        from storage.repo.problems import record_problem

        return self.writer.submit(
            lambda session: record_problem(session, run_id, url, kind, reason)
        )

    # --- faults and the end ---------------------------------------------------------------

    @property
    def fault(self) -> StorageFault | None:
        return self.writer.fault

    def _on_fault(self, fault: StorageFault) -> None:
        """On the writer thread: stop every crawl (no more fetching)."""
        del fault
        from twisted.internet import reactor as installed

        reactor: Any = installed

        running: Any = reactor
        if running.running:
            running.callFromThread(self.stop_crawls)

    def stop_crawls(self) -> None:
        for crawler in list(self.crawlers):
            if crawler.crawling:
                crawler.stop().addErrback(lambda f: log.warning("stopping a crawl: %s", f.value))

    def _after_batch(self) -> None:
        """On the writer thread after a committed batch: write the snapshot when
        ``NEWSDEDUP_INDEX_SNAPSHOT_EVERY`` seconds have passed since the last write (only
        if the index changed), so a killed service restarts from a recent file."""
        if self.snapshot_every <= 0 or self.ingestor is None:
            return
        if time.monotonic() - self._snapshot_at >= self.snapshot_every:
            self.save_index()

    def save_index(self) -> None:
        """Write the index snapshot if the index changed since it was last written (on the
        writer thread, between batches); never raises: the crawl's outcome stands."""
        if self.shared or self.ingestor is None or self.fault is not None:
            return
        self._snapshot_at = time.monotonic()
        try:
            self.ingestor.save_snapshot()
        except Exception as exc:  # a snapshot is an optimisation, never a failure
            log.warning("index snapshot not written: %s", exc)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.ingestor is not None and not self.shared and self.fault is None:
            self.writer.call(self.save_index, always=True)
        self.writer.close()
        self.engine.dispose()
