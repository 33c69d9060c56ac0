"""Runs tell the truth: a run records its pid and host; a run whose process is gone is
marked ``interrupted`` by ``newsdedup status``/``runs`` and by the next crawl (a run of
another host by its heartbeat); SIGTERM ends a crawl ``interrupted`` without a CRITICAL
line; a failure share never exceeds 100 %."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.cli import main
from crawler.demo.server import serve_sample_site
from crawler.service.run_health import RunCounters, counters_of, judge
from storage import repository as repo
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import CrawlRun, utcnow
from storage.repo.runs import this_host
from storage.repo.runs_query import REMOTE_HEARTBEAT_LIMIT, gone_reason, mark_interrupted
from tests.ops.helpers import ROOT, crawl, crawl_command, env, runs, sources_file


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_records_pid_and_host(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        source = repo.get_or_create_source(session, "s", ["s.example"])
        run = repo.start_run(session, source.id)
        assert (run.pid, run.host) == (os.getpid(), this_host())
        assert run.heartbeat_at is not None
    engine.dispose()


def _run(**fields: object) -> CrawlRun:
    values: dict[str, object] = {"status": "running", "started_at": utcnow(), "pid": None}
    values.update(fields)
    return CrawlRun(**values)


def test_gone_reason_checks_local_pids_and_remote_heartbeats() -> None:
    now = utcnow()
    here = this_host()
    assert gone_reason(_run(pid=os.getpid(), host=here)) is None
    gone = gone_reason(_run(pid=dead_pid(), host=here))
    assert gone is not None and "is gone" in gone
    assert gone_reason(_run(pid=dead_pid(), host=None)) is not None  # runs from before hosts
    # Another host: its pid means nothing here (even a dead local pid); the heartbeat decides.
    fresh = _run(pid=dead_pid(), host="elsewhere", heartbeat_at=now - timedelta(minutes=1))
    assert gone_reason(fresh, now=now) is None
    stale = _run(pid=os.getpid(), host="elsewhere", heartbeat_at=now - REMOTE_HEARTBEAT_LIMIT * 2)
    reason = gone_reason(stale, now=now)
    assert reason is not None and "no heartbeat" in reason and "elsewhere" in reason


def test_failure_share_never_exceeds_100_percent() -> None:
    # Two pages stored, then eight whose ingest failed: their pages_fetched count was
    # rolled back with them, their ingest_error count was not.
    run = CrawlRun(
        pages_fetched=2,
        articles_new=2,
        articles_updated=0,
        articles_unchanged=0,
        errors={"ingest_error": 8},
        http_statuses={},
    )
    counters = counters_of(run)
    assert counters.pages_seen == 10
    verdict = judge(counters, "finished", max_failure_share=0.5)
    assert verdict.status == "failed"
    assert verdict.reason == "extraction failed on 8 of 10 pages (80%), over the limit of 50%"
    odd = RunCounters(pages_fetched=1, articles=1, extraction_failures=3)
    assert "(100%)" in (judge(odd, "finished", 0.5).reason or "")


@pytest.fixture
def db_with_dead_run(tmp_path: Path) -> Iterator[tuple[str, Path, int]]:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        source = repo.get_or_create_source(session, "circuitdaily", ["circuitdaily.example"])
        run = repo.start_run(session, source.id)
        run.pid = dead_pid()
        session.commit()
        run_id = run.id
    engine.dispose()
    yield url, sources_file(tmp_path), run_id


def test_status_marks_a_run_of_a_dead_process_interrupted(
    db_with_dead_run: tuple[str, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, sources, run_id = db_with_dead_run
    assert main(["--database-url", url, "status", "--sources", str(sources)]) == 1
    out = capsys.readouterr().out
    assert f"run {run_id}: " in out and "marked interrupted" in out
    assert "health: running" not in out
    assert "health: INTERRUPTED: the process running it ended" in out
    assert [r.status for r in runs(url)] == ["interrupted"]
    # Nothing left to close: a second look writes nothing and says nothing of it.
    assert main(["--database-url", url, "status", "--sources", str(sources)]) == 1
    assert "marked interrupted" not in capsys.readouterr().out


def test_runs_marks_a_run_of_a_dead_process_interrupted(
    db_with_dead_run: tuple[str, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _sources, run_id = db_with_dead_run
    assert main(["--database-url", url, "runs", "--json"]) == 0
    captured = capsys.readouterr()
    import json

    rows = json.loads(captured.out)
    assert [(r["id"], r["status"]) for r in rows] == [(run_id, "interrupted")]
    assert rows[0]["host"] == this_host() and rows[0]["pid"] is not None
    assert "marked interrupted" in captured.err


def test_mark_interrupted_leaves_live_local_and_fresh_remote_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        source = repo.get_or_create_source(session, "s", ["s.example"])
        live = repo.start_run(session, source.id)
        remote = repo.start_run(session, source.id)
        remote.host, remote.pid = "worker-2", dead_pid()
        stale = repo.start_run(session, source.id)
        stale.host = "worker-3"
        stale.heartbeat_at = utcnow() - REMOTE_HEARTBEAT_LIMIT - timedelta(minutes=1)
        closed = mark_interrupted(session)
        assert [r.id for r in closed] == [stale.id]
        assert (live.status, remote.status, stale.status) == ("running", "running", "interrupted")
    engine.dispose()


def _pages_of_run(db: str, number: int) -> int:
    """Pages fetched so far by the ``number``-th run (0 while it does not exist)."""
    try:
        rows = runs(db)
    except OperationalError:  # not created or not migrated yet
        return 0
    return rows[number - 1].pages_fetched if len(rows) >= number else 0


def _start_slow_crawl(db: str, sources: Path, proxy: str, number: int = 1) -> subprocess.Popen[str]:
    """Start the ``number``-th crawl; return once it has stored a page."""
    process = subprocess.Popen(
        crawl_command(db, sources, proxy),
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while _pages_of_run(db, number) == 0:
        try:
            process.wait(timeout=0.05)  # poll the database while the crawl runs
        except subprocess.TimeoutExpired:
            continue
        pytest.fail("the crawl ended before a page was stored")
    return process


@pytest.mark.e2e
def test_kill_9_mid_run_then_status_and_the_next_crawl_tell_the_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    sources = sources_file(tmp_path, concurrency=1)
    with serve_sample_site() as site:
        site.delay = 0.25  # slow site: the kill lands between two stored pages
        process = _start_slow_crawl(db, sources, site.proxy_url)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        assert [r.status for r in runs(db)] == ["running"]
        assert main(["--database-url", db, "status", "--sources", str(sources)]) == 1
        out = capsys.readouterr().out
        assert "health: running" not in out and "health: INTERRUPTED" in out
        assert [r.status for r in runs(db)] == ["interrupted"]

        # kill -9 again; this time the next crawl finds the run left running.
        process = _start_slow_crawl(db, sources, site.proxy_url, number=2)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        site.delay = 0.0
        again = crawl(db, sources, site.proxy_url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "marked interrupted" in again.stderr
    assert [r.status for r in runs(db)] == ["interrupted", "interrupted", "ok"]


@pytest.mark.e2e
def test_sigterm_ends_a_crawl_interrupted_without_a_critical_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    sources = sources_file(tmp_path, concurrency=1)
    with serve_sample_site() as site:
        site.delay = 0.25
        process = _start_slow_crawl(db, sources, site.proxy_url)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=120)
    assert "CRITICAL" not in err, err[-3000:]
    assert "ReactorNotRunning" not in err
    assert "Unhandled error" not in err
    run = runs(db)[-1]
    assert run.status == "interrupted", (run.status, err[-3000:])
    assert run.finished_at is not None
