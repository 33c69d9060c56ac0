"""The one item pipeline: hands each fetched page to :class:`crawler.ingest.ingestor.Ingestor`.

Thin by design: settings are read only in ``from_crawler``; extraction, dedup and
storage live in their own modules. A page that fails to ingest is logged with its URL
and counted; the crawl goes on.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from crawler.fetch.incremental import NotModified
from crawler.items import FetchedPage

log = logging.getLogger(__name__)


class IngestPipeline:
    """Store fetched pages. Creates the source and run rows itself when the crawl was not
    started by ``newsdedup crawl`` (for example ``scrapy crawl source -a source=NAME``)."""

    def __init__(
        self,
        database_url: str,
        run_id: int | None = None,
        stats: Any = None,
        max_failure_share: float = 0.5,
        redis_url: str | None = None,
        redis_prefix: str = "newsdedup",
        index_ttl: int = 0,
    ) -> None:
        self.database_url = database_url
        self.redis_url = redis_url  # set: a worker of a shared crawl (crawler.scaleout.config)
        self.redis_prefix = redis_prefix
        self.index_ttl = index_ttl
        self.run_id = run_id
        self.stats = stats
        self.max_failure_share = max_failure_share
        self._ingestor: Any = None
        self._engine: Any = None
        self._factory: Any = None
        self._sources: dict[str, int] = {}
        self._runs: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        from crawler.fetch.problems import problem_found

        settings = crawler.settings
        run_id = settings.getint("NEWSDEDUP_RUN_ID", 0) or None
        pipeline = cls(
            settings.get("NEWSDEDUP_DATABASE_URL"),
            run_id=run_id,
            stats=crawler.stats,
            max_failure_share=settings.getfloat("NEWSDEDUP_MAX_FAILURE_SHARE", 0.5),
            redis_url=settings.get("NEWSDEDUP_REDIS_URL") or None,
            redis_prefix=settings.get("NEWSDEDUP_REDIS_PREFIX") or "newsdedup",
            index_ttl=settings.getint("NEWSDEDUP_INDEX_TTL", 0),
        )
        crawler.signals.connect(pipeline.record_problem, signal=problem_found)
        return pipeline

    def open_spider(self) -> None:
        from crawler.ingest.ingestor import Ingestor
        from storage.db import make_engine, make_session_factory
        from storage.migrate import upgrade

        upgrade(self.database_url)
        self._engine = make_engine(self.database_url)
        self._factory = make_session_factory(self._engine)
        if self.redis_url:
            self._ingestor = self._open_shared(self.redis_url)
        else:
            self._ingestor = Ingestor.open(self._factory)
        if self.run_id is not None:
            self._load_run_source(self.run_id)

    def _open_shared(self, redis_url: str) -> Any:
        import redis

        from crawler.scaleout.config import shared_redis_url
        from crawler.scaleout.shared_ingest import SharedIngestor

        shared_redis_url(self.database_url, redis_url)  # PostgreSQL, or a clear error
        client = redis.Redis.from_url(redis_url)
        return SharedIngestor.open_shared(
            self._factory, client, self.redis_prefix, index_ttl=self.index_ttl
        )

    def _load_run_source(self, run_id: int) -> None:
        from storage.models import CrawlRun

        with self._factory() as session:
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise ValueError(f"crawl run {run_id} does not exist")
            self._sources[run.source.name] = run.source_id
            self._runs[run.source.name] = run.id

    def _ids_for(self, source: str) -> tuple[int, int]:
        if source not in self._sources:
            from storage import repository as repo

            with self._factory() as session:
                row = repo.get_source(session, source) or repo.get_or_create_source(
                    session, source, []
                )
                run = repo.start_run(session, row.id)
                run.pid = os.getpid()
                run.trigger = "scrapy"
                session.commit()
                self._sources[source] = row.id
                self._runs[source] = run.id
        return self._sources[source], self._runs[source]

    def process_item(self, item: Any) -> Any:
        if isinstance(item, NotModified):
            return self._not_modified(item)
        if not isinstance(item, FetchedPage):
            return item
        source_id, run_id = self._ids_for(item.source)
        try:
            outcome = self._ingestor.ingest(item, source_id=source_id, run_id=run_id)
        except Exception:
            log.exception("could not ingest %s (source %s); continuing", item.url, item.source)
            if self.stats is not None:
                self.stats.inc_value("newsdedup/ingest_errors")
            self._count_error(run_id, "ingest_error")
            return item
        if self.stats is not None:
            self.stats.set_value("newsdedup/index/paragraphs", len(self._ingestor.engine))
            self.stats.inc_value(f"newsdedup/extraction/{outcome.extraction_status}")
            if outcome.article_status:
                self.stats.inc_value(f"newsdedup/articles/{outcome.article_status}")
            for kind, count in outcome.duplicates.items():
                self.stats.inc_value(f"newsdedup/duplicates/{kind}", count)
        return item

    def _not_modified(self, item: NotModified) -> NotModified:
        source_id, run_id = self._ids_for(item.source)
        try:
            outcome = self._ingestor.not_modified(item, source_id=source_id, run_id=run_id)
        except Exception:
            log.exception("could not record %s as not modified (source %s)", item.url, item.source)
            self._count_error(run_id, "ingest_error")
            return item
        if self.stats is not None:
            self.stats.inc_value(f"newsdedup/not_modified/{item.reason}")
            if outcome.article_status:
                self.stats.inc_value(f"newsdedup/articles/{outcome.article_status}")
        return item

    def record_problem(self, source: str, url: str, kind: str, reason: str) -> None:
        """Store a bad input with the run (crawler.fetch.problems), once per URL and kind."""
        from storage.repo.problems import record_problem

        if self._factory is None:
            return
        _source_id, run_id = self._ids_for(source)
        try:
            with self._factory() as session:
                record_problem(session, run_id, url, kind, reason)
                session.commit()
        except Exception:
            log.exception("could not record %s problem at %s (source %s)", kind, url, source)

    def _count_error(self, run_id: int, kind: str) -> None:
        from storage import repository as repo
        from storage.models import CrawlRun

        with self._factory() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None:
                repo.bump(run, "errors", kind)
                session.commit()

    def close_spider(self) -> None:
        from crawler.service.run_health import counters_of, judge
        from storage import repository as repo
        from storage.models import CrawlRun

        stats: dict[str, Any] = self.stats.get_stats() if self.stats is not None else {}
        prefix = "downloader/response_status_count/"
        statuses = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
        errors = {
            k.rsplit("/", 1)[-1]: int(v)
            for k, v in stats.items()
            if k.startswith("downloader/exception_type_count/")
            # requests Scrapy chose not to send (robots.txt, offsite) are not errors
            and not k.endswith(".IgnoreRequest")
        }
        with self._factory() as session:
            for run_id in self._runs.values():
                run = session.get(CrawlRun, run_id)
                if run is None:
                    continue
                for status, count in statuses.items():
                    repo.bump(run, "http_statuses", status, n=count)
                for kind, count in errors.items():
                    repo.bump(run, "errors", kind, n=count)
                if run_id != self.run_id:
                    # A run this pipeline opened itself (``scrapy crawl``, Scrapyd): close it
                    # here; ``newsdedup crawl`` judges and closes its own runs.
                    verdict = judge(counters_of(run), "finished", self.max_failure_share)
                    repo.finish_run(session, run, verdict.status, verdict.reason)
                    if verdict.status != "ok":
                        log.error(
                            "source %s: run %d FAILED: %s", run.source.name, run_id, verdict.reason
                        )
            session.commit()
        self._engine.dispose()
