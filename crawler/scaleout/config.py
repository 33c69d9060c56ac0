"""Scale-out configuration: when a crawl is a worker of a shared crawl, and its key names.

A crawl is shared when setting ``NEWSDEDUP_REDIS_URL`` is set; it then needs a PostgreSQL
``NEWSDEDUP_DATABASE_URL`` (every worker writes to the same database). Workers of one crawl
share, per source, in Redis under ``{NEWSDEDUP_REDIS_PREFIX}:{NEWSDEDUP_CRAWL_ID}:{source}``:

- ``:requests`` the request queue (scrapy-redis), ``:seen`` the request fingerprints
  already scheduled (scrapy-redis's dupefilter; expires ``NEWSDEDUP_SEEN_TTL`` seconds
  after the last worker's heartbeat), ``:workers`` the workers' ids, ``:alive:{id}`` each
  worker's heartbeat and state, ``:inflight:{id}`` the requests a worker popped and has not
  finished (re-queued by the others when the worker's heartbeat stops);

and, under ``{prefix}:index:...``, the paragraph index (:mod:`crawler.scaleout.shared_index`).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from typing import Any

from storage.db import display_url, normalise_url


class ScaleOutError(ValueError):
    """The configuration asks for a shared crawl that cannot work."""


def shared_redis_url(database_url: str, redis_url: str | None) -> str | None:
    """The Redis URL when the crawl is shared, None for a single-machine crawl.

    Raises:
        ScaleOutError: Redis is set but the database is not PostgreSQL.
    """
    if not redis_url:
        return None
    backend = normalise_url(database_url).get_backend_name()
    if backend != "postgresql":
        raise ScaleOutError(
            f"NEWSDEDUP_REDIS_URL is set (a shared crawl of several workers) but the database "
            f"{display_url(normalise_url(database_url))} is {backend}: a shared crawl needs "
            "a PostgreSQL NEWSDEDUP_DATABASE_URL that every worker reaches; unset "
            "NEWSDEDUP_REDIS_URL for a single-machine crawl"
        )
    return redis_url


def crawl_key(prefix: str, crawl_id: str, source: str) -> str:
    """The Redis key prefix of one source's shared crawl."""
    return f"{prefix}:{crawl_id}:{source}"


def index_key(prefix: str, fingerprint: str) -> str:
    """The Redis key prefix of the paragraph index for one dedup parameter set."""
    return f"{prefix}:index:{fingerprint[:16]}"


def worker_id() -> str:
    """A worker's id: host, process and a random part (unique across machines)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def scrapy_settings(base: str, redis_url: str) -> dict[str, Any]:
    """The Scrapy settings that make a crawl of one source a worker of the shared crawl
    whose keys start with ``base`` (see :func:`crawl_key`)."""
    escaped = base.replace("%", "%%")  # scrapy-redis formats its keys with %(spider)s
    return {
        "SCHEDULER": "crawler.scaleout.shared_scheduler.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{escaped}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{escaped}:seen",
        # Never flush on close: other workers are still using the queue and the seen set.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "REDIS_URL": redis_url,
        # Marks a request finished once its response went through the spider and pipeline.
        "SPIDER_MIDDLEWARES": {"crawler.scaleout.shared_scheduler.InflightMiddleware": 10},
        "NEWSDEDUP_SHARED_KEY": base,
    }


def shared_settings(source: str, redis_url: str, settings: Any) -> dict[str, Any]:
    """The Scrapy settings of one source's crawl as a worker of the shared crawl, from the
    ``NEWSDEDUP_REDIS_PREFIX`` and ``NEWSDEDUP_CRAWL_ID`` in ``settings``."""
    base = crawl_key(
        settings.get("NEWSDEDUP_REDIS_PREFIX") or "newsdedup",
        settings.get("NEWSDEDUP_CRAWL_ID") or "shared",
        source,
    )
    return scrapy_settings(base, redis_url)


#: Advisory lock key of one-time setup steps (migrations, signature rebuild, index backfill).
SETUP_LOCK = 0x6E657773646564


def prepare_database(database_url: str, sources: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Migrate a PostgreSQL database to the head revision and create the rows of
    ``sources`` (name, domains) while holding an advisory lock, so that workers starting
    at the same moment do it one after the other (no unique-constraint race)."""
    from sqlalchemy import text

    from storage import repository as repo
    from storage.db import make_engine, make_session_factory
    from storage.migrate import upgrade

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SETUP_LOCK})
            try:
                upgrade(database_url)
                with make_session_factory(engine)() as session:
                    for name, domains in sources:
                        repo.get_or_create_source(session, name, list(domains))
                    session.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SETUP_LOCK})
                conn.commit()
    finally:
        engine.dispose()
