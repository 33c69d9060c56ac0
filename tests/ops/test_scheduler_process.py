"""The real ``newsdedup schedule`` process: a fire time missed while it was down runs once
at start, as a child crawl; SIGTERM stops the scheduler, which stops the child gracefully
(pages stored so far kept, the run recorded as interrupted) and exits 0."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.demo.server import serve_sample_site
from crawler.service.runner import pid_alive
from storage import repository as repo
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import ScheduleState
from storage.repo.schedule import save_schedule_state
from tests.ops.helpers import ROOT, counts, env, runs, sources_file

pytestmark = pytest.mark.e2e


def _article_count(db: str) -> int:
    try:
        return counts(db)["articles"]
    except OperationalError:
        return 0


def test_scheduler_runs_a_missed_crawl_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'schedule.db'}"
    sources = sources_file(tmp_path, concurrency=1)  # schedule "*/5 * * * *"
    upgrade(db)
    engine = make_engine(db)
    with Session(engine) as session:
        row = repo.get_or_create_source(session, "circuitdaily", ["circuitdaily.example"])
        save_schedule_state(session, row.id, next_due_at=datetime(2026, 1, 1))  # long missed
        session.commit()
        source_id = row.id

    log = tmp_path / "schedule.log"
    with serve_sample_site(delay=0.25) as site, log.open("w") as sink:
        command = [sys.executable, "-m", "crawler.cli", "--database-url", db, "schedule"]
        command += ["--sources", str(sources), "--proxy", site.proxy_url]
        scheduler = subprocess.Popen(command, cwd=ROOT, env=env(), stdout=sink, stderr=sink)
        try:
            while _article_count(db) == 0:
                try:
                    scheduler.wait(timeout=0.05)  # poll the database while it runs
                except subprocess.TimeoutExpired:
                    continue
                pytest.fail("the scheduler ended before a crawl stored an article")
            scheduler.send_signal(signal.SIGTERM)
            code = scheduler.wait(timeout=60)
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
                scheduler.wait()
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert "was missed while the scheduler was down; running it once now" in output
    assert "stopping its crawl" in output
    [run] = runs(db)
    assert (run.trigger, run.status) == ("schedule", "interrupted"), output[-3000:]
    assert not pid_alive(run.pid)
    assert run.articles_new == counts(db)["articles"] >= 1
    with Session(engine) as session:
        state = session.get(ScheduleState, source_id)
        assert state is not None and state.last_started_at is not None
        assert state.next_due_at is not None and state.next_due_at > state.last_started_at
    engine.dispose()
