"""The crawl service's metrics endpoint: live crawl stats plus the database, over HTTP."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from crawler.service.metrics import MetricsServer
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade


def _scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_live_stats_are_served_and_kept_after_the_crawl_ends(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = make_engine(url)
    server = MetricsServer(0, "127.0.0.1", make_session_factory(engine))
    stats: dict[str, Any] = {
        "downloader/response_status_count/200": 5,
        "downloader/response_status_count/404": 1,
        "newsdedup/articles/new": 4,
        "newsdedup/duplicates/exact_cross": 2,
        "newsdedup/extraction/no_article": 1,
        "newsdedup/index/paragraphs": 40,
    }
    try:
        server.crawls.add(1, "techwire", lambda: stats, lambda: 7)
        live = _scrape(server.port)
        assert (
            live[
                ("newsdedup_crawl_pages_fetched_total", (("source", "techwire"), ("status", "200")))
            ]
            == 5
        )
        assert (
            live[("newsdedup_crawl_articles_total", (("source", "techwire"), ("status", "new")))]
            == 4
        )
        assert (
            live[
                (
                    "newsdedup_crawl_duplicates_total",
                    (("kind", "exact_cross"), ("source", "techwire")),
                )
            ]
            == 2
        )
        assert live[("newsdedup_crawl_queue_depth", (("source", "techwire"),))] == 7
        assert live[("newsdedup_crawl_running", (("source", "techwire"),))] == 1
        assert live[("newsdedup_index_paragraphs", ())] == 40
        assert live[("newsdedup_database_up", ())] == 1
        stats["downloader/response_status_count/200"] = 9
        server.crawls.finish(1)
        server.crawls.add(
            2, "techwire", lambda: {"downloader/response_status_count/200": 1}, lambda: 0
        )
        after = _scrape(server.port)
        # the finished crawl's 9 plus the new crawl's 1: a counter never goes down
        assert (
            after[
                ("newsdedup_crawl_pages_fetched_total", (("source", "techwire"), ("status", "200")))
            ]
            == 10
        )
        server.crawls.finish(2)
        done = _scrape(server.port)
        assert ("newsdedup_crawl_running", (("source", "techwire"),)) not in done
    finally:
        server.close()
        engine.dispose()


def test_database_failure_is_a_metric_not_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'gone.db'}"
    engine = make_engine(url)  # not migrated: every query fails
    server = MetricsServer(0, "127.0.0.1", make_session_factory(engine))
    try:
        assert _scrape(server.port)[("newsdedup_database_up", ())] == 0
    finally:
        server.close()
        engine.dispose()
