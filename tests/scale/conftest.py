"""Fixtures of the scale-out tests: a throwaway PostgreSQL database and a unique Redis key
prefix on db 15, deleted by prefix afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from storage import migrate
from tests.storage.databases import throwaway_postgres_database


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL database (not migrated: workers migrate it themselves)."""
    with throwaway_postgres_database(postgres_url) as url:
        yield url


@pytest.fixture
def migrated_db(pg_db: str) -> str:
    migrate.upgrade(pg_db)
    return pg_db


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A unique key prefix; every key under it is deleted after the test."""
    import redis

    prefix = f"newsdedup-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client: Any = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()
