"""Throwaway databases for the storage tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import make_engine, normalise_url


@contextmanager
def throwaway_postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named, empty database on the server of ``server_url``; drop it after.

    Yields:
        The URL of the new database.
    """
    base = normalise_url(server_url)
    name = f"newsdedup_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def sqlite_url(directory: Path, name: str = "storage.db") -> str:
    return f"sqlite:///{directory / name}"
