from __future__ import annotations

import numpy as np

from crawler.dedup.lsh import SortedMultiMap, band_keys
from crawler.dedup.lsh_kernel import prefix_offsets, rank_candidates, sort_run


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


def test_rank_candidates_matches_reference() -> None:
    rng = np.random.default_rng(3)
    n = 4_000
    owner = rng.integers(0, 40, n).astype(np.int64)
    slots = rng.integers(0, 300, n).astype(np.int32)
    weight = rng.choice([1.0, 37.0], n, p=[0.95, 0.05])
    stored = rng.permutation(10_000)[:300].astype(np.int64)  # keys need not follow slots
    owners, keys = rank_candidates(owner, slots, weight, stored, 2.0, 5)
    got: dict[int, list[int]] = {}
    for q, k in zip(owners.tolist(), keys.tolist(), strict=True):
        got.setdefault(q, []).append(k)
    totals: dict[tuple[int, int], float] = {}
    for q, s, w in zip(owner.tolist(), slots.tolist(), weight.tolist(), strict=True):
        totals[q, s] = totals.get((q, s), 0.0) + w
    expected: dict[int, list[int]] = {}
    for q in sorted({q for q, _ in totals}):
        ranked = sorted(
            (-w, int(stored[s])) for (qq, s), w in totals.items() if qq == q and w >= 2.0
        )
        if ranked:
            expected[q] = [k for _, k in ranked[:5]]
    assert got == expected
    assert list(owners) == sorted(owners.tolist())


def test_buffer_lookup_with_many_equal_keys() -> None:
    mm = SortedMultiMap()
    keys = np.full(5_000, 7, dtype=np.uint64)
    keys[::2] = np.uint64(2**63 + 7)
    mm.add_many(keys[:3_000], np.arange(3_000, dtype=np.int32))
    mm.add_many(keys[3_000:], np.arange(3_000, 5_000, dtype=np.int32))
    found, qidx = mm.lookup(np.array([7, 2**63 + 7, 8], dtype=np.uint64))
    assert sorted(found[qidx == 0].tolist()) == list(range(1, 5_000, 2))
    assert sorted(found[qidx == 1].tolist()) == list(range(0, 5_000, 2))
    assert not (qidx == 2).any()


def test_sort_run_sorts_spread_and_crowded_keys() -> None:
    rng = np.random.default_rng(4)
    spread = rng.integers(0, 2**64 - 1, 20_000, dtype=np.uint64)
    crowded = rng.integers(0, 300, 5_000).astype(np.uint64)  # one bucket, many repeats
    for keys in (spread, crowded, np.concatenate([spread, crowded]), spread[:1], spread[:0]):
        slots = np.arange(len(keys), dtype=np.int32)
        got_keys, got_slots = sort_run(keys, slots)
        assert got_keys.tolist() == sorted(keys.tolist())
        assert (keys[got_slots] == got_keys).all()
        assert sorted(got_slots.tolist()) == slots.tolist()


def test_prefix_offsets_equal_searchsorted() -> None:
    keys = np.sort(np.random.default_rng(5).integers(0, 2**64 - 1, 5_000, dtype=np.uint64))
    for bits in (1, 4, 9):
        edges = np.arange(2**bits + 1, dtype=np.uint64) << np.uint64(64 - bits)
        expected = np.searchsorted(keys, edges)
        expected[-1] = len(keys)
        assert prefix_offsets(keys, bits).tolist() == expected.tolist()
