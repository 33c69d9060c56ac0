"""Shared fixtures. Service-backed tests skip with a reason when the service is
unreachable, except when ``CI`` is set: then they fail instead."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

POSTGRES_URL = os.environ.get(
    "NEWSDEDUP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("NEWSDEDUP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, under CI, fail) when a service is not listening."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set: service tests must run", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    yield POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    require_service("Redis", "127.0.0.1", 6379)
    yield REDIS_URL
