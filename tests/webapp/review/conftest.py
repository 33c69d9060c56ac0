"""A seeded, migrated SQLite database per test (copied from one built per session), the
app on it, and logged-in test clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from storage.db import make_engine, make_session_factory
from tests.webapp.review.seed import (
    EDITOR,
    VIEWER,
    Seeded,
    build_seeded_database,
    copy_database,
    fast_password_hashing,
)
from webapp.app import create_app

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    return build_seeded_database(tmp_path_factory.mktemp("review"))


@pytest.fixture
def db_url(seeded_template: tuple[Path, Seeded], tmp_path: Path) -> str:
    return copy_database(seeded_template[0], tmp_path / "review.db")


@pytest.fixture
def ids(seeded_template: tuple[Path, Seeded]) -> Seeded:
    return seeded_template[1]


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    """A session on the test's database, to check what the app stored."""
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(db_url), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


def log_in(client: TestClient, name: str, password: str) -> str:
    """Log in through the form; returns the session's CSRF token."""
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/review").text)


@pytest.fixture
def editor(client: TestClient) -> tuple[TestClient, str]:
    return client, log_in(client, *EDITOR)


@pytest.fixture
def viewer(client: TestClient) -> tuple[TestClient, str]:
    return client, log_in(client, *VIEWER)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    with fast_password_hashing():
        yield
