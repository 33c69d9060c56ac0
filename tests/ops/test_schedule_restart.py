"""kill -9 of ``newsdedup schedule`` mid-run, then a restart: the old run is marked
``interrupted``, the source is crawled again at once, and every page is stored exactly
once (nothing lost, nothing doubled)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.demo.generated import serve_generated_site, sources_toml
from storage import repository as repo
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Page
from storage.repo.schedule import save_schedule_state
from tests.ops.helpers import ROOT, env, runs

pytestmark = pytest.mark.e2e

ARTICLES = 60


def _pages(db: str) -> tuple[int, int]:
    """(distinct URLs, rows) of the pages table."""
    engine = make_engine(db)
    try:
        with Session(engine) as session:
            rows = int(session.scalar(select(func.count()).select_from(Page)) or 0)
            urls = int(session.scalar(select(func.count(func.distinct(Page.url)))) or 0)
            return urls, rows
    except OperationalError:
        return 0, 0
    finally:
        engine.dispose()


def _schedule(db: str, sources: Path, proxy: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "crawler.cli", "--database-url", db, "schedule"]
    command += ["--sources", str(sources), "--proxy", proxy]
    with log.open("a") as sink:
        return subprocess.Popen(command, cwd=ROOT, env=env(), stdout=sink, stderr=sink)


def _wait(predicate: object, process: subprocess.Popen[bytes], log: Path) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + 240
    while not predicate():
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)


def test_kill_9_then_restart_interrupts_the_old_run_and_crawls_again(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'schedule.db'}"
    sources = tmp_path / "sources.toml"
    sources.write_text(
        sources_toml(concurrency=2).replace(
            "max_pages = 100000\n", 'max_pages = 100000\nschedule = "0 0 1 1 *"\n'
        ),
        encoding="utf-8",
    )
    upgrade(db)
    engine = make_engine(db)
    with Session(engine) as session:
        row = repo.get_or_create_source(session, "wirebulk", ["wirebulk.example"])
        save_schedule_state(session, row.id, next_due_at=datetime(2026, 1, 1))  # missed
        session.commit()
    engine.dispose()
    log = tmp_path / "schedule.log"
    with serve_generated_site(articles=ARTICLES, copies=0, delay=0.1) as (site, plan):
        first = _schedule(db, sources, site.proxy_url, log)
        try:
            _wait(lambda: _pages(db)[1] >= 5, first, log)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        stored_before, _ = _pages(db)
        [killed] = runs(db)
        assert killed.status == "running"  # what a killed process leaves behind
        assert stored_before < len(plan.urls)
        second = _schedule(db, sources, site.proxy_url, log)
        try:
            _wait(lambda: len(runs(db)) == 2 and runs(db)[1].status != "running", second, log)
        finally:
            second.send_signal(signal.SIGTERM)
            code = second.wait(timeout=60)
    output = log.read_text()
    assert code == 0, output[-3000:]
    old, new = runs(db)
    assert old.status == "interrupted", output[-3000:]
    assert new.status == "ok", output[-3000:]
    assert "cut short" in output
    urls, rows = _pages(db)
    print(f"\nkill -9 then restart: pages stored {urls}/{len(plan.urls)}, rows {rows}")
    assert urls == rows == len(plan.urls)  # nothing lost, nothing doubled
