"""Where a crawl extracts its pages: on the writer thread, or in a pool beside it.

``NEWSDEDUP_EXTRACT_POOL`` chooses (read by :class:`crawler.service.crawl_service.CrawlService`):

- ``writer`` (the default): the writer thread extracts the pages of a batch one after
  another before it begins the batch's transaction (``DatabaseWriter.submit``'s
  ``prepare``), then stores them. No extra thread or process, no copying; extraction
  runs outside the write lock, and back to back it keeps its code and data in the CPU's
  caches (2.2 ms per page less than extracting each page between the SQL and dedup work
  of the one before, bench/README.md).
- ``thread``: ``NEWSDEDUP_EXTRACT_WORKERS`` threads extract pages before they reach the
  writer. Extraction is Python (trafilatura, lxml) and holds the GIL, so this overlaps
  little; it shortens the writer's transactions (the write lock is held while a batch is
  stored).
- ``process``: that many worker processes (``spawn``: a crawl process runs threads, so
  no ``fork``). Pages and extractions are pickled across; a second core extracts while
  the first crawls and stores.

The figures that chose the default are in bench/README.md (``bench.pipeline_bench
--pool``): CPU per page is what the crawl pays; a pool only buys wall-clock time when
another core is free.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from crawler.extract import extract
from crawler.extract.model import Extraction
from crawler.items import FetchedPage

POOLS = ("writer", "thread", "process")


def extract_page(body: bytes, url: str, content_type: str | None) -> Extraction:
    """What a pool worker runs (a module-level function, so a process can import it)."""
    return extract(body, url=url, content_type=content_type)


class ExtractPool:
    """A pool of extraction workers (threads or processes).

    Args:
        kind: ``thread`` or ``process``.
        workers: how many.
    """

    def __init__(self, kind: str, workers: int) -> None:
        if kind not in ("thread", "process"):
            raise ValueError(f"extraction pool must be thread or process, not {kind!r}")
        self.kind = kind
        self.workers = max(1, workers)
        self._executor: Executor
        if kind == "thread":
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="extract")
        else:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)

    def submit(
        self, page: FetchedPage, done: Callable[[Extraction | None, BaseException | None], None]
    ) -> None:
        """Extract ``page``; ``done(extraction, error)`` is called from a pool thread."""
        future: Future[Extraction] = self._executor.submit(
            extract_page,
            page.body,
            page.final_url or page.url,
            page.headers.get("content-type"),
        )

        def finished(f: Future[Extraction]) -> None:
            error = f.exception()
            done(None if error is not None else f.result(), error)

        future.add_done_callback(finished)

    def close(self) -> None:
        """Wait for the pages being extracted, then stop the workers."""
        self._executor.shutdown(wait=True)


def pool_from_settings(settings: Any) -> ExtractPool | None:
    """The pool ``NEWSDEDUP_EXTRACT_POOL`` asks for (None: extract on the writer thread).

    Raises:
        ValueError: an unknown pool kind.
    """
    kind = str(settings.get("NEWSDEDUP_EXTRACT_POOL") or "writer").strip().lower()
    if kind not in POOLS:
        raise ValueError(f"NEWSDEDUP_EXTRACT_POOL must be one of {', '.join(POOLS)}, not {kind!r}")
    if kind == "writer":
        return None
    return ExtractPool(kind, settings.getint("NEWSDEDUP_EXTRACT_WORKERS", 2))
