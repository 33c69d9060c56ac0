"""Engine, session factory and the one way to write: :func:`write_session` / :func:`retrying`.

SQLite gets foreign keys, WAL, a busy timeout on every connection and real transactions
(``BEGIN`` emitted by SQLAlchemy, so SAVEPOINTs and transactional DDL work); PostgreSQL
goes through psycopg 3 and is not changed by anything below.

Several processes share one SQLite file (a crawl, the scheduler, the web app). SQLite
allows one writer at a time, and a deferred transaction that *reads first and writes
later* is refused at once (``database is locked``, without waiting) when another
connection holds the write lock or wrote since its read: the busy timeout does not help
it. So:

- **Reading**: sessions of :func:`make_session_factory` begin a deferred transaction
  (plain ``BEGIN``). Under WAL they never take the write lock and never block or get
  blocked by a writer.
- **Writing**: :func:`write_session` begins the transaction with ``BEGIN IMMEDIATE``:
  the write lock is taken up front (waiting up to :data:`BUSY_TIMEOUT` seconds for
  another writer to commit), so nothing the transaction reads can go stale before it
  writes.
- **Retries in one place**: :func:`retrying` runs a unit of work in a
  :func:`write_session` and, when SQLite still reports the database locked or busy (a
  writer held the lock longer than the busy timeout), rolls back, waits (exponential
  backoff with jitter, :data:`RETRY_BASE_DELAY` doubling up to :data:`RETRY_MAX_DELAY`)
  and runs the work again, at most :data:`RETRY_ATTEMPTS` times; then the error is
  raised. The work must therefore be a function of its session that can run again
  (no side effects outside the database before it returns).

Example, the call a writer makes (the scheduler's state store, the web app's login and
token bookkeeping, the crawl writer)::

    def work(session: Session) -> int:
        return purge_expired_sessions(session)

    purged = retrying(factory, work)  # committed, or raised after the last attempt

The crawl writer (:mod:`crawler.service.writer`) and its run book write the same way, with
``serialized=True``: each batch of pages is one unit of work,
``retrying(factory, lambda session: store_batch(session, pages), serialized=True)``; on
PostgreSQL that also takes an advisory transaction lock, so two crawl processes never
interleave "refresh the index, check, store". The batch adds to the in-memory dedup index
as it goes, so only the wait for the write lock is retried (a "locked" error after the
batch began is a storage fault); the error raised after the last attempt is a storage
fault to report, not a page to drop. Sessions of
:func:`make_session_factory` may still write (deferred ``BEGIN``), but under concurrent
writers they can be refused: writers should go through these two helpers.

On PostgreSQL both helpers are plain sessions that commit (no retry: "locked" is an
SQLite condition).
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")

_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}

#: Seconds an SQLite connection waits for another connection's lock before "locked".
BUSY_TIMEOUT = 10.0
#: Most runs of a unit of work in :func:`retrying` (the first one included).
RETRY_ATTEMPTS = 6
#: First wait (seconds) before running a unit of work again; doubles each retry.
RETRY_BASE_DELAY = 0.05
#: Longest wait between two runs of a unit of work.
RETRY_MAX_DELAY = 2.0
#: Execution option of a connection whose transactions begin ``IMMEDIATE`` on SQLite.
WRITE_OPTION = "newsdedup_write"
#: PostgreSQL advisory lock key of serialized writing transactions (the crawl writer's).
SERIAL_WRITE_KEY = 0x6E64_0002


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


def make_engine(url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> Engine:
    """Create an engine for ``url``.

    SQLite: the parent directory of the file is created if missing; each connection gets
    ``PRAGMA foreign_keys=ON``, ``busy_timeout`` (:data:`BUSY_TIMEOUT`) and
    ``journal_mode=WAL``; transactions begin deferred, or ``IMMEDIATE`` in a
    :func:`write_session`. PostgreSQL: ``postgresql://`` URLs use psycopg 3.

    Args:
        url: the SQLAlchemy database URL.
        busy_timeout: SQLite only: seconds a connection waits for a lock.
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
        _configure_sqlite(engine, wal=path is not None, busy_timeout=busy_timeout)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    try:
        return create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseURLError(f"unsupported database URL {display_url(parsed)}: {exc}") from exc


def _configure_sqlite(engine: Engine, *, wal: bool, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writing transaction takes the write lock up front; a reading one never does.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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


@contextmanager
def write_session(factory: sessionmaker[Session], *, serialized: bool = False) -> Iterator[Session]:
    """A session for one writing transaction: commits on success, rolls back on error.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE`` at once (waiting up to
    the engine's busy timeout for the write lock), so its writes cannot be refused as
    stale, and no other writer of the file runs until it commits. ``serialized``: on
    PostgreSQL too, no other serialized transaction of the database runs until this one
    commits (its first statement takes the advisory transaction lock
    :data:`SERIAL_WRITE_KEY`); the crawl writer's "refresh the index, check, store" is one
    step that no other crawl process interleaves with. No retry here (the body cannot be
    run again): use :func:`retrying` for that.

    Raises:
        sqlalchemy.exc.OperationalError: the lock was not obtained (database locked).
    """
    session = factory()
    try:
        session.connection(execution_options={WRITE_OPTION: True})  # begins the transaction
        if serialized and session.get_bind().dialect.name != "sqlite":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SERIAL_WRITE_KEY})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_busy_error(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" / "busy" (worth a retry)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    text = str(orig).lower()
    return "locked" in text or "busy" in text


def retrying(
    factory: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    attempts: int = RETRY_ATTEMPTS,
    base_delay: float = RETRY_BASE_DELAY,
    max_delay: float = RETRY_MAX_DELAY,
    sleep: Callable[[float], None] = time.sleep,
    serialized: bool = False,
) -> T:
    """Run ``work(session)`` in a :func:`write_session` and commit; retry while locked.

    Args:
        factory: the session factory of the database.
        work: the unit of work; it may run several times, each time in a fresh
            transaction, so it must not act outside the database before returning.
            (A unit that must not run twice once started, like the crawl writer's batch,
            turns a "locked" error it meets after starting into another exception: then
            only the wait for the write lock, before ``work`` runs, is retried.)
        attempts: most runs (the first included).
        base_delay: first wait in seconds; doubles each retry (with jitter).
        max_delay: longest wait.
        sleep: how to wait (tests pass a fake).
        serialized: see :func:`write_session`.

    Returns:
        What ``work`` returned in the run that committed.

    Raises:
        sqlalchemy.exc.OperationalError: still locked after the last attempt (or
            any other database error, at once).
    """
    attempt = 1
    while True:
        try:
            with write_session(factory, serialized=serialized) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_busy_error(exc) or attempt >= attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            delay *= 0.5 + random.random()  # jitter, not security
            log.debug("database busy (%s); retry %d in %.2fs", describe_error(exc), attempt, delay)
            sleep(delay)
            attempt += 1


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
