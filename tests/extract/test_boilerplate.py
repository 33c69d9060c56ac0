from __future__ import annotations

import pytest

from crawler.extract.boilerplate import boilerplate_hashes, remove_boilerplate
from crawler.extract.model import Block


def test_thresholds() -> None:
    counts = {"a": 4, "b": 5, "c": 30, "d": 1}
    assert boilerplate_hashes(counts, total_pages=20, min_pages=5, min_share=0.1) == {"b", "c"}
    # share dominates on a large site: 10 % of 100 pages is 10
    assert boilerplate_hashes(counts, total_pages=100, min_pages=5, min_share=0.1) == {"c"}
    assert boilerplate_hashes({}, total_pages=0) == set()


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="min_pages"):
        boilerplate_hashes({}, 10, min_pages=1)
    with pytest.raises(ValueError, match="min_share"):
        boilerplate_hashes({}, 10, min_share=1.5)
    with pytest.raises(ValueError, match="total_pages"):
        boilerplate_hashes({}, -1)


def test_remove() -> None:
    blocks = [Block("paragraph", "Story text."), Block("paragraph", "Get our newsletter")]
    kept, removed = remove_boilerplate(blocks, {"get our newsletter"}, str.lower)
    assert kept == [Block("paragraph", "Story text.")]
    assert [(r.text, r.reason) for r in removed] == [("Get our newsletter", "site-boilerplate")]
    assert remove_boilerplate(blocks, set(), str.lower) == (blocks, [])
