"""The pair model's overlap features from the compiled kernels equal their Python
definitions: difflib's ratio and set overlaps of numpy-unique n-gram keys."""

from __future__ import annotations

import difflib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup.features_kernel import char4_overlap, fast_overlaps, sequence_ratio

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


@settings(max_examples=400, deadline=None)
@given(seqs, seqs)
def test_sequence_ratio_is_difflibs(a: list[int], b: list[int]) -> None:
    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert sequence_ratio(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)) == expected


def test_sequence_ratio_on_long_sequences() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        a = rng.integers(0, 60, rng.integers(0, 300))
        b = a.copy()
        if len(b):
            b[rng.integers(0, len(b), 5)] = rng.integers(0, 60, 5)
        b = np.concatenate([b[: len(b) // 2], rng.integers(0, 60, 7), b[len(b) // 2 :]])
        expected = difflib.SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False).ratio()
        assert sequence_ratio(a.astype(np.int64), b.astype(np.int64)) == expected


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
