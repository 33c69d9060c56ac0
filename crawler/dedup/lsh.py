"""A compact banded LSH index over MinHash values: sorted numpy runs of band keys.

datasketch's ``MinHashLSH`` keeps, per band, a dict from the band's bytes to a set of keys:
several hundred bytes per band per paragraph in Python objects. This index keeps one
64-bit key per band (band number mixed in) and one 32-bit slot per entry, in sorted numpy
arrays (12 bytes per band per paragraph); a lookup is one ``np.searchsorted`` per run.
New entries go to a bounded buffer (a dict from key to slots); a full buffer becomes a
sorted run, and runs of similar size are merged (a log-structured merge), so adding stays
cheap and a query looks at a handful of runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

_BUFFER_LIMIT = 32_768
_FANOUT = 8
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
    at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=np.uint64)
    slots = np.empty(len(keys), dtype=np.int32)
    first = np.ones(len(keys), dtype=bool)
    first[at] = False
    keys[at] = k2
    slots[at] = s2
    keys[first] = k1
    slots[first] = s1
    return keys, slots


def probe_run(keys: U64, slots: I32, queries: U64) -> tuple[I32, I64]:
    """Slots stored under each query key in one sorted run: ``(slots, query index)``, by
    query, then in run order."""
    lo = np.searchsorted(keys, queries, side="left")
    hi = np.searchsorted(keys, queries, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if not total:
        return _no_hits()
    hit = np.flatnonzero(counts)
    counts = counts[hit]
    owner = np.repeat(hit, counts)
    # positions lo[q], lo[q] + 1, ... for each query q with hits
    ends = np.cumsum(counts)
    where = np.arange(total) + np.repeat(lo[hit] - (ends - counts), counts)
    return slots[where], owner.astype(np.int64)


class _Run:
    """One sorted run of keys with their slots."""

    __slots__ = ("keys", "slots")

    def __init__(self, keys: U64, slots: I32) -> None:
        self.keys = keys
        self.slots = slots

    def __len__(self) -> int:
        return len(self.keys)

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.slots.nbytes)

    def lookup(self, keys: U64) -> tuple[I32, I64]:
        return probe_run(self.keys, self.slots, keys)


class SortedMultiMap:
    """uint64 key -> int32 slots, many values per key, append-only.

    New entries go to a bounded buffer (arrays in arrival order plus a dict from key to
    slots); a full buffer becomes a sorted run, and a run is merged into the previous one
    while that one is at most ``_FANOUT`` times larger, so there are only a few runs
    (sizes grow by a factor of ``_FANOUT``) and a lookup makes one probe per run and one of
    the buffer.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._buf_keys: U64 = np.empty(_BUFFER_LIMIT, dtype=np.uint64)
        self._buf_slots: I32 = np.empty(_BUFFER_LIMIT, dtype=np.int32)
        self._table: dict[int, list[int]] = {}
        self._buffered = 0

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs) + self._buffered

    def add_many(self, keys: U64, slots: I32) -> None:
        """Add ``keys[i] -> slots[i]`` (both 1-D, same length)."""
        n = len(keys)
        if not n:
            return
        keys = keys.astype(np.uint64, copy=False)
        slots = slots.astype(np.int32, copy=False)
        if n >= _BUFFER_LIMIT:
            self._push_run(*sort_run(keys, slots))
            return
        if self._buffered + n > _BUFFER_LIMIT:
            self.flush()
        lo = self._buffered
        self._buf_keys[lo : lo + n] = keys
        self._buf_slots[lo : lo + n] = slots
        table = self._table
        for key, slot in zip(keys.tolist(), slots.tolist(), strict=True):
            found = table.get(key)
            if found is None:
                table[key] = [slot]
            else:
                found.append(slot)
        self._buffered = lo + n

    def flush(self) -> None:
        """Turn the buffer into a sorted run."""
        n = self._buffered
        if not n:
            return
        keys, slots = sort_run(self._buf_keys[:n], self._buf_slots[:n])
        self._buffered = 0
        self._table = {}
        self._push_run(keys, slots)

    def _push_run(self, keys: U64, slots: I32) -> None:
        runs = self._runs
        while runs and len(runs[-1]) <= _FANOUT * len(keys):
            last = runs.pop()
            keys, slots = merge_runs(last.keys, last.slots, keys, slots)
        runs.append(_Run(keys, slots))

    def _probe_buffer(self, keys: U64) -> tuple[I32, I64]:
        """Slots of the buffered entries under each of ``keys``, in arrival order."""
        table = self._table
        found: list[int] = []
        owner: list[int] = []
        for q, key in enumerate(keys.tolist()):
            hit = table.get(key)
            if hit is not None:
                found.extend(hit)
                owner.extend([q] * len(hit))
        if not found:
            return _no_hits()
        return np.array(found, dtype=np.int32), np.array(owner, dtype=np.int64)

    def lookup(self, keys: U64) -> tuple[I32, I64]:
        """Slots stored under each of ``keys``: (slots, index into ``keys`` of each slot)."""
        keys = keys.astype(np.uint64, copy=False)
        out_slots: list[I32] = []
        out_query: list[I64] = []
        for run in self._runs:
            found, owner = run.lookup(keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if self._buffered:
            found, owner = self._probe_buffer(keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if not out_slots:
            return _no_hits()
        if len(out_slots) == 1:
            return out_slots[0], out_query[0]
        return np.concatenate(out_slots), np.concatenate(out_query)

    def nbytes(self) -> int:
        """Bytes held by the sorted runs (the buffer is bounded and not counted)."""
        return sum(r.nbytes() for r in self._runs)


def exact_key(exact_hash: str) -> int:
    """The 64-bit key of a sha256 hex exact hash (its first 16 hex digits)."""
    return int(exact_hash[:16], 16)


def exact_keys(hashes: Iterable[str]) -> U64:
    """:func:`exact_key` of many hashes (one hex decoding for all of them)."""
    prefixes = "".join([h[:16] for h in hashes])
    return np.frombuffer(bytes.fromhex(prefixes), dtype=">u8").astype(np.uint64)
