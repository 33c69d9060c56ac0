"""API fixtures: a seeded, migrated database per backend, the app on it, and a token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.repo.tokens import add_token
from tests.api.seed import Seeded, seed
from tests.storage.databases import sqlite_url, throwaway_postgres_database
from webapp.app import create_app


@dataclass
class SeededDb:
    url: str
    dialect: str
    ids: Seeded


def _seed(url: str, dialect: str) -> SeededDb:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            ids = seed(session)
    finally:
        engine.dispose()
    return SeededDb(url, dialect, ids)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededDb]:
    """A database migrated to head and filled by :func:`tests.api.seed.seed`."""
    if request.param == "sqlite":
        yield _seed(sqlite_url(tmp_path_factory.mktemp("api")), "sqlite")
        return
    server_url: str = request.getfixturevalue("postgres_url")
    with throwaway_postgres_database(server_url) as url:
        yield _seed(url, "postgresql")


def new_token(url: str, name: str) -> str:
    """Create and commit a token called ``name`` on the database at ``url``."""
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return add_token(session, name)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def token(seeded: SeededDb) -> str:
    return new_token(seeded.url, "test-reader")


@pytest.fixture(scope="session")
def app(seeded: SeededDb) -> Iterator[FastAPI]:
    application = create_app(seeded.url)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def anon(app: FastAPI) -> TestClient:
    """A client without credentials."""
    return TestClient(app)


@pytest.fixture
def client(app: FastAPI, token: str) -> TestClient:
    """A client sending the test token in ``Authorization: Bearer``."""
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})
