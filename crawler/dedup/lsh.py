"""A compact banded LSH index over MinHash values: sorted numpy runs of band keys.

datasketch's ``MinHashLSH`` keeps, per band, a dict from the band's bytes to a set of keys:
several hundred bytes per band per paragraph in Python objects. This index keeps one
64-bit key per band (band number mixed in) and one 32-bit slot per entry, in sorted numpy
arrays, with a prefix table per array (half a byte per entry) so that a lookup reads a
few cache lines whatever the size: 12.5 bytes per band per paragraph, O(1) queries.
New entries go to a small dict buffer; full buffers become sorted runs, and runs of similar
size are merged (a log-structured merge), so adding stays cheap and a query looks at a
handful of runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]

_PRIME = np.uint64(0x9E3779B97F4A7C15)
_BUFFER_LIMIT = 8_192
_FANOUT = 8


def band_keys(values: npt.NDArray[np.uint32], bands: int, rows: int) -> U64:
    """64-bit keys, shape (n, bands), of MinHash values of shape (n, num_perm).

    Band ``i`` covers values ``[i*rows, (i+1)*rows)``; the band number is mixed in, so all
    bands can share one sorted array.
    """
    v = values[:, : bands * rows].astype(np.uint64).reshape(len(values), bands, rows)
    keys = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64), (len(values), bands))
    keys = keys * _PRIME
    for r in range(rows):
        keys = (keys ^ v[:, :, r]) * _PRIME
        keys ^= keys >> np.uint64(29)
    return keys


class _Run:
    """One sorted run with a prefix table: the top ``bits`` of a key give the range of
    entries to compare, so a lookup touches a few cache lines whatever the run's size."""

    __slots__ = ("bits", "keys", "offsets", "slots")

    def __init__(self, keys: U64, slots: I32) -> None:
        self.keys = keys
        self.slots = slots
        # about 8 entries per bucket: the table costs half a byte per entry
        self.bits = max(1, min(40, len(keys).bit_length() - 3))
        edges = np.arange(2**self.bits + 1, dtype=np.uint64) << np.uint64(64 - self.bits)
        edges[-1] = np.uint64(0xFFFFFFFFFFFFFFFF)
        offsets = np.searchsorted(keys, edges, side="left")
        offsets[-1] = len(keys)
        self.offsets = offsets.astype(np.int32 if len(keys) < 2**31 else np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.slots.nbytes + self.offsets.nbytes)

    def lookup(self, keys: U64) -> tuple[I32, npt.NDArray[np.int64]]:
        prefix = (keys >> np.uint64(64 - self.bits)).astype(np.int64)
        lo = self.offsets[prefix].astype(np.int64)
        counts = self.offsets[prefix + 1].astype(np.int64) - lo
        total = int(counts.sum())
        if not total:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
        hit = self.keys[idx] == keys[owner]
        return self.slots[idx[hit]], owner[hit]


class SortedMultiMap:
    """uint64 key -> int32 slots, many values per key, append-only.

    New entries are appended to a small pending buffer (numpy chunks, sorted lazily when a
    lookup needs them); a full buffer becomes a sorted run, and a run is merged into the
    previous one while that one is at most ``_FANOUT`` times larger, so there are only a
    few runs (sizes grow by a factor of ``_FANOUT``) and a lookup makes a few numpy calls.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._buf_keys: U64 = np.empty(0, dtype=np.uint64)
        self._buf_slots: I32 = np.empty(0, dtype=np.int32)

    @property
    def _buffered(self) -> int:
        return len(self._buf_keys)

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs) + self._buffered

    def add_many(self, keys: U64, slots: I32) -> None:
        """Add ``keys[i] -> slots[i]`` (both 1-D, same length)."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        keys = keys[order].astype(np.uint64, copy=False)
        slots = slots[order].astype(np.int32, copy=False)
        if len(keys) >= _BUFFER_LIMIT:
            self._push_run(keys, slots)
            return
        if self._buffered:
            keys, slots = _merge(self._buf_keys, self._buf_slots, keys, slots)
        self._buf_keys, self._buf_slots = keys, slots
        if self._buffered >= _BUFFER_LIMIT:
            self.flush()

    def flush(self) -> None:
        """Turn the buffer into a sorted run."""
        if not self._buffered:
            return
        keys, slots = self._buf_keys, self._buf_slots
        self._buf_keys = np.empty(0, dtype=np.uint64)
        self._buf_slots = np.empty(0, dtype=np.int32)
        self._push_run(keys, slots)

    def _push_run(self, keys: U64, slots: I32) -> None:
        runs = self._runs
        while runs and len(runs[-1]) <= _FANOUT * len(keys):
            last = runs.pop()
            keys, slots = _merge(last.keys, last.slots, keys, slots)
        runs.append(_Run(keys, slots))

    def lookup(self, keys: U64) -> tuple[I32, npt.NDArray[np.int64]]:
        """Slots stored under each of ``keys``: (slots, index into ``keys`` of each slot)."""
        out_slots: list[I32] = []
        out_query: list[npt.NDArray[np.int64]] = []
        for run in self._runs:
            found, owner = run.lookup(keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if self._buffered:
            bk = self._buf_keys
            lo = np.searchsorted(bk, keys, side="left")
            counts = np.searchsorted(bk, keys, side="right") - lo
            total = int(counts.sum())
            if total:
                idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
                out_slots.append(self._buf_slots[idx])
                out_query.append(np.repeat(np.arange(len(keys), dtype=np.int64), counts))
        if not out_slots:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        if len(out_slots) == 1:
            return out_slots[0], out_query[0]
        return np.concatenate(out_slots), np.concatenate(out_query)

    def nbytes(self) -> int:
        """Bytes held by the sorted runs (the buffer is bounded and not counted)."""
        return sum(r.nbytes() for r in self._runs)


def _merge(k1: U64, s1: I32, k2: U64, s2: I32) -> tuple[U64, I32]:
    """Merge two sorted runs in O(n)."""
    pos = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    n = len(k1) + len(k2)
    keys = np.empty(n, dtype=np.uint64)
    slots = np.empty(n, dtype=np.int32)
    mask = np.ones(n, dtype=bool)
    mask[pos] = False
    keys[pos] = k2
    slots[pos] = s2
    keys[mask] = k1
    slots[mask] = s1
    return keys, slots


def exact_key(exact_hash: str) -> int:
    """The 64-bit key of a sha256 hex exact hash (its first 16 hex digits)."""
    return int(exact_hash[:16], 16)


def exact_keys(hashes: Iterable[str]) -> U64:
    """:func:`exact_key` of many hashes."""
    return np.fromiter((int(h[:16], 16) for h in hashes), dtype=np.uint64)
