"""Health alerts and resumability against the sample site, each crawl in a subprocess:
a source answering 500s or serving an empty feed ends failed with a non-zero exit and an
ERROR line; a crawl killed with SIGKILL mid-way and started again ends with the same rows
as an uninterrupted crawl, without fetching again what it had stored."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from crawler.demo.server import serve_sample_site
from tests.ops.helpers import (
    FEED,
    LISTING,
    ROOT,
    articles,
    counts,
    crawl,
    crawl_command,
    env,
    runs,
    sources_file,
)

pytestmark = pytest.mark.e2e

EMPTY_RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Circuit '
    b"Daily</title><link>http://circuitdaily.example/</link><description>nothing today"
    b"</description></channel></rss>\n"
)


def test_source_answering_500_is_reported_failed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    with serve_sample_site() as site:
        # Its one entry point answers 500, also when retried (after Retry-After, capped).
        site.fail(LISTING, 500, retry_after="30")
        result = crawl(db, sources_file(tmp_path, feeds=False, sitemaps=False), site.proxy_url)
    assert result.returncode == 1
    assert "circuitdaily: run 1 failed" in result.stdout
    assert "ERROR crawler.service.runner: source circuitdaily: run 1 FAILED" in result.stderr
    run = runs(db)[-1]
    assert run.status == "failed" and run.finished_at is not None
    assert run.message is not None and "no articles" in run.message and "500" in run.message
    assert run.http_statuses.get("500") == 3  # retried twice before giving up
    assert site.requests[LISTING] == 3
    assert result.stderr.count("HTTP 500 from http://circuitdaily.example/stories/: retry") == 2


def test_empty_feed_is_reported_failed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    with serve_sample_site() as site:
        site.set_page(FEED, EMPTY_RSS, "application/rss+xml")
        result = crawl(db, sources_file(tmp_path, sitemaps=False, listing=False), site.proxy_url)
    assert result.returncode == 1
    assert "the source yielded no articles" in result.stderr
    assert runs(db)[-1].status == "failed"


def _article_count(db: str) -> int:
    try:
        return counts(db)["articles"]
    except OperationalError:  # not created or not migrated yet
        return 0


def test_crawl_killed_mid_way_resumes_without_loss_or_refetch(tmp_path: Path) -> None:
    (tmp_path / "ref").mkdir()
    (tmp_path / "killed").mkdir()
    reference = f"sqlite:///{tmp_path / 'ref' / 'crawl.db'}"
    killed = f"sqlite:///{tmp_path / 'killed' / 'crawl.db'}"
    ref_sources = sources_file(tmp_path / "ref", concurrency=1)
    sources = sources_file(tmp_path / "killed", concurrency=1)
    with serve_sample_site() as site:
        whole = crawl(reference, ref_sources, site.proxy_url)
        assert whole.returncode == 0, whole.stderr[-3000:]
        total = counts(reference)["articles"]
        assert total >= 3

        site.delay = 0.25  # slow site: the kill lands between two stored pages
        process = subprocess.Popen(
            crawl_command(killed, sources, site.proxy_url),
            cwd=ROOT,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while _article_count(killed) == 0:
                try:
                    process.wait(timeout=0.05)  # poll the database while the crawl runs
                except subprocess.TimeoutExpired:
                    continue
                pytest.fail("the crawl ended before an article was stored")
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait()
        assert process.returncode == -signal.SIGKILL
        before = articles(killed)
        assert 0 < len(before) < total, "the kill must land mid-way"
        assert [r.status for r in runs(killed)] == ["running"]

        site.delay = 0.0
        fetched = Counter(site.requests)
        site.conditional.clear()
        again = crawl(killed, sources, site.proxy_url)
        assert again.returncode == 0, again.stderr[-3000:]
        new_requests = Counter(site.requests) - fetched
        conditional = Counter(c.url for c in site.conditional if c.status == 304)

    # Nothing stored before the kill was fetched again in full.
    for url in before:
        assert new_requests[url] == conditional[url], url
    assert articles(killed) == articles(reference)
    assert counts(killed) == counts(reference)
    statuses = [r.status for r in runs(killed)]
    assert statuses == ["interrupted", "ok"]
    assert runs(killed)[-1].articles_new == total - len(before)
