"""A compact banded LSH index over MinHash values: sorted numpy runs of band keys.

datasketch's ``MinHashLSH`` keeps, per band, a dict from the band's bytes to a set of keys:
several hundred bytes per band per paragraph in Python objects. This index keeps one
64-bit key per band (band number mixed in) and one 32-bit slot per entry, in sorted numpy
arrays, with a prefix table per array (half a byte per entry) so that a lookup reads a
few cache lines whatever the size: 12.5 bytes per band per paragraph, O(1) queries.
New entries go to a bounded buffer with a hash table; full buffers become sorted runs, and
runs of similar size are merged (a log-structured merge), so adding stays cheap and a
query looks at a handful of runs. The probes are compiled kernels
(:mod:`crawler.dedup.lsh_kernel`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from crawler.dedup.lsh_kernel import (
    band_keys_kernel,
    merge_runs,
    prefix_offsets,
    probe_run,
    sort_run,
    table_insert,
    table_probe,
)

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]

_BUFFER_LIMIT = 32_768
_FANOUT = 8


def band_keys(values: npt.NDArray[np.uint32], bands: int, rows: int) -> U64:
    """64-bit keys, shape (n, bands), of MinHash values of shape (n, num_perm).

    Band ``i`` covers values ``[i*rows, (i+1)*rows)``; the band number is mixed in, so all
    bands can share one sorted array.
    """
    return band_keys_kernel(np.ascontiguousarray(values, dtype=np.uint32), bands, rows)


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

    def lookup(self, keys: U64) -> tuple[I32, npt.NDArray[np.int64]]:
        return probe_run(self.keys, self.slots, self.offsets, 64 - self.bits, keys)


class SortedMultiMap:
    """uint64 key -> int32 slots, many values per key, append-only.

    New entries go to a bounded buffer (arrays in arrival order plus an open-addressing
    hash table over them); a full buffer becomes a sorted run, and a run is merged into
    the previous one while that one is at most ``_FANOUT`` times larger, so there are only
    a few runs (sizes grow by a factor of ``_FANOUT``) and a lookup makes one compiled
    probe per run and one of the buffer.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        self._buf_keys: U64 = np.empty(_BUFFER_LIMIT, dtype=np.uint64)
        self._buf_slots: I32 = np.empty(_BUFFER_LIMIT, dtype=np.int32)
        self._table = np.full(2 * _BUFFER_LIMIT, -1, dtype=np.int64)
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
        table_insert(self._table, self._buf_keys, lo, n)
        self._buffered = lo + n

    def flush(self) -> None:
        """Turn the buffer into a sorted run."""
        n = self._buffered
        if not n:
            return
        keys, slots = sort_run(self._buf_keys[:n], self._buf_slots[:n])
        self._buffered = 0
        self._table.fill(-1)
        self._push_run(keys, slots)

    def _push_run(self, keys: U64, slots: I32) -> None:
        runs = self._runs
        while runs and len(runs[-1]) <= _FANOUT * len(keys):
            last = runs.pop()
            keys, slots = merge_runs(last.keys, last.slots, keys, slots)
        runs.append(_Run(keys, slots))

    def lookup(self, keys: U64) -> tuple[I32, npt.NDArray[np.int64]]:
        """Slots stored under each of ``keys``: (slots, index into ``keys`` of each slot)."""
        keys = keys.astype(np.uint64, copy=False)
        out_slots: list[I32] = []
        out_query: list[npt.NDArray[np.int64]] = []
        for run in self._runs:
            found, owner = run.lookup(keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if self._buffered:
            found, owner = table_probe(self._table, self._buf_keys, self._buf_slots, keys)
            if len(found):
                out_slots.append(found)
                out_query.append(owner)
        if not out_slots:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        if len(out_slots) == 1:
            return out_slots[0], out_query[0]
        return np.concatenate(out_slots), np.concatenate(out_query)

    def export_runs(self) -> list[tuple[U64, I32]]:
        """The sorted runs ``(keys, slots)``, oldest first, the buffer flushed into them
        (what :meth:`restore_runs` takes back)."""
        self.flush()
        return [(r.keys, r.slots) for r in self._runs]

    def restore_runs(self, runs: Iterable[tuple[U64, I32]]) -> None:
        """Replace every entry by sorted runs (from :meth:`export_runs`)."""
        self._buffered = 0
        self._table.fill(-1)
        self._runs = [_Run(keys, slots) for keys, slots in runs if len(keys)]

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
