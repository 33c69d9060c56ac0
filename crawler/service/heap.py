"""The crawl process's garbage collector: start-up's heap frozen, fewer young collections.

A crawl process builds a large heap once (Scrapy, Twisted, trafilatura, SQLAlchemy,
numba's modules, the settings, the dedup index's Python side) and then, page after page,
objects that live for one page or one write batch. With CPython's defaults (a young
collection every 700 net allocations) those objects outlive two young collections, reach
the oldest generation and trigger full collections, each of which walks the whole heap:
on 1,100 generated pages 18 full collections took 2.5 s, 8 % of the crawl's CPU
(bench/README.md, ``bench.pipeline_bench``).

:func:`crawl_heap` freezes the heap start-up built (:func:`gc.freeze`: full collections
no longer walk it) and raises the young generation's threshold, so that most per-page
objects are freed before they are promoted; both are undone when the crawl ends. It
changes when cyclic garbage is collected, never what the crawl does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Net allocations of tracked objects between young collections (CPython's default: 700).
YOUNG_THRESHOLD = 10_000


@contextmanager
def crawl_heap(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Within: the heap built so far frozen, young collections every ``young`` net
    allocations (the older generations' thresholds unchanged). Restored on exit."""
    threshold = gc.get_threshold()
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(young, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
