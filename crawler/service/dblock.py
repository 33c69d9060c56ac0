"""How crawl processes sharing one database take turns writing (see docs/operations.md).

Two locks, both per database:

- **Start-up lock** (:func:`startup_lock`): migrations, the dedup parameter row, the
  signature rebuild and the index load of one process happen while no other crawl process
  of the same database does them. SQLite: ``flock`` on a file beside the database
  (``newsdedup.db.crawl-lock``); PostgreSQL: a session advisory lock.
- **Write lock** (:func:`lock_for_write`): the first statement of every write transaction
  of the crawl writer. SQLite: a no-op ``UPDATE`` that takes SQLite's own write lock (other
  writers wait for it through the busy timeout); PostgreSQL: an advisory transaction lock.
  The lock lasts until the commit, so "refresh the index, check, store" is one step that
  no other crawl process interleaves with.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from storage.db import sqlite_path

log = logging.getLogger(__name__)

#: PostgreSQL advisory lock keys (arbitrary constants, distinct from scale-out's).
STARTUP_KEY = 0x6E64_0001
WRITE_KEY = 0x6E64_0002

#: Seconds a crawl writer waits for SQLite's write lock before a write fails.
SQLITE_BUSY_SECONDS = 60.0


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def startup_lock(engine: Engine, database_url: str) -> Iterator[None]:
    """Hold the database's start-up lock (blocks while another crawl process holds it)."""
    path = sqlite_path(database_url)
    if is_sqlite(engine):
        if path is None:  # in-memory: one process only
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{path}.crawl-lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _flock(fd)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": STARTUP_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": STARTUP_KEY})
            connection.commit()


def _flock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.info("another crawl process is starting on this database; waiting for it")
        started = time.monotonic()
        fcntl.flock(fd, fcntl.LOCK_EX)
        log.info("start-up lock taken after %.1f s", time.monotonic() - started)


def lock_for_write(session: Session) -> None:
    """Take the database's crawl write lock as the transaction's first statement."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE dedup_params SET id = id WHERE 0"))
    else:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_KEY})
