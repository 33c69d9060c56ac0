"""Helpers shared by CLI commands."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from crawler import settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def database_url(args: argparse.Namespace) -> str:
    """The database URL: ``--database-url``, else ``NEWSDEDUP_DATABASE_URL``, else the default."""
    url = getattr(args, "database_url", None)
    return str(url) if url else settings.get("NEWSDEDUP_DATABASE_URL")


def sources_path(args: argparse.Namespace) -> str:
    """The sources file: ``--sources``, else ``NEWSDEDUP_SOURCES``, else config/sources.toml."""
    path = getattr(args, "sources", None)
    return str(path) if path else settings.get("NEWSDEDUP_SOURCES")


@contextmanager
def migrated_session(url: str) -> Iterator[Session]:
    """A session on an existing database migrated to the current schema.

    Raises:
        storage.migrate.NotMigratedError: the SQLite file is missing or the schema is not
            current (the message says to run ``newsdedup db upgrade``); a missing file is
            not created.
        storage.db.DatabaseURLError, sqlalchemy.exc.SQLAlchemyError: a bad URL or an
            unreachable server.
    """
    from storage.db import make_engine, make_session_factory, sqlite_path
    from storage.migrate import NotMigratedError, ensure_current

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise NotMigratedError(f"database file {path} does not exist: run `newsdedup db upgrade`")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            ensure_current(session.connection())
            yield session
    finally:
        engine.dispose()
