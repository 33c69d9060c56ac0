"""The pair model's overlap features (Python sets of n-gram keys) equal their definitions
as numpy set operations on the same keys, and the term-id relations equal theirs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup.features import char4_overlap, fast_overlaps, id_relations

_P1 = np.uint64(0x9E3779B97F4A7C15)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)

# small alphabets make many repeats and ties, where difflib's tie-breaking shows
seqs = st.lists(st.integers(0, 6), max_size=40)


def _overlap(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    x, y = np.unique(x), np.unique(y)
    shared = len(np.intersect1d(x, y))
    union = len(x) + len(y) - shared
    small = min(len(x), len(y))
    return (shared / union if union else 0.0, shared / small if small else 0.0)


@settings(max_examples=300, deadline=None)
@given(seqs, seqs)
def test_fast_overlaps_equal_the_set_definitions(a: list[int], b: list[int]) -> None:
    ta, tb = np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bi = [(t[:-1] << np.uint64(32)) | t[1:] for t in (ta, tb)]
        tri = [(t[:-2] * _P1 + t[1:-1]) * _P2 + t[2:] for t in (ta, tb)]
    expected = (
        _overlap(ta, tb)[0],
        *_overlap(bi[0], bi[1]),
        *_overlap(tri[0], tri[1]),
    )
    got = fast_overlaps(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=30), st.binary(max_size=30))
def test_char4_overlap_equals_the_set_definition(a: bytes, b: bytes) -> None:
    def grams(x: bytes) -> np.ndarray:
        v = np.frombuffer(x, dtype=np.uint8).astype(np.uint64)
        if len(v) < 4:
            return np.empty(0, dtype=np.uint64)
        return (
            (v[:-3] << np.uint64(24))
            | (v[1:-2] << np.uint64(16))
            | (v[2:-1] << np.uint64(8))
            | v[3:]
        )

    got = char4_overlap(np.frombuffer(a, dtype=np.uint8), np.frombuffer(b, dtype=np.uint8))
    assert got == _overlap(grams(a), grams(b))


@settings(max_examples=300, deadline=None)
@given(seqs, seqs, st.sets(st.integers(0, 6)))
def test_id_relations_equal_the_set_definitions(
    a: list[int], b: list[int], figures: set[int]
) -> None:
    numeric = np.array([t in figures for t in range(7)])
    got = id_relations(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), numeric)
    sa, sb = set(a), set(b)
    expected = (
        len(sa & figures),
        bool((sa - sb) & figures),
        bool((sb - sa) & figures),
        sa <= sb,
        sb <= sa,
    )
    assert got == expected
