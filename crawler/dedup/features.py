"""The pair model's overlap features (:func:`crawler.dedup.verify.pair_features`): term,
bigram, trigram and character 4-gram set overlaps, the matching-blocks ratio of
``difflib.SequenceMatcher(None, a, b, autojunk=False)``, and how two term-id sequences
relate (figures, inclusion).

The n-gram keys are 64-bit integers made by numpy from the term ids (a bigram is its two
ids side by side, a trigram a multiplicative hash of its three, wrapping mod ``2**64``, a
character 4-gram its four bytes); the sets are Python sets of those keys, which for a
paragraph's few dozen keys is faster than numpy's sorting set operations.
"""

from __future__ import annotations

import difflib

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]

_P1 = np.uint64(0x9E3779B97F4A7C15)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_32 = np.uint64(32)


def _jaccard_containment(x: set[int], y: set[int]) -> tuple[float, float]:
    """Jaccard and containment (shared over the smaller set) of two key sets."""
    shared = len(x & y)
    union = len(x) + len(y) - shared
    small = min(len(x), len(y))
    return (shared / union if union else 0.0, shared / small if small else 0.0)


def _bigrams(t: U64) -> set[int]:
    return set(((t[:-1] << _32) | t[1:]).tolist())


def _trigrams(t: U64) -> set[int]:
    return set(((t[:-2] * _P1 + t[1:-1]) * _P2 + t[2:]).tolist())


def _char4(b: U8) -> set[int]:
    if len(b) < 4:
        return set()
    w = b.astype(np.uint32)
    return set(((w[:-3] << 24) | (w[1:-2] << 16) | (w[2:-1] << 8) | w[3:]).tolist())


def fast_overlaps(ids_a: I64, ids_b: I64) -> tuple[float, float, float, float, float]:
    """Term Jaccard, bigram Jaccard and containment, trigram Jaccard and containment of
    two term-id sequences (stopwords included)."""
    ta = ids_a.astype(np.uint64)
    tb = ids_b.astype(np.uint64)
    term_j, _ = _jaccard_containment(set(ids_a.tolist()), set(ids_b.tolist()))
    bi_j, bi_c = _jaccard_containment(_bigrams(ta), _bigrams(tb))
    tri_j, tri_c = _jaccard_containment(_trigrams(ta), _trigrams(tb))
    return term_j, bi_j, bi_c, tri_j, tri_c


def char4_overlap(joined_a: U8, joined_b: U8) -> tuple[float, float]:
    """Jaccard and containment of the 4-grams of two byte strings."""
    return _jaccard_containment(_char4(joined_a), _char4(joined_b))


def sequence_ratio(a: I64, b: I64) -> float:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()`` of two term-id
    sequences."""
    return difflib.SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False).ratio()


def id_relations(
    ids_a: I64, ids_b: I64, numeric: npt.NDArray[np.bool_]
) -> tuple[int, bool, bool, bool, bool]:
    """How two term-id sequences relate: the number of distinct figures of ``a``; whether
    ``a`` has a figure that ``b`` lacks, and ``b`` one that ``a`` lacks; whether every term
    of ``a`` occurs in ``b``, and every term of ``b`` in ``a`` (``numeric[id]``: the term is
    a figure)."""
    sa = set(ids_a.tolist())
    sb = set(ids_b.tolist())
    only_a = sa - sb
    only_b = sb - sa
    figures = numeric.__getitem__
    a_figures = sum(1 for t in sa if figures(t))
    a_extra = any(figures(t) for t in only_a)
    b_extra = any(figures(t) for t in only_b)
    return a_figures, a_extra, b_extra, not only_a, not only_b
