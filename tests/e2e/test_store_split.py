"""bench.store_split on a few generated pages: the parts counted, nothing left wrapped."""

from __future__ import annotations

import logging
import re
import zlib

import pytest
from sqlalchemy.orm import Session

from bench import store_split
from crawler.dedup import DedupEngine
from crawler.ingest.ingestor import Ingestor


def _ms(label: str, out: str) -> float:
    found = re.search(rf"{re.escape(label)}: +([-\d.]+) ms/page", out)
    assert found is not None, f"{label!r} not in the output:\n{out}"
    return float(found.group(1))


def test_split_prints_parts_that_add_up(capsys: pytest.CaptureFixture[str]) -> None:
    originals = (Ingestor._store, Session.execute, DedupEngine.check_article, zlib.compress)
    assert store_split.main(["--pages", "12", "--batch", "5"]) == 0
    assert logging.root.manager.disable == logging.NOTSET
    # the counters are gone once the measured pass is over
    assert (Ingestor._store, Session.execute, DedupEngine.check_article, zlib.compress) == (
        originals
    )
    out = capsys.readouterr().out
    assert "pages: 12; batch 5" in out
    loop, store = _ms("writer loop", out), _ms("store (_store)", out)
    sql, cursor = _ms("SQL (Session.execute)", out), _ms("SQLite's cursor", out)
    layer = _ms("SQLAlchemy's layer", out)
    zlib_ms, kernels = _ms("zlib of the body", out), _ms("dedup kernels", out)
    inside = _ms("extraction inside", out)
    assert 0 < cursor <= sql < store < loop
    assert 0 < zlib_ms < store and 0 < kernels < store
    assert abs(layer - (sql - cursor)) < 0.02
    assert inside + store <= loop + 0.02  # both run inside the loop, one after the other
    floor = _ms("store with SQLAlchemy's layer and zlib free", out)
    assert abs(floor - (store - layer - zlib_ms)) < 0.03
