"""The index snapshot written while crawls run (``NEWSDEDUP_INDEX_SNAPSHOT_EVERY``): after a
committed write batch once the interval has passed, so a killed long-running service
restarts from a recent file; ``0`` writes it only when crawls end; a bad value stops
``crawl`` and ``schedule`` before anything starts, naming the setting."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings
from sqlalchemy.orm import Session

from crawler import settings as project_settings
from crawler.dedup.snapshot import read_snapshot
from crawler.demo.content import ARTICLES
from crawler.demo.pages import article_url, render_article
from crawler.ingest.index_snapshot import (
    DEFAULT_EVERY,
    SnapshotConfigError,
    snapshot_interval,
    snapshot_problem,
)
from crawler.items import FetchedPage
from crawler.service.crawl_service import CrawlService
from storage import repository as repo
from tests.ops.helpers import ROOT, env


def page_of(i: int) -> FetchedPage:
    article = ARTICLES[i]
    url = article_url(article)
    return FetchedPage(
        source=article.publisher,
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=render_article(article),
    )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, DEFAULT_EVERY),
        ("", DEFAULT_EVERY),
        ("  ", DEFAULT_EVERY),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 60 ", 60.0),
        (30, 30.0),
    ],
)
def test_interval_values(value: object, seconds: float) -> None:
    assert snapshot_interval(value) == seconds
    assert snapshot_problem(value) is None


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan", "1e999"])
def test_bad_interval_names_the_setting_and_the_value(value: str) -> None:
    with pytest.raises(SnapshotConfigError) as caught:
        snapshot_interval(value)
    message = str(caught.value)
    assert "NEWSDEDUP_INDEX_SNAPSHOT_EVERY" in message and repr(value) in message
    assert snapshot_problem(value) == message


def service_of(tmp_path: Path, every: str) -> CrawlService:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.setdict(
        {"NEWSDEDUP_INDEX_SNAPSHOT_EVERY": every, "NEWSDEDUP_EXTRACT_POOL": "writer"},
        priority="cmdline",
    )
    return CrawlService.open(f"sqlite:///{tmp_path / 'crawl.db'}", settings)


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "crawl.db.index"


def store(service: CrawlService, i: int) -> None:
    """One page through the service's writer, in a batch of its own (as a crawl does)."""
    page = page_of(i)

    def work(session: Session) -> object:
        src = repo.get_or_create_source(session, page.source, [f"{page.source}.example"])
        session.flush()
        return service.ingestor.ingest_in(session, page, source_id=src.id)

    service.writer.call(work, batched=True)
    service.writer.call(lambda: None)  # queued behind the batch's after_batch: it has run


def snapshot_rows(service: CrawlService, path: Path) -> int:
    header, _ = read_snapshot(path, service.ingestor.params.fingerprint())
    return header.rows


def test_snapshot_follows_the_index_between_batches(tmp_path: Path, snapshot_file: Path) -> None:
    service = service_of(tmp_path, "0.000001")
    try:
        for i in range(3):
            store(service, i)
            # written after the batch, covering what was just indexed
            assert snapshot_file.exists()
            assert snapshot_rows(service, snapshot_file) == len(service.ingestor.engine) > 0
    finally:
        service.close()


def test_zero_writes_only_when_the_service_closes(tmp_path: Path, snapshot_file: Path) -> None:
    service = service_of(tmp_path, "0")
    try:
        before = snapshot_file.stat().st_mtime_ns if snapshot_file.exists() else None
        store(service, 0)
        store(service, 1)
        after = snapshot_file.stat().st_mtime_ns if snapshot_file.exists() else None
        assert after == before  # nothing written while running
        indexed = len(service.ingestor.engine)
        fingerprint = service.ingestor.params.fingerprint()
    finally:
        service.close()
    header, _ = read_snapshot(snapshot_file, fingerprint)  # written when it closed
    assert header.rows == indexed > 0


def test_a_long_interval_does_not_write_between_batches(
    tmp_path: Path, snapshot_file: Path
) -> None:
    service = service_of(tmp_path, "3600")
    try:
        before = snapshot_file.stat().st_mtime_ns if snapshot_file.exists() else None
        store(service, 0)
        store(service, 1)
        after = snapshot_file.stat().st_mtime_ns if snapshot_file.exists() else None
        assert after == before
    finally:
        service.close()


@pytest.mark.parametrize(
    ("command", "environ"),
    [
        (["crawl"], {"NEWSDEDUP_INDEX_SNAPSHOT_EVERY": "-5"}),
        (["crawl", "-s", "NEWSDEDUP_INDEX_SNAPSHOT_EVERY=-5"], {}),
        (["schedule"], {"NEWSDEDUP_INDEX_SNAPSHOT_EVERY": "-5"}),
    ],
)
def test_a_bad_interval_stops_the_command_before_it_starts(
    tmp_path: Path, command: list[str], environ: dict[str, str]
) -> None:
    db = tmp_path / "crawl.db"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--database-url", f"sqlite:///{db}", *command],
        cwd=ROOT,
        env=dict(env(), **environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "NEWSDEDUP_INDEX_SNAPSHOT_EVERY='-5'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()  # nothing started
