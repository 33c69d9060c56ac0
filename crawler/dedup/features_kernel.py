"""Compiled kernels for the pair model's overlap features (:func:`crawler.dedup.verify.
pair_features`): term, bigram, trigram and character 4-gram set overlaps, and the
matching-blocks ratio of ``difflib.SequenceMatcher(None, a, b, autojunk=False)``.

The definitions are those of the Python code they replace, value for value: the n-gram
keys are the same 64-bit integers, and :func:`sequence_ratio` follows difflib's
``get_matching_blocks``/``find_longest_match`` (no junk, no popular elements) step by
step, ties included (the tests compare both on random sequences).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]

_P1 = 0x9E3779B97F4A7C15
_P2 = 0xC2B2AE3D27D4EB4F


@kernel
def _shared_distinct(x: U64, y: U64) -> tuple[int, int, int]:
    """Distinct keys of ``x``, of ``y`` and shared by both (sorting copies)."""
    a = np.sort(x)
    b = np.sort(y)
    na = nb = shared = 0
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i] < b[j]):
            key = a[i]
            na += 1
            while i < len(a) and a[i] == key:
                i += 1
        elif i >= len(a) or b[j] < a[i]:
            key = b[j]
            nb += 1
            while j < len(b) and b[j] == key:
                j += 1
        else:
            key = a[i]
            na += 1
            nb += 1
            shared += 1
            while i < len(a) and a[i] == key:
                i += 1
            while j < len(b) and b[j] == key:
                j += 1
    return na, nb, shared


@kernel
def _jaccard_containment(x: U64, y: U64) -> tuple[float, float]:
    na, nb, shared = _shared_distinct(x, y)
    union = na + nb - shared
    small = min(na, nb)
    return (shared / union if union else 0.0, shared / small if small else 0.0)


@kernel
def _bigrams(t: U64) -> U64:
    n = max(len(t) - 1, 0)
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        out[i] = (t[i] << np.uint64(32)) | t[i + 1]
    return out


@kernel
def _trigrams(t: U64) -> U64:
    n = max(len(t) - 2, 0)
    out = np.empty(n, dtype=np.uint64)
    p1, p2 = np.uint64(_P1), np.uint64(_P2)
    for i in range(n):
        out[i] = (t[i] * p1 + t[i + 1]) * p2 + t[i + 2]
    return out


@kernel
def _char4(b: U8) -> U64:
    n = max(len(b) - 3, 0)
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        out[i] = (
            (np.uint64(b[i]) << np.uint64(24))
            | (np.uint64(b[i + 1]) << np.uint64(16))
            | (np.uint64(b[i + 2]) << np.uint64(8))
            | np.uint64(b[i + 3])
        )
    return out


@kernel
def fast_overlaps(ids_a: I64, ids_b: I64) -> tuple[float, float, float, float, float]:
    """Term Jaccard, bigram Jaccard and containment, trigram Jaccard and containment of
    two term-id sequences (stopwords included)."""
    ta = ids_a.astype(np.uint64)
    tb = ids_b.astype(np.uint64)
    term_j, _ = _jaccard_containment(ta, tb)
    bi_j, bi_c = _jaccard_containment(_bigrams(ta), _bigrams(tb))
    tri_j, tri_c = _jaccard_containment(_trigrams(ta), _trigrams(tb))
    return term_j, bi_j, bi_c, tri_j, tri_c


@kernel
def char4_overlap(joined_a: U8, joined_b: U8) -> tuple[float, float]:
    """Jaccard and containment of the 4-grams of two byte strings."""
    return _jaccard_containment(_char4(joined_a), _char4(joined_b))


@kernel
def sequence_ratio(a: I64, b: I64) -> float:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()``."""
    la, lb = len(a), len(b)
    if la + lb == 0:
        return 1.0
    # b2j: the positions of each value in b, increasing (a stable sort by value)
    order = np.argsort(b, kind="mergesort")
    values = b[order]
    j2len = np.zeros(lb + 1, dtype=np.int64)  # j2len[j + 1]: the previous row's value at j
    new = np.zeros(lb + 1, dtype=np.int64)
    touched = np.empty(lb, dtype=np.int64)
    new_touched = np.empty(lb, dtype=np.int64)
    stack = np.empty((la + lb + 2, 4), dtype=np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3] = 0, la, 0, lb
    depth = 1
    matches = 0
    while depth:
        depth -= 1
        alo, ahi, blo, bhi = stack[depth, 0], stack[depth, 1], stack[depth, 2], stack[depth, 3]
        besti, bestj, bestsize = alo, blo, 0
        n_touched = 0
        for i in range(alo, ahi):
            lo = np.searchsorted(values, a[i], side="left")
            hi = np.searchsorted(values, a[i], side="right")
            n_new = 0
            for r in range(lo, hi):
                j = order[r]
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = j2len[j] + 1
                new[j + 1] = k
                new_touched[n_new] = j + 1
                n_new += 1
                if k > bestsize:
                    besti, bestj, bestsize = i - k + 1, j - k + 1, k
            # the new row becomes the previous one (only touched cells are non-zero)
            for t in range(n_touched):
                j2len[touched[t]] = 0
            for t in range(n_new):
                j2len[new_touched[t]] = new[new_touched[t]]
                new[new_touched[t]] = 0
                touched[t] = new_touched[t]
            n_touched = n_new
        for t in range(n_touched):
            j2len[touched[t]] = 0
        # difflib extends the match by equal elements on both ends (a no-op without junk,
        # kept for fidelity)
        while besti > alo and bestj > blo and a[besti - 1] == b[bestj - 1]:
            besti, bestj, bestsize = besti - 1, bestj - 1, bestsize + 1
        while (
            besti + bestsize < ahi
            and bestj + bestsize < bhi
            and (a[besti + bestsize] == b[bestj + bestsize])
        ):
            bestsize += 1
        if bestsize:
            matches += bestsize
            if alo < besti and blo < bestj:
                stack[depth, 0], stack[depth, 1] = alo, besti
                stack[depth, 2], stack[depth, 3] = blo, bestj
                depth += 1
            if besti + bestsize < ahi and bestj + bestsize < bhi:
                stack[depth, 0], stack[depth, 1] = besti + bestsize, ahi
                stack[depth, 2], stack[depth, 3] = bestj + bestsize, bhi
                depth += 1
    return 2.0 * matches / (la + lb)


@kernel
def id_relations(
    ids_a: I64, ids_b: I64, numeric: npt.NDArray[np.bool_]
) -> tuple[int, bool, bool, bool, bool]:
    """How two term-id sequences relate: the number of distinct figures of ``a``; whether
    ``a`` has a figure that ``b`` lacks, and ``b`` one that ``a`` lacks; whether every term
    of ``a`` occurs in ``b``, and every term of ``b`` in ``a`` (``numeric[id]``: the term is
    a figure)."""
    a = np.sort(ids_a)
    b = np.sort(ids_b)
    i = j = 0
    a_figures = 0
    a_extra = b_extra = False
    a_in_b = b_in_a = True
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i] < b[j]):
            key = a[i]
            a_in_b = False
            if numeric[key]:
                a_figures += 1
                a_extra = True
            while i < len(a) and a[i] == key:
                i += 1
        elif i >= len(a) or b[j] < a[i]:
            key = b[j]
            b_in_a = False
            if numeric[key]:
                b_extra = True
            while j < len(b) and b[j] == key:
                j += 1
        else:
            key = a[i]
            if numeric[key]:
                a_figures += 1
            while i < len(a) and a[i] == key:
                i += 1
            while j < len(b) and b[j] == key:
                j += 1
    return a_figures, a_extra, b_extra, a_in_b, b_in_a
