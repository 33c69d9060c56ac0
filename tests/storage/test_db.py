"""Engine, URL handling and the session scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage import migrate
from storage.db import (
    DatabaseURLError,
    describe_error,
    display_url,
    make_engine,
    make_session_factory,
    normalise_url,
    session_scope,
    sqlite_path,
)
from storage.models import Source


def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    db_file = tmp_path / "nested" / "deeper" / "news.db"
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert db_file.exists()
    finally:
        engine.dispose()


def test_sqlite_in_memory_has_foreign_keys() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["postgresql://u:secret@db.example/news", "postgres://u:secret@db.example/news"],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    parsed = normalise_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert parsed.database == "news"
    assert "secret" not in display_url(url)


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseURLError, match="invalid database URL 'not a url'"):
        make_engine("not a url")
    assert display_url("not a url") == "<invalid URL>"


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:///data/news.db") == Path("data/news.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql://u@h/d") is None


def test_session_scope_commits_and_rolls_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scope.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            session.add(Source(name="kept", domains=["kept.example"]))
        with pytest.raises(RuntimeError), session_scope(factory) as session:
            session.add(Source(name="dropped", domains=[]))
            session.flush()
            raise RuntimeError("boom")
        with session_scope(factory) as session:
            names = session.scalars(select(Source.name)).all()
        assert names == ["kept"]
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            with pytest.raises(Exception) as caught:
                conn.execute(
                    text(
                        "INSERT INTO crawl_runs (source_id, started_at, status, pages_fetched,"
                        " articles_new, articles_updated, articles_unchanged, paragraphs,"
                        " duplicates, errors, http_statuses)"
                        " VALUES (999, '2026-01-01', 'running', 0, 0, 0, 0, 0, '{}', '{}', '{}')"
                    )
                )
            assert "FOREIGN KEY" in describe_error(caught.value)
            conn.rollback()
            assert conn.execute(select(func.count()).select_from(Source)).scalar() == 0
    finally:
        engine.dispose()
