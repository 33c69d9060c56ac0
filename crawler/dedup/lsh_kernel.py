"""Compiled kernels of the index (:mod:`crawler.dedup.lsh`): probing a sorted run through
its prefix table, a hash table for the buffer of recent entries, LSH band keys, and
ranking the candidates a lookup returns.

One call each replaces the handful of numpy calls (a few microseconds apiece) that the
same work costs as array expressions: an article's lookup was about ten of them per run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from crawler.dedup.jit import kernel

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

_GOLDEN = 0x9E3779B97F4A7C15
_EMPTY = -1


@kernel
def probe_run(
    keys: U64, slots: I32, offsets: npt.NDArray[np.signedinteger[Any]], shift: int, queries: U64
) -> tuple[I32, I64]:
    """Slots stored under each query key in one sorted run: ``(slots, query index)``.

    ``offsets[p]`` is where the keys whose top bits are ``p`` start (``p = key >> shift``).
    """
    # one pass, into arrays that grow by doubling (the keys are read once: a second
    # counting pass would double the cache misses, which are most of the cost)
    cap = max(16, 2 * len(queries))
    out_slots = np.empty(cap, dtype=np.int32)
    out_owner = np.empty(cap, dtype=np.int64)
    n = 0
    for q in range(len(queries)):
        key = queries[q]
        p = key >> np.uint64(shift)
        for i in range(offsets[p], offsets[p + 1]):
            k = keys[i]
            if k == key:
                if n == cap:
                    cap *= 2
                    grown_slots = np.empty(cap, dtype=np.int32)
                    grown_slots[:n] = out_slots[:n]
                    out_slots = grown_slots
                    grown_owner = np.empty(cap, dtype=np.int64)
                    grown_owner[:n] = out_owner[:n]
                    out_owner = grown_owner
                out_slots[n] = slots[i]
                out_owner[n] = q
                n += 1
            elif k > key:
                break
    return out_slots[:n], out_owner[:n]


@kernel
def _home(key: np.uint64, mask: int) -> int:
    return int((key * np.uint64(_GOLDEN)) >> np.uint64(40)) & mask


@kernel
def table_insert(table: I64, keys: U64, first: int, n: int) -> None:
    """Put entries ``first .. first + n - 1`` (positions in ``keys``) into the open
    addressing ``table`` (size a power of two, ``-1`` for empty cells, at most half
    full): one cell per entry, equal keys in the same probe sequence."""
    mask = len(table) - 1
    for e in range(first, first + n):
        h = _home(keys[e], mask)
        while table[h] != _EMPTY:
            h = (h + 1) & mask
        table[h] = e


@kernel
def table_probe(table: I64, keys: U64, slots: I32, queries: U64) -> tuple[I32, I64]:
    """Slots of the buffered entries under each query key: ``(slots, query index)``."""
    mask = len(table) - 1
    total = 0
    for q in range(len(queries)):
        key = queries[q]
        h = _home(key, mask)
        while table[h] != _EMPTY:
            if keys[table[h]] == key:
                total += 1
            h = (h + 1) & mask
    out_slots = np.empty(total, dtype=np.int32)
    out_owner = np.empty(total, dtype=np.int64)
    n = 0
    for q in range(len(queries)):
        key = queries[q]
        h = _home(key, mask)
        while table[h] != _EMPTY:
            e = table[h]
            if keys[e] == key:
                out_slots[n] = slots[e]
                out_owner[n] = q
                n += 1
            h = (h + 1) & mask
    return out_slots, out_owner


@kernel
def band_keys_kernel(values: npt.NDArray[np.uint32], bands: int, rows: int) -> U64:
    """64-bit keys, shape ``(n, bands)``, of MinHash values of shape ``(n, num_perm)``:
    band ``i`` covers values ``[i*rows, (i+1)*rows)``, the band number mixed in."""
    prime = np.uint64(_GOLDEN)
    out = np.empty((values.shape[0], bands), dtype=np.uint64)
    for d in range(values.shape[0]):
        for b in range(bands):
            k = np.uint64(b + 1) * prime
            for r in range(rows):
                k = (k ^ np.uint64(values[d, b * rows + r])) * prime
                k ^= k >> np.uint64(29)
            out[d, b] = k
    return out


@kernel
def rank_candidates(
    owner: I64,
    slots: I32,
    weight: F64,
    stored_keys: I64,
    min_hits: float,
    max_per_owner: int,
) -> tuple[I64, I64]:
    """The candidates of each query: the stored entries (``slots``) a query (``owner``)
    hit with a total ``weight`` of at least ``min_hits``, at most ``max_per_owner`` per
    query, most weight first, then smallest stored key.

    Returns:
        ``(owners, stored keys)``, grouped by owner in increasing order.
    """
    n = len(owner)
    if n == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    width = np.int64(len(stored_keys) + 1)
    code = owner * width + slots.astype(np.int64)
    order = np.argsort(code)
    # one row per distinct (owner, slot) with its summed weight
    u_owner = np.empty(n, dtype=np.int64)
    u_key = np.empty(n, dtype=np.int64)
    u_weight = np.empty(n, dtype=np.float64)
    m = 0
    prev = np.int64(-1)
    for i in order:
        c = code[i]
        if c != prev:
            u_owner[m] = owner[i]
            u_key[m] = stored_keys[slots[i]]
            u_weight[m] = 0.0
            m += 1
            prev = c
        u_weight[m - 1] += weight[i]
    keep = u_weight[:m] >= min_hits
    k_owner = u_owner[:m][keep]
    k_key = u_key[:m][keep]
    k_weight = u_weight[:m][keep]
    # rows are already grouped by owner; sort each group by (-weight, key)
    res_owner = np.empty(len(k_owner), dtype=np.int64)
    res_key = np.empty(len(k_owner), dtype=np.int64)
    r = 0
    lo = 0
    while lo < len(k_owner):
        hi = lo
        while hi < len(k_owner) and k_owner[hi] == k_owner[lo]:
            hi += 1
        # insertion sort: a query has a few candidates
        for a in range(lo + 1, hi):
            w, k = k_weight[a], k_key[a]
            b = a - 1
            while b >= lo and (k_weight[b] < w or (k_weight[b] == w and k_key[b] > k)):
                k_weight[b + 1] = k_weight[b]
                k_key[b + 1] = k_key[b]
                b -= 1
            k_weight[b + 1] = w
            k_key[b + 1] = k
        for j in range(lo, min(hi, lo + max_per_owner)):
            res_owner[r] = k_owner[lo]
            res_key[r] = k_key[j]
            r += 1
        lo = hi
    return res_owner[:r], res_key[:r]


@kernel
def merge_runs(k1: U64, s1: I32, k2: U64, s2: I32) -> tuple[U64, I32]:
    """Merge two sorted runs in one linear pass (equal keys: those of the first run
    first)."""
    n1, n2 = len(k1), len(k2)
    keys = np.empty(n1 + n2, dtype=np.uint64)
    slots = np.empty(n1 + n2, dtype=np.int32)
    i = j = o = 0
    while i < n1 and j < n2:
        if k1[i] <= k2[j]:
            keys[o] = k1[i]
            slots[o] = s1[i]
            i += 1
        else:
            keys[o] = k2[j]
            slots[o] = s2[j]
            j += 1
        o += 1
    while i < n1:
        keys[o] = k1[i]
        slots[o] = s1[i]
        i += 1
        o += 1
    while j < n2:
        keys[o] = k2[j]
        slots[o] = s2[j]
        j += 1
        o += 1
    return keys, slots


@kernel
def prefix_offsets(keys: U64, bits: int) -> I64:
    """``offsets[p]``: the first position in sorted ``keys`` whose top ``bits`` bits are at
    least ``p`` (``2**bits + 1`` entries, the last one ``len(keys)``)."""
    size = 1 << bits
    shift = np.uint64(64 - bits)
    offsets = np.zeros(size + 1, dtype=np.int64)
    for i in range(len(keys)):
        offsets[int(keys[i] >> shift) + 1] += 1
    for p in range(size):
        offsets[p + 1] += offsets[p]
    return offsets


@kernel
def sort_run(keys: U64, slots: I32) -> tuple[U64, I32]:
    """``keys`` sorted, with their ``slots``: a counting sort on the top bits (the keys are
    hashes, so the buckets hold about one key each), then insertion sort inside each
    bucket (``argsort`` for a crowded bucket). Linear time for hash keys, against
    ``n log n`` for ``argsort`` of the whole run."""
    n = len(keys)
    bits = 1
    while (1 << bits) < n and bits < 24:
        bits += 1
    shift = np.uint64(64 - bits)
    starts = np.zeros((1 << bits) + 1, dtype=np.int64)
    for i in range(n):
        starts[int(keys[i] >> shift) + 1] += 1
    for b in range(1 << bits):
        starts[b + 1] += starts[b]
    fill = starts[:-1].copy()
    out_keys = np.empty(n, dtype=np.uint64)
    out_slots = np.empty(n, dtype=np.int32)
    for i in range(n):
        b = int(keys[i] >> shift)
        out_keys[fill[b]] = keys[i]
        out_slots[fill[b]] = slots[i]
        fill[b] += 1
    for b in range(1 << bits):
        lo, hi = starts[b], starts[b + 1]
        if hi - lo > 32:
            # keys that are not spread like hashes: sort the bucket outright
            order = np.argsort(out_keys[lo:hi])
            out_keys[lo:hi] = out_keys[lo:hi][order]
            out_slots[lo:hi] = out_slots[lo:hi][order]
            continue
        for a in range(lo + 1, hi):
            k, s = out_keys[a], out_slots[a]
            c = a - 1
            while c >= lo and out_keys[c] > k:
                out_keys[c + 1] = out_keys[c]
                out_slots[c + 1] = out_slots[c]
                c -= 1
            out_keys[c + 1] = k
            out_slots[c + 1] = s
    return out_keys, out_slots
