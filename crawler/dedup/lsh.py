"""A compact banded LSH index over MinHash values: sorted numpy runs of band keys.

datasketch's ``MinHashLSH`` keeps, per band, a dict from the band's bytes to a set of keys:
several hundred bytes per band per paragraph in Python objects. This index keeps one
64-bit key per band (band number mixed in) and one 32-bit slot per entry, in sorted numpy
arrays, with a prefix table per array (half a byte per entry) so that a lookup reads a
few cache lines whatever the size: 12.5 bytes per band per paragraph. What is added
between two lookups becomes one small sorted run, and runs of similar size are merged (a
log-structured merge), so adding stays cheap and a query looks at a handful of runs. All
of it is numpy: a probe, a merge or a sort is a few array operations, not a loop per key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

_FANOUT = 8
_PENDING_LIMIT = 32_768
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _no_hits() -> tuple[I32, I64]:
    return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)


def band_keys(values: npt.NDArray[np.uint32], bands: int, rows: int) -> U64:
    """64-bit keys, shape (n, bands), of MinHash values of shape (n, num_perm).

    Band ``i`` covers values ``[i*rows, (i+1)*rows)``; the band number is mixed in, so all
    bands can share one sorted array: the key starts as ``(i + 1) * golden`` and takes each
    value of the band in turn, ``k = (k ^ v) * golden; k ^= k >> 29`` (mod ``2**64``).
    """
    v = np.asarray(values, dtype=np.uint32)[:, : bands * rows].astype(np.uint64)
    v = v.reshape(len(v), bands, rows)
    k = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _GOLDEN, (len(v), bands))
    for r in range(rows):
        k = (k ^ v[:, :, r]) * _GOLDEN
        k ^= k >> np.uint64(29)
    return np.ascontiguousarray(k)


def sort_run(keys: U64, slots: I32) -> tuple[U64, I32]:
    """``keys`` sorted, with their ``slots`` (equal keys in arrival order)."""
    order = np.argsort(keys, kind="stable")
    return keys[order], slots[order]


def merge_runs(k1: U64, s1: I32, k2: U64, s2: I32) -> tuple[U64, I32]:
    """Merge two sorted runs (equal keys: those of the first run first)."""
    return sort_run(np.concatenate([k1, k2]), np.concatenate([s1, s2]))


def prefix_offsets(keys: U64, bits: int) -> I64:
    """``offsets[p]``: the first position in sorted ``keys`` whose top ``bits`` bits are at
    least ``p`` (``2**bits + 1`` entries, the last one ``len(keys)``)."""
    offsets = np.zeros((1 << bits) + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys >> np.uint64(64 - bits), minlength=1 << bits), out=offsets[1:])
    return offsets


def probe_run(
    keys: U64, slots: I32, offsets: npt.NDArray[np.signedinteger[Any]], shift: int, queries: U64
) -> tuple[I32, I64]:
    """Slots stored under each query key in one sorted run: ``(slots, query index)``, by
    query, then in run order.

    ``offsets[p]`` is where the keys whose top bits are ``p`` start (``p = key >> shift``):
    each query compares the few keys of its bucket (contiguous, so a cache line or two)
    instead of a binary search over the whole run, a cache miss per step.
    """
    bucket = (queries >> np.uint64(shift)).astype(np.intp)
    lo = offsets[bucket].astype(np.int64)
    sizes = offsets[bucket + 1] - lo
    total = int(sizes.sum())
    if not total:
        return _no_hits()
    # every entry of every query's bucket: query q's at lo[q], lo[q] + 1, ...
    owner = np.repeat(np.arange(len(queries)), sizes)
    where = np.arange(total) + np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
    hit = keys[where] == queries[owner]
    return slots[where[hit]], owner[hit].astype(np.int64)


class _Run:
    """One sorted run with a prefix table: the top ``bits`` of a key give the range of
    entries to compare, so a lookup touches a few cache lines whatever the run's size."""

    __slots__ = ("bits", "keys", "offsets", "slots")

    def __init__(self, keys: U64, slots: I32) -> None:
        self.keys = keys
        self.slots = slots
        # about 8 entries per bucket: the table costs half a byte per entry
        self.bits = max(1, min(40, len(keys).bit_length() - 3))
        offsets = prefix_offsets(keys, self.bits)
        self.offsets: npt.NDArray[np.signedinteger[Any]] = (
            offsets.astype(np.int32) if len(keys) < 2**31 else offsets
        )

    def __len__(self) -> int:
        return len(self.keys)

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.slots.nbytes + self.offsets.nbytes)

    def lookup(self, keys: U64) -> tuple[I32, I64]:
        return probe_run(self.keys, self.slots, self.offsets, 64 - self.bits, keys)


class SortedMultiMap:
    """uint64 key -> int32 slots, many values per key, append-only.

    Batches added wait in a short list until the next lookup (or until they hold
    ``_PENDING_LIMIT`` entries); then they become one sorted run, and a run is merged into
    the previous one while that one is at most ``_FANOUT`` times larger (a log-structured
    merge), so there are only a few runs (sizes grow by a factor of ``_FANOUT``) and a
    lookup makes one probe per run. (A crawl adds an article's paragraphs one at a time,
    then looks up the next article: one run per article, not one per paragraph.)
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._pending_keys: list[U64] = []
        self._pending_slots: list[I32] = []
        self._pending = 0

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs) + self._pending

    def add_many(self, keys: U64, slots: I32) -> None:
        """Add ``keys[i] -> slots[i]`` (both 1-D, same length; the arrays are kept, not
        copied, until the next lookup: do not change them)."""
        if not len(keys):
            return
        self._pending_keys.append(keys.astype(np.uint64, copy=False))
        self._pending_slots.append(slots.astype(np.int32, copy=False))
        self._pending += len(keys)
        if self._pending >= _PENDING_LIMIT:
            self.flush()

    def flush(self) -> None:
        """Turn the batches added since the last lookup into a sorted run (merging runs)."""
        if not self._pending:
            return
        runs = self._runs
        merged: list[_Run] = []
        size = self._pending
        while runs and len(runs[-1]) <= _FANOUT * size:
            merged.append(runs.pop())
            size += len(merged[-1])
        # older entries first: a stable sort keeps equal keys in the order they came
        merged.reverse()
        keys = np.concatenate([r.keys for r in merged] + self._pending_keys)
        slots = np.concatenate([r.slots for r in merged] + self._pending_slots)
        self._pending_keys, self._pending_slots, self._pending = [], [], 0
        runs.append(_Run(*sort_run(keys, slots)))

    def lookup(self, keys: U64) -> tuple[I32, I64]:
        """Slots stored under each of ``keys``: (slots, index into ``keys`` of each slot)."""
        self.flush()
        keys = keys.astype(np.uint64, copy=False)
        out_slots: list[I32] = []
        out_query: list[I64] = []
        for run in self._runs:
            found, owner = run.lookup(keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if not out_slots:
            return _no_hits()
        if len(out_slots) == 1:
            return out_slots[0], out_query[0]
        return np.concatenate(out_slots), np.concatenate(out_query)

    def export_runs(self) -> list[tuple[U64, I32]]:
        """The sorted runs ``(keys, slots)``, oldest first, pending batches flushed into them
        (what :meth:`restore_runs` takes back)."""
        self.flush()
        return [(r.keys, r.slots) for r in self._runs]

    def restore_runs(self, runs: Iterable[tuple[U64, I32]]) -> None:
        """Replace every entry by sorted runs (from :meth:`export_runs`)."""
        self._pending_keys, self._pending_slots, self._pending = [], [], 0
        self._runs = [_Run(keys, slots) for keys, slots in runs if len(keys)]

    def nbytes(self) -> int:
        """Bytes held by the sorted runs (after turning pending batches into one)."""
        self.flush()
        return sum(r.nbytes() for r in self._runs)


def exact_key(exact_hash: str) -> int:
    """The 64-bit key of a sha256 hex exact hash (its first 16 hex digits)."""
    return int(exact_hash[:16], 16)


def exact_keys(hashes: Iterable[str]) -> U64:
    """:func:`exact_key` of many hashes (one hex decoding for all of them)."""
    prefixes = "".join([h[:16] for h in hashes])
    return np.frombuffer(bytes.fromhex(prefixes), dtype=">u8").astype(np.uint64)
