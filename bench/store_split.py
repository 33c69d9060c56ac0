"""Where the crawl writer's store goes, without a profiler: CPU per page of each part.

Usage:
    python -m bench.store_split [--data PATH] [--pages N] [--batch B]

cProfile (``bench.ingest_profile``) slows Python calls far more than C calls, so its
shares overstate SQLAlchemy and the Python around the kernels. This stores the same pages
the same way (``bench.ingest_profile.store_all``: the crawl writer's batches, each page
``Ingestor.ingest_in`` in a SAVEPOINT) with plain CPU counters (``time.thread_time``)
around the parts instead, and prints, per page:

- extraction alone (the ceiling's numerator), before and after the store, and inside it;
- the store (``Ingestor._store``), and in it: SQL through the ORM session
  (``Session.execute``) and of that SQLite's own cursor calls (engine events), zlib of the
  body, the dedup kernels (``DedupEngine.signatures``, ``check_article``) and clusters;
- what the store would cost if SQLAlchemy's layer and compression cost nothing: SQLite's
  own work plus the dedup kernels plus the rest of the store.

The counters wrap the classes' methods for the measured pass only and are removed after.
Garbage collection is counted too (``gc.callbacks``): it runs in whichever part allocates.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.ingest_profile import extraction_cpu, load_pages, store_all

#: The parts counted, in the order printed.
PARTS = (
    "store",
    "session_execute",
    "sqlite_cursor",
    "zlib",
    "signatures",
    "check_article",
    "clusters",
    "extraction_inside",
    "gc",
)


@contextmanager
def _wrapped(
    owner: Any, name: str, counter: Callable[[float], None], flag: list[bool] | None = None
) -> Iterator[None]:
    """``owner.name`` timed into ``counter`` while inside; ``flag``: set during the call."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        if flag is not None:
            flag.append(True)
        try:
            return original(*args, **kwargs)
        finally:
            if flag is not None:
                flag.pop()
            counter(time.thread_time() - started)

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def counters() -> Iterator[dict[str, float]]:
    """CPU seconds of each of :data:`PARTS` while inside (this thread's); SQL only as
    far as the store runs it (not the batch's index refresh)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    import crawler.ingest.ingestor as ingestor
    from crawler.dedup import DedupEngine

    spent = dict.fromkeys(PARTS, 0.0)
    storing: list[bool] = []  # non-empty inside Ingestor._store

    def add(part: str, *, in_store: bool = False) -> Callable[[float], None]:
        def count(seconds: float) -> None:
            if storing or not in_store:
                spent[part] += seconds

        return count

    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, *_args: Any) -> None:
        started[id(cursor)] = time.thread_time()

    def after(_conn: Any, cursor: Any, *_args: Any) -> None:
        begun = started.pop(id(cursor), None)
        if begun is not None and storing:
            spent["sqlite_cursor"] += time.thread_time() - begun

    collecting: list[float] = []

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting.append(time.thread_time())
        elif collecting:
            spent["gc"] += time.thread_time() - collecting.pop()

    with ExitStack() as stack:
        stack.enter_context(_wrapped(ingestor.Ingestor, "_store", add("store"), storing))
        stack.enter_context(_wrapped(ingestor.Ingestor, "_cluster", add("clusters")))
        stack.enter_context(_wrapped(ingestor, "extract_fetched", add("extraction_inside")))
        stack.enter_context(_wrapped(Session, "execute", add("session_execute", in_store=True)))
        stack.enter_context(_wrapped(DedupEngine, "signatures", add("signatures")))
        stack.enter_context(_wrapped(DedupEngine, "check_article", add("check_article")))
        stack.enter_context(_wrapped(zlib, "compress", add("zlib")))
        event.listen(Engine, "before_cursor_execute", before)
        event.listen(Engine, "after_cursor_execute", after)
        gc.callbacks.append(on_gc)
        try:
            yield spent
        finally:
            gc.callbacks.remove(on_gc)
            event.remove(Engine, "before_cursor_execute", before)
            event.remove(Engine, "after_cursor_execute", after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="corpus directory or .tgz (default: generated pages)")
    parser.add_argument("--pages", type=int, default=550, help="generated pages (default 550)")
    parser.add_argument("--batch", type=int, default=50, help="pages per transaction")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    try:
        return _run(args)
    finally:
        logging.disable(logging.NOTSET)


def _run(args: argparse.Namespace) -> int:
    from crawler.dedup.warmup import warm_up

    warm_up()
    pages = load_pages(args.data, args.pages)
    n = len(pages)
    extraction_cpu(pages[:20])
    before = extraction_cpu(pages)
    with tempfile.TemporaryDirectory() as tmp:
        store_all(Path(tmp) / "warm.db", pages[:20], args.batch)  # statement caches warm
        with counters() as spent:
            loop = store_all(Path(tmp) / "measured.db", pages, args.batch)
    after = extraction_cpu(pages)
    alone = (before + after) / 2

    def ms(seconds: float) -> str:
        return f"{1000 * seconds / n:7.2f} ms/page"

    layer = spent["session_execute"] - spent["sqlite_cursor"]
    kernels = spent["signatures"] + spent["check_article"]
    floor = spent["store"] - layer - spent["zlib"]
    print(f"pages: {n}; batch {args.batch}")
    print(f"extraction alone:          {ms(alone)}  (before {ms(before)}, after {ms(after)})")
    print(f"writer loop:               {ms(loop)}")
    print(f"  less extraction alone:   {ms(loop - alone)}")
    print(f"  extraction inside:       {ms(spent['extraction_inside'])}")
    print(f"  store (_store):          {ms(spent['store'])}")
    print(f"    SQL (Session.execute): {ms(spent['session_execute'])}")
    print(f"      SQLite's cursor:     {ms(spent['sqlite_cursor'])}")
    print(f"      SQLAlchemy's layer:  {ms(layer)}")
    print(f"    zlib of the body:      {ms(spent['zlib'])}")
    print(f"    dedup kernels:         {ms(kernels)}  (signatures {ms(spent['signatures'])})")
    print(f"    clusters:              {ms(spent['clusters'])}")
    print(f"  garbage collection:      {ms(spent['gc'])}  (in whichever part allocated)")
    print(f"store with SQLAlchemy's layer and zlib free: {ms(floor)}")
    print(f"  ratio of the writer loop then: {alone / (loop - layer - spent['zlib']):.2f}")
    print(f"  ratio of the writer loop now:  {alone / loop:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
