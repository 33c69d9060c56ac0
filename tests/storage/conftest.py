"""Storage fixtures: a migrated database per backend (SQLite file, throwaway PostgreSQL
database), and a session per test inside an outer transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage import migrate
from storage.db import make_engine
from tests.storage.databases import sqlite_url, throwaway_postgres_database


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database migrated to head, once per test session and backend."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
        migrate.upgrade(url)
        yield url
        return
    server_url: str = request.getfixturevalue("postgres_url")
    with throwaway_postgres_database(server_url) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session joined to an outer transaction that is rolled back after the test, so
    tests never see each other's rows (``session.commit()`` only releases a SAVEPOINT)."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            if outer.is_active:
                outer.rollback()
