"""Engine and session factory.

SQLite gets foreign keys, WAL and real transactions (``BEGIN`` emitted by SQLAlchemy, so
SAVEPOINTs and transactional DDL work); PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}


class DatabaseURLError(ValueError):
    """The database URL cannot be parsed or names an unsupported driver."""


def normalise_url(url: str | URL) -> URL:
    """Parse ``url`` and route plain PostgreSQL URLs to psycopg 3.

    Args:
        url: an SQLAlchemy URL such as ``sqlite:///newsdedup.db`` or
            ``postgresql://user@host/db``.

    Raises:
        DatabaseURLError: the URL cannot be parsed.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseURLError(f"invalid database URL {str(url)!r}: {exc}") from exc
    if parsed.drivername in _POSTGRES_DRIVERS:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: str | URL) -> str:
    """The URL as text with any password masked, for messages."""
    try:
        return normalise_url(url).render_as_string(hide_password=True)
    except DatabaseURLError:
        return "<invalid URL>"


def sqlite_path(url: str | URL) -> Path | None:
    """The file of an SQLite URL; None for other backends and in-memory databases."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for ``url``.

    SQLite: the parent directory of the file is created if missing; each connection gets
    ``PRAGMA foreign_keys=ON`` and ``journal_mode=WAL``. PostgreSQL: ``postgresql://``
    URLs use psycopg 3.

    Args:
        url: the SQLAlchemy database URL.
        **kwargs: passed on to :func:`sqlalchemy.create_engine`.

    Raises:
        DatabaseURLError: the URL cannot be parsed.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine, wal=path is not None)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    try:
        return create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseURLError(f"unsupported database URL {display_url(parsed)}: {exc}") from exc


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success, rolls back on error, and always closes.

    Example:
        >>> with session_scope(factory) as session:  # doctest: +SKIP
        ...     get_or_create_source(session, "example", ["example.com"])
    """
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def describe_error(exc: BaseException) -> str:
    """A one-line description of a database error, without the SQL and parameters."""
    if isinstance(exc, DatabaseURLError):
        text = str(exc)
    elif isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig)
    elif isinstance(exc, SQLAlchemyError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first
