"""``newsdedup runs`` and ``newsdedup status`` over runs recorded in a database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.cli import main
from storage import repository as repo
from storage.db import make_engine
from storage.migrate import upgrade
from storage.repo.schedule import save_schedule_state

SOURCES = """
[[sources]]
name = "lowmere"
domains = ["lowmere.example"]
feeds = ["http://lowmere.example/feed.xml"]
schedule = "0 6 * * *"

[[sources]]
name = "quayside"
domains = ["quayside.example"]
feeds = ["http://quayside.example/feed.xml"]

[[sources]]
name = "sleepy"
domains = ["sleepy.example"]
feeds = ["http://sleepy.example/feed.xml"]
enabled = false
"""


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        lowmere = repo.get_or_create_source(session, "lowmere", ["lowmere.example"])
        quayside = repo.get_or_create_source(session, "quayside", ["quayside.example"])
        ok = repo.start_run(session, lowmere.id)
        ok.articles_new = 4
        repo.bump(ok, "http_statuses", "200", 5)
        repo.bump(ok, "duplicates", "near_cross", 2)
        repo.finish_run(session, ok, "ok")
        bad = repo.start_run(session, quayside.id)
        repo.bump(bad, "http_statuses", "500", 3)
        repo.finish_run(session, bad, "failed", "the source yielded no articles (HTTP 500 x3)")
        save_schedule_state(session, lowmere.id, next_due_at=datetime(2030, 1, 2, 6, 0))
        session.commit()
    engine.dispose()
    return url


def test_runs_lists_newest_first_with_counters(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", database, "runs"]) == 0
    out = capsys.readouterr().out
    assert out.index("quayside") < out.index("lowmere")
    assert "duplicates near_cross:2" in out and "http 200:5" in out
    assert "the source yielded no articles (HTTP 500 x3)" in out
    assert main(["--database-url", database, "runs", "--source", "lowmere", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["source"] for r in rows] == ["lowmere"] and rows[0]["articles_new"] == 4


def test_status_shows_last_run_health_and_next_time(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    code = main(["--database-url", database, "status", "--sources", str(sources)])
    out = capsys.readouterr().out
    assert code == 1  # a source is unhealthy
    lowmere = out[out.index("lowmere\n") : out.index("quayside\n")]
    quayside = out[out.index("quayside\n") : out.index("sleepy\n")]
    sleepy = out[out.index("sleepy\n") :]
    assert "health: healthy" in lowmere and "next:   2030-01-02 06:00 UTC" in lowmere
    assert "health: FAILED: the source yielded no articles" in quayside
    assert "next:   " in quayside and "UTC  [0 * * * *]" in quayside
    assert "no run yet" in sleepy and "not scheduled (disabled)" in sleepy
