"""Property-based run against the OpenAPI schema (schemathesis): no input gives a server
error, and every response matches the schema (status code, content type, body).

``schemathesis.pytest.from_fixture`` does not run under pytest 9, so the test builds the
schema from the app fixture and drives each operation's Hypothesis strategy itself.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    "/api/v1/articles",
    "/api/v1/articles/{article_id}",
    "/api/v1/clusters",
    "/api/v1/clusters/{cluster_id}",
    "/api/v1/sources",
    "/api/v1/runs",
    "/api/v1/runs/{run_id}/errors",
]


def test_every_operation_is_covered(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    paths = set(schema.raw_schema["paths"])
    paths = {path for path in paths if path.startswith("/api/v1/")}
    assert paths == set(OPERATIONS)


@pytest.mark.parametrize("path", OPERATIONS)
def test_no_server_error(app: FastAPI, token: str, path: str) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operation = schema[path]["GET"]
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
