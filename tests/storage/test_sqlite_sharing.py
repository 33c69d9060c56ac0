"""SQLite as an embedded default shared by several processes: writing transactions take
the write lock up front (``BEGIN IMMEDIATE``), reading ones never do, every connection
waits for a lock (busy timeout), and :func:`storage.db.retrying` retries a unit of work
while the database stays locked. Then the real users of that: the web app's login and
token API, and the scheduler's state store, while another process writes the same file
as hard as it can."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.config import SourceConfig
from crawler.service.scheduler import DatabaseStateStore
from storage import migrate
from storage.db import (
    is_busy_error,
    make_engine,
    make_session_factory,
    retrying,
    session_scope,
    write_session,
)
from storage.models import ApiToken, Source, utcnow
from storage.repo import tokens as repo_tokens
from storage.repo.tokens import add_token
from tests.storage.databases import sqlite_url
from tests.webapp.review.conftest import csrf_of
from tests.webapp.review.seed import EDITOR, build_seeded_database, fast_password_hashing
from webapp.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def _raw(url: str) -> sqlite3.Connection:
    """A plain sqlite3 connection (autocommit, no busy wait) on the file of ``url``."""
    return sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    return url


def test_write_session_takes_the_write_lock_up_front(sqlite_db: str) -> None:
    engine = make_engine(sqlite_db, busy_timeout=0)
    factory = make_session_factory(engine)
    other = _raw(sqlite_db)
    try:
        with write_session(factory) as session:
            session.execute(text("SELECT 1"))  # nothing written yet: the lock is held anyway
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # committed: free again
        other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_reading_session_never_takes_the_write_lock(sqlite_db: str) -> None:
    engine = make_engine(sqlite_db, busy_timeout=0)
    factory = make_session_factory(engine)
    other = _raw(sqlite_db)
    try:
        with factory() as session:
            assert session.scalars(select(Source)).all() == []
            other.execute("BEGIN IMMEDIATE")  # a writer goes ahead while we read
            other.execute(
                "INSERT INTO sources (name, domains, created_at) VALUES ('w', '[]', '2026-01-01')"
            )
            other.execute("COMMIT")
            assert session.scalars(select(Source)).all() == []  # our snapshot, unblocked
    finally:
        other.close()
        engine.dispose()


def test_retrying_waits_out_a_held_lock_and_gives_up_when_bounded(sqlite_db: str) -> None:
    engine = make_engine(sqlite_db, busy_timeout=0)
    factory = make_session_factory(engine)
    holder = _raw(sqlite_db)
    holder.execute("BEGIN IMMEDIATE")
    waits: list[float] = []

    def release_on_second_wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            holder.execute("COMMIT")

    def work(session: Session) -> int:
        source = Source(name="kept", domains=[])
        session.add(source)
        session.flush()
        return source.id

    try:
        assert retrying(factory, work, sleep=release_on_second_wait) > 0
        assert len(waits) == 2 and waits[1] > waits[0] * 0.5  # backoff grows (with jitter)
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as raised:
            retrying(factory, work, attempts=3, sleep=waits.append)
        assert is_busy_error(raised.value)
        assert len(waits) == 4  # two more waits, then the third attempt raised
        holder.execute("ROLLBACK")
        with factory() as session:
            assert session.scalars(select(Source.name)).all() == ["kept"]
    finally:
        holder.close()
        engine.dispose()


def test_retrying_does_not_retry_other_errors(sqlite_db: str) -> None:
    engine = make_engine(sqlite_db)
    calls: list[int] = []

    def work(session: Session) -> None:
        calls.append(1)
        session.execute(text("SELECT * FROM no_such_table"))

    try:
        with pytest.raises(OperationalError, match="no such table"):
            retrying(make_session_factory(engine), work, sleep=lambda _s: None)
        assert calls == [1]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_write_session_and_retrying_commit(postgres_url: str) -> None:
    from tests.storage.databases import throwaway_postgres_database

    with throwaway_postgres_database(postgres_url) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        try:
            retrying(factory, lambda s: s.add(Source(name="pg", domains=[])))
            with write_session(factory) as session:
                session.add(Source(name="pg2", domains=[]))
            with factory() as session:
                assert sorted(session.scalars(select(Source.name))) == ["pg", "pg2"]
        finally:
            engine.dispose()


@contextmanager
def heavy_writer(url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Another process writing ``url`` without pause; yields its output lines (filled
    when it ends). Returns once it has committed its first transaction."""
    stop = tmp_path / "stop-writer"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.sqlite_writer", url, str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        yield lines
    finally:
        stop.touch()
        out, _ = proc.communicate(timeout=120)
        lines.extend(out.split())
    assert proc.returncode == 0


def test_web_app_logs_in_and_serves_the_api_while_another_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ids = build_seeded_database(tmp_path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        token = add_token(session, "reader")
    # Every API call records its last use (a write), not once a minute.
    monkeypatch.setattr(repo_tokens, "LAST_USED_RESOLUTION", timedelta(0))
    statuses: Counter[str] = Counter()
    rounds = 40
    app = create_app(url)
    with (
        fast_password_hashing(),
        heavy_writer(url, tmp_path) as writer,
        TestClient(app, follow_redirects=False) as client,
    ):
        for _ in range(rounds):
            client.cookies.clear()
            form = client.get("/review/login")
            statuses[f"login form {form.status_code}"] += 1
            login = client.post(
                "/review/login",
                data={
                    "username": EDITOR[0],
                    "password": EDITOR[1],
                    "csrf_token": csrf_of(form.text),
                },
            )
            statuses[f"login {login.status_code}"] += 1
            queue = client.get("/review")
            statuses[f"review {queue.status_code}"] += 1
            api = client.get("/api/v1/articles", headers={"Authorization": f"Bearer {token}"})
            statuses[f"api {api.status_code}"] += 1
    app.state.engine.dispose()
    transactions = int(writer[writer.index("transactions") + 1])
    print(f"\nweb app during a concurrent writer: {dict(statuses)}; writer {transactions} txns")
    assert statuses == Counter(
        {"login form 200": rounds, "login 303": rounds, "review 200": rounds, "api 200": rounds}
    )
    assert transactions > rounds  # the writer really wrote all along
    with make_session_factory(engine)() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.last_used_at is not None and utcnow() - row.last_used_at < timedelta(hours=1)
    engine.dispose()


def test_scheduler_state_store_survives_a_concurrent_writer(sqlite_db: str, tmp_path: Path) -> None:
    sources = [
        SourceConfig(name=f"s{i}", domains=(f"s{i}.example",), schedule="*/5 * * * *")
        for i in range(3)
    ]
    engine = make_engine(sqlite_db)
    factory = make_session_factory(engine)
    saves = 0
    try:
        with heavy_writer(sqlite_db, tmp_path) as writer:
            store = DatabaseStateStore(factory, sources, lambda _pid: False)
            now = utcnow()
            for i in range(60):
                for source in sources:
                    store.save(source.name, now + timedelta(minutes=i), started_at=now)
                    saves += 1
                    assert store.busy(source.name) is None
                assert set(store.next_due()) == {s.name for s in sources}
        assert int(writer[writer.index("transactions") + 1]) > 0
        print(f"\nscheduler store during a concurrent writer: {saves} saves, no error")
        assert store.next_due() == {s.name: now + timedelta(minutes=59) for s in sources}
    finally:
        engine.dispose()
