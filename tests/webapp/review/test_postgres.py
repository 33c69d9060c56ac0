"""The review pages on PostgreSQL: queue filters, a decision with its audit row and
suppression, the dashboard. Skips (or fails under CI) when PostgreSQL is down."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import AuditLog, DuplicateLink, SuppressedPair
from tests.storage.databases import throwaway_postgres_database
from tests.webapp.review.conftest import log_in
from tests.webapp.review.seed import EDITOR, Seeded, seed
from webapp.app import create_app

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Iterator[tuple[str, Seeded]]:
    with throwaway_postgres_database(postgres_url) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            ids = seed(session)
            session.commit()
        engine.dispose()
        yield url, ids


def test_review_on_postgresql(pg: tuple[str, Seeded]) -> None:
    url, ids = pg
    with TestClient(create_app(url), follow_redirects=False) as client:
        csrf = log_in(client, *EDITOR)
        rows = set(
            re.findall(
                r'id="row-(\d+)"', client.get("/review?kind=syndicated&view=paragraphs").text
            )
        )
        assert rows == {str(ids.near_cross), str(ids.exact_cross), str(ids.hostile)}
        dated = client.get("/review?from=2026-11-22&to=2026-11-23&min=0.5&view=paragraphs").text
        assert set(re.findall(r'id="row-(\d+)"', dated)) == {
            str(ids.near_within),
            str(ids.boilerplate),
        }
        response = client.post(
            f"/review/pair/{ids.near_within}/decide",
            data={"csrf_token": csrf, "decision": "not_duplicate"},
        )
        assert response.status_code == 303
        assert client.get("/review/dashboard").text.count("<svg") == 3
        assert client.get(f"/review/pair/{ids.near_cross}").status_code == 200
        assert "decide:not_duplicate" in client.get("/review/audit").text
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        link = session.get(DuplicateLink, ids.near_within)
        assert link is not None and link.review_state == "not_duplicate"
        assert len(session.scalars(select(SuppressedPair)).all()) == 1
        assert len(session.scalars(select(AuditLog)).all()) == 1
    engine.dispose()
