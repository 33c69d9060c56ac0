"""The crawl's garbage-collector settings (:mod:`crawler.service.heap`) hold only while the
crawl runs, and leave cyclic garbage made during it collectable."""

from __future__ import annotations

import gc
import weakref

from crawler.service.heap import crawl_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_the_heap_is_frozen_and_the_threshold_raised_only_within() -> None:
    before = gc.get_threshold()
    with crawl_heap(young=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_the_crawl_are_still_collected() -> None:
    with crawl_heap():
        ref = weakref.ref(_Node())
        gc.collect()
        assert ref() is None


def test_restored_when_the_crawl_raises() -> None:
    before = gc.get_threshold()
    try:
        with crawl_heap():
            raise RuntimeError("the reactor failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
