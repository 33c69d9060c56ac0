"""The start-up lock of crawl processes sharing one database (see docs/operations.md).

:func:`startup_lock`: migrations, the dedup parameter row, the signature rebuild and the
index load of one process happen while no other crawl process of the same database does
them. SQLite: ``flock`` on a file beside the database (``newsdedup.db.crawl-lock``);
PostgreSQL: a session advisory lock. It spans several transactions, so it is not a
transaction's lock.

Writes are not serialised here: every writing transaction of the crawl (the writer's
batches, the run book) goes through :func:`storage.db.retrying` with ``serialized=True``,
the one way the project writes (SQLite ``BEGIN IMMEDIATE``; PostgreSQL an advisory
transaction lock held to the commit).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from storage.db import sqlite_path

log = logging.getLogger(__name__)

#: PostgreSQL advisory lock key (an arbitrary constant, distinct from scale-out's and
#: from :data:`storage.db.SERIAL_WRITE_KEY`).
STARTUP_KEY = 0x6E64_0001


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
