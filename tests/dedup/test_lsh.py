from __future__ import annotations

import numpy as np

from crawler.dedup.lsh import SortedMultiMap, band_keys


def test_multimap_matches_reference_across_runs_and_buffer() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 500, 150_000).astype(np.uint64)
    slots = np.arange(len(keys), dtype=np.int32)
    mm = SortedMultiMap()
    mm.add_many(keys[:70_000], slots[:70_000])  # one big run
    for i in range(70_000, len(keys), 999):  # buffered adds, flushed and merged
        mm.add_many(keys[i : i + 999], slots[i : i + 999])
    assert len(mm) == len(keys)
    query = np.array([3, 499, 10_000], dtype=np.uint64)
    found, qidx = mm.lookup(query)
    for qi, k in enumerate(query.tolist()):
        expected = set(np.flatnonzero(keys == k).tolist())
        assert set(found[qidx == qi].tolist()) == expected


def test_band_keys_differ_per_band_and_match_equal_bands() -> None:
    a = np.arange(12, dtype=np.uint32).reshape(1, 12)
    b = a.copy()
    b[0, 5] = 99  # changes band 1 only (rows 3..5)
    ka, kb = band_keys(a, 4, 3), band_keys(b, 4, 3)
    assert ka.shape == (1, 4)
    assert len(set(ka[0].tolist())) == 4
    assert (ka == kb).tolist() == [[True, False, True, True]]
