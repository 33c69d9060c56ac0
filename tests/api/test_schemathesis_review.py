"""Schemathesis over the review pages with a logged-in editor's session: no generated
path, query or form value gives a server error (5xx).

The review routes are in the app's OpenAPI document (HTML responses), so their
parameters are generated from it; POSTs carry the session's CSRF token so they reach
the decision code. Each operation prints its case count and status codes
(``pytest -s`` shows the summary).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.webapp.review.conftest import log_in
from tests.webapp.review.seed import EDITOR, build_seeded_database, fast_password_hashing
from webapp.app import create_app

SKIPPED = {("POST", "/review/logout")}  # would end the session the other cases use


@pytest.fixture(scope="module")
def review_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    with fast_password_hashing():
        path, _ids = build_seeded_database(tmp_path_factory.mktemp("schemathesis-review"))
        application = create_app(f"sqlite:///{path}")
        yield application
        application.state.engine.dispose()


@pytest.fixture(scope="module")
def session_cookie(review_app: FastAPI) -> tuple[str, str]:
    with fast_password_hashing(), TestClient(review_app, follow_redirects=False) as client:
        csrf = log_in(client, *EDITOR)
        return client.cookies["newsdedup_session"], csrf


def review_operations(app: FastAPI) -> list[tuple[str, str]]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    found = []
    for path, item in schema.raw_schema["paths"].items():
        if path.startswith("/api/"):
            continue
        for method in item:
            if (method.upper(), path) not in SKIPPED:
                found.append((method.upper(), path))
    return sorted(found)


def _operations() -> list[tuple[str, str]]:
    with fast_password_hashing():
        application = create_app("sqlite://")
        try:
            return review_operations(application)
        finally:
            application.state.engine.dispose()


OPERATIONS = _operations()


def test_review_routes_are_in_the_schema() -> None:
    paths = {path for _method, path in OPERATIONS}
    assert {"/review", "/review/pair/{link_id}", "/review/pair/{link_id}/decide"} <= paths
    assert len(OPERATIONS) >= 8


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_error_with_a_session(
    review_app: FastAPI, session_cookie: tuple[str, str], method: str, path: str
) -> None:
    cookie, csrf = session_cookie
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", review_app)
    operation = schema[path][method]
    statuses: Counter[int] = Counter()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        if isinstance(case.body, dict):
            case.body["csrf_token"] = csrf
        response = case.call(headers={"Cookie": f"newsdedup_session={cookie}"})
        statuses[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    with fast_password_hashing():
        run()
    summary = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    print(f"\nschemathesis {method} {path}: {sum(statuses.values())} cases ({summary})")
    assert not any(code >= 500 for code in statuses)
