"""Prometheus metrics: what the crawl service is doing now, and what the database knows.

Two collectors:

- :class:`DatabaseCollector` renders :func:`storage.repo.metrics.metrics_snapshot` at every
  scrape: articles, pages by extraction status, live duplicate flags by kind, indexed
  paragraphs, runs by source and status, each source's last success and last run
  duration, recorded bad inputs by kind. ``newsdedup serve`` exposes it on ``/metrics``.
- :class:`CrawlStatsCollector` renders the live Scrapy stats of every crawl in this
  process (pages fetched by HTTP status, articles new/updated/unchanged, duplicates by
  kind, extraction outcomes, the scheduler's queue depth, the dedup index size), counted
  over the life of the process. The crawl service exposes it, with the database
  collector, on ``http://127.0.0.1:NEWSDEDUP_METRICS_PORT/metrics`` when that setting is
  not 0 (:class:`MetricsExtension`; ``NEWSDEDUP_METRICS_ADDRESS`` sets the address).

Metric names and labels are listed in docs/operations.md ("Monitoring").
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

#: Scrapy stats key prefixes -> (metric suffix, label name, help).
_STATS = {
    "downloader/response_status_count/": ("pages_fetched", "status", "Responses by HTTP status"),
    "newsdedup/articles/": ("articles", "status", "Articles stored: new, updated, unchanged"),
    "newsdedup/duplicates/": ("duplicates", "kind", "Duplicate paragraphs flagged, by kind"),
    "newsdedup/extraction/": ("extractions", "status", "Pages by extraction outcome"),
}


class DatabaseCollector(Collector):
    """Metrics from the database, queried at each scrape with a fresh session.

    Args:
        session_factory: a SQLAlchemy session factory (``storage.db.make_session_factory``).
    """

    def __init__(self, session_factory: Callable[[], Any]) -> None:
        self.factory = session_factory

    def collect(self) -> Iterator[Metric]:
        from storage.repo.metrics import metrics_snapshot

        try:
            with self.factory() as session:
                snap = metrics_snapshot(session)
        except Exception as exc:  # a scrape must not raise: report the failure as a metric
            log.warning("metrics: database not readable: %s", exc)
            up = GaugeMetricFamily("newsdedup_database_up", "1 when the database answered")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("newsdedup_database_up", "1 when the database answered")
        up.add_metric([], 1)
        yield up
        yield _gauge("newsdedup_articles", "Articles stored", {(): snap.articles})
        yield _gauge(
            "newsdedup_pages",
            "Stored pages by extraction status",
            {(k,): v for k, v in snap.pages_by_extraction.items()},
            ["extraction_status"],
        )
        yield _gauge(
            "newsdedup_duplicate_flags",
            "Duplicate flags by kind (those editors rejected left out)",
            {(k,): v for k, v in snap.duplicates_by_kind.items()},
            ["kind"],
        )
        yield _gauge(
            "newsdedup_index_paragraphs_stored",
            "Paragraph signatures stored (the dedup index loaded at start)",
            {(): snap.index_paragraphs},
        )
        runs = CounterMetricFamily(
            "newsdedup_runs",
            "Crawl runs recorded, by source and status",
            labels=["source", "status"],
        )
        for (source, status), n in sorted(snap.runs_by_source_status.items()):
            runs.add_metric([source, status], n)
        yield runs
        yield _gauge(
            "newsdedup_source_last_success_timestamp_seconds",
            "Finish time (Unix seconds) of each source's last ok run",
            {(k,): _unix(v) for k, v in snap.last_success.items()},
            ["source"],
        )
        yield _gauge(
            "newsdedup_source_last_run_duration_seconds",
            "Duration of each source's last finished run",
            {(k,): v for k, v in snap.last_duration.items()},
            ["source"],
        )
        problems = CounterMetricFamily(
            "newsdedup_bad_inputs",
            "Bad inputs recorded with runs (one per URL and kind), by kind",
            labels=["kind"],
        )
        for kind, n in sorted(snap.problems_by_kind.items()):
            problems.add_metric([kind], n)
        yield problems


def _unix(when: Any) -> float:
    from datetime import UTC

    return float(when.replace(tzinfo=UTC).timestamp())


def _gauge(
    name: str, doc: str, values: Mapping[tuple[str, ...], float], labels: list[str] | None = None
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels or [])
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


class CrawlStatsCollector(Collector):
    """The live Scrapy stats of this process's crawls, per source.

    Totals of crawls that have finished are kept, so counters never go down while the
    process lives.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, tuple[str, Callable[[], Mapping[str, Any]], Callable[[], int]]] = {}
        self._done: dict[tuple[str, str, str], float] = defaultdict(float)

    def add(
        self,
        key: int,
        source: str,
        stats: Callable[[], Mapping[str, Any]],
        queue_depth: Callable[[], int],
    ) -> None:
        with self._lock:
            self._live[key] = (source, stats, queue_depth)

    def finish(self, key: int) -> None:
        """Fold a finished crawl's counters into the process totals."""
        with self._lock:
            entry = self._live.pop(key, None)
            if entry is None:
                return
            source, stats, _queue = entry
            for (metric, label, value), n in _counters(source, stats()).items():
                self._done[(metric, label, value)] += n

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            totals: dict[tuple[str, str, str], float] = defaultdict(float, self._done)
            queues: dict[str, float] = defaultdict(float)
            index: float | None = None  # one index per process, shared by its crawls
            running: dict[str, float] = defaultdict(float)
            for source, stats, queue_depth in self._live.values():
                values = stats()
                for key, n in _counters(source, values).items():
                    totals[key] += n
                queues[source] += _safe(queue_depth)
                running[source] += 1
                if "newsdedup/index/paragraphs" in values:
                    index = max(index or 0.0, float(values["newsdedup/index/paragraphs"]))
        for prefix, (suffix, label, doc) in _STATS.items():
            family = CounterMetricFamily(f"newsdedup_crawl_{suffix}", doc, labels=["source", label])
            for (metric, source, value), n in sorted(totals.items()):
                if metric == prefix:
                    family.add_metric([source, value], n)
            yield family
        yield _gauge(
            "newsdedup_crawl_running",
            "Crawls running now",
            {(k,): v for k, v in running.items()},
            ["source"],
        )
        yield _gauge(
            "newsdedup_crawl_queue_depth",
            "Requests waiting in the crawl's scheduler",
            {(k,): v for k, v in queues.items()},
            ["source"],
        )
        yield _gauge(
            "newsdedup_index_paragraphs",
            "Paragraphs in the process's in-memory dedup index (shared by its crawls)",
            {} if index is None else {(): index},
        )


def _counters(source: str, stats: Mapping[str, Any]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for key, value in stats.items():
        for prefix in _STATS:
            if key.startswith(prefix) and isinstance(value, int | float):
                out[(prefix, source, key[len(prefix) :])] = float(value)
    return out


def _safe(getter: Callable[[], int]) -> float:
    try:
        return float(getter())
    except Exception:  # a crawler between states has no queue to ask
        return 0.0


class MetricsServer:
    """One HTTP endpoint per process serving a registry with both collectors."""

    def __init__(self, port: int, address: str, session_factory: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.crawls = CrawlStatsCollector()
        self.registry.register(self.crawls)
        self.registry.register(DatabaseCollector(session_factory))
        self.server, self.thread = start_http_server(port, addr=address, registry=self.registry)
        self.port = int(self.server.server_port)
        log.info("metrics on http://%s:%d/metrics", address, self.port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


_servers: dict[tuple[str, int], MetricsServer] = {}
_servers_lock = threading.Lock()


def metrics_server(port: int, address: str, database_url: str) -> MetricsServer:
    """The process's metrics server on ``address:port`` (started on first use)."""
    with _servers_lock:
        key = (address, port)
        if key not in _servers:
            from storage.db import make_engine, make_session_factory

            _servers[key] = MetricsServer(
                port, address, make_session_factory(make_engine(database_url))
            )
        return _servers[key]


class MetricsExtension:
    """Scrapy extension: register this crawl's stats with the process's metrics server.

    Off (``NotConfigured``) while ``NEWSDEDUP_METRICS_PORT`` is 0.
    """

    def __init__(self, server: MetricsServer, crawler: Any) -> None:
        self.server = server
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> MetricsExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        port = settings.getint("NEWSDEDUP_METRICS_PORT", 0)
        if port <= 0:
            raise NotConfigured("NEWSDEDUP_METRICS_PORT is 0")
        server = metrics_server(
            port,
            settings.get("NEWSDEDUP_METRICS_ADDRESS") or "127.0.0.1",
            settings.get("NEWSDEDUP_DATABASE_URL"),
        )
        extension = cls(server, crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        source = getattr(getattr(spider, "source", None), "name", spider.name)
        self.server.crawls.add(id(self.crawler), source, self.crawler.stats.get_stats, self._queue)

    def spider_closed(self, spider: Any) -> None:
        self.server.crawls.finish(id(self.crawler))

    def _queue(self) -> int:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None)
        return len(scheduler) if scheduler is not None else 0
