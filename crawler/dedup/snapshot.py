"""A snapshot file of the in-memory paragraph index, so a process starts in seconds.

The file holds the arrays :meth:`DedupEngine.load <crawler.dedup.engine.DedupEngine.load>`
builds (the key, article and group columns and the sorted runs of index keys with their
slots) behind a JSON header: format version, the dedup parameters' fingerprint, the
storage watermark it was taken at (highest paragraph id, row count, id sum and the
newest rows) and, per array, its dtype, shape, offset and CRC-32. Loading reads each
array straight into a numpy buffer (no per-row Python, no pickle: an untrusted file can
hold only numbers, and only the dtypes named here are accepted).

Writing is atomic (a temporary file in the same directory, fsync, rename), so a killed
process or two processes writing at once leave either the old file or a whole new one.

This module knows nothing of SQL: :mod:`crawler.ingest.index_snapshot` compares the
header with the database and decides whether to use, catch up or rebuild.

Example:
    >>> import tempfile, pathlib
    >>> arrays = IndexArrays(np.arange(3), np.zeros(3, np.int64), np.zeros(3, np.int64), [])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "db.index"
    >>> write_snapshot(path, arrays, SnapshotHeader("p", 2, 3, 3, []))
    >>> read_snapshot(path, "p")[1].keys.tolist()
    [0, 1, 2]
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from crawler.dedup.lsh import exact_keys
from crawler.dedup.query import EXACT

log = logging.getLogger(__name__)

#: bumped whenever the layout or the meaning of an array changes
FORMAT_VERSION = 1
MAGIC = b"NDDXSNAP"
_ALIGN = 64
_DTYPES: dict[str, np.dtype[Any]] = {
    "<i8": np.dtype("<i8"),
    "<u8": np.dtype("<u8"),
    "<i4": np.dtype("<i4"),
}
_MAX_HEADER = 1 << 20
_TAG_MASK = 0xFFFFFFFFFFFFFFFC  # the two low bits of an index key tell its kind

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]

#: a stored row checked against the database: (paragraph id, article id, source id or -1,
#: first 16 hex digits of the exact hash)
TopRow = tuple[int, int, int, str]


class SnapshotError(Exception):
    """A snapshot file that cannot be used (missing, other parameters, broken)."""


@dataclass
class IndexArrays:
    """What the engine's index is made of.

    Attributes:
        keys, articles, groups: one entry per indexed paragraph (its slot).
        runs: sorted runs ``(index keys, slots)``, oldest (largest) first.
    """

    keys: I64
    articles: I64
    groups: I64
    runs: list[tuple[U64, I32]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.keys)

    def nbytes(self) -> int:
        cols = self.keys.nbytes + self.articles.nbytes + self.groups.nbytes
        return int(cols + sum(k.nbytes + s.nbytes for k, s in self.runs))

    def keep(self, mask: npt.NDArray[np.bool_]) -> IndexArrays:
        """The index without the slots where ``mask`` is False (slots renumbered, runs stay
        sorted): vectorised, a few passes over the arrays."""
        if bool(mask.all()):
            return self
        renumber = np.cumsum(mask, dtype=np.int64) - 1
        runs: list[tuple[U64, I32]] = []
        for keys, slots in self.runs:
            alive = mask[slots]
            runs.append((keys[alive], renumber[slots[alive]].astype(np.int32)))
        return IndexArrays(self.keys[mask], self.articles[mask], self.groups[mask], runs)

    def exact_column(self) -> U64:
        """The tagged exact key of each slot (every indexed paragraph has one), read from
        the runs; 0 for a slot without one."""
        out = np.zeros(len(self.keys), dtype=np.uint64)
        for keys, slots in self.runs:
            exact = (keys & np.uint64(3)) == np.uint64(EXACT)
            out[slots[exact]] = keys[exact]
        return out

    def matching(self, stored: StoredRows) -> npt.NDArray[np.bool_]:
        """Mask of the slots to keep: those whose paragraph id, article, group and exact
        key are those of a stored row, each id once (its first such slot). Slots of
        deleted paragraphs, of ids given out again to other paragraphs and repeats of a
        slot are left out."""
        n = len(self.keys)
        keep = np.zeros(n, dtype=bool)
        if not n or not len(stored.ids):
            return keep
        pos = np.minimum(np.searchsorted(stored.ids, self.keys), len(stored.ids) - 1)
        same = (
            (stored.ids[pos] == self.keys)
            & (stored.articles[pos] == self.articles)
            & (stored.groups[pos] == self.groups)
            & (stored.exact[pos] == self.exact_column())
        )
        candidates = np.flatnonzero(same)
        _, first = np.unique(self.keys[candidates], return_index=True)
        keep[candidates[first]] = True
        return keep


@dataclass(frozen=True)
class StoredRows:
    """What storage holds, one entry per signature row, ascending by paragraph id.

    Attributes:
        ids, articles, groups: paragraph, article and source ids (-1: no source).
        exact: the tagged exact key of each (see :func:`stored_exact`).
    """

    ids: I64
    articles: I64
    groups: I64
    exact: U64


def stored_exact(hashes: Sequence[str]) -> U64:
    """The tagged index keys of exact hashes (as the engine indexes them)."""
    keys = exact_keys(hashes)
    return (keys & np.uint64(_TAG_MASK)) | np.uint64(EXACT)


@dataclass(frozen=True)
class SnapshotHeader:
    """What a snapshot was taken from.

    Attributes:
        params: the dedup parameters' fingerprint.
        watermark: the highest paragraph id the index covers (rows above it are newer).
        rows: how many signature rows storage held at or below the watermark.
        id_sum: the sum of their paragraph ids.
        top: the newest rows at or below the watermark (see :data:`TopRow`), to notice
            ids reused after a deletion.
    """

    params: str
    watermark: int
    rows: int
    id_sum: int
    top: list[TopRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "watermark": self.watermark,
            "rows": self.rows,
            "id_sum": self.id_sum,
            "top": [list(t) for t in self.top],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SnapshotHeader:
        try:
            top = [(int(a), int(b), int(c), str(d)) for a, b, c, d in data["top"]]
            return cls(
                str(data["params"]),
                int(data["watermark"]),
                int(data["rows"]),
                int(data["id_sum"]),
                top,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(f"unreadable header: {exc}") from exc


def _named(arrays: IndexArrays) -> list[tuple[str, npt.NDArray[Any]]]:
    out: list[tuple[str, npt.NDArray[Any]]] = [
        ("keys", arrays.keys.astype("<i8", copy=False)),
        ("articles", arrays.articles.astype("<i8", copy=False)),
        ("groups", arrays.groups.astype("<i8", copy=False)),
    ]
    for i, (keys, slots) in enumerate(arrays.runs):
        out.append((f"run{i}.keys", keys.astype("<u8", copy=False)))
        out.append((f"run{i}.slots", slots.astype("<i4", copy=False)))
    return out


def _raw(a: npt.NDArray[Any]) -> memoryview:
    """The bytes of a contiguous array, without a copy."""
    return a.data.cast("B")


def _pad(n: int) -> int:
    return -n % _ALIGN


def write_snapshot(path: Path, arrays: IndexArrays, header: SnapshotHeader) -> None:
    """Write ``arrays`` with ``header`` to ``path`` atomically.

    Raises:
        OSError: the directory is not writable, the disk is full, ...; ``path`` is then
            left as it was (no temporary file stays behind).
    """
    named = [(name, np.ascontiguousarray(a)) for name, a in _named(arrays)]
    table: list[dict[str, Any]] = []
    offset = 0
    for name, a in named:
        table.append(
            {
                "name": name,
                "dtype": a.dtype.str,
                "shape": list(a.shape),
                "offset": offset,
                "nbytes": int(a.nbytes),
                "crc32": zlib.crc32(_raw(a)),
            }
        )
        offset += a.nbytes + _pad(a.nbytes)
    meta = {"format": FORMAT_VERSION, **header.to_json(), "arrays": table, "data_bytes": offset}
    blob = json.dumps(meta, separators=(",", ":")).encode()
    head = MAGIC + len(blob).to_bytes(8, "little") + blob
    head += b"\0" * _pad(len(head))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            for _, a in named:
                f.write(_raw(a))
                f.write(b"\0" * _pad(a.nbytes))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The raw header of a snapshot and where its arrays start.

    Raises:
        SnapshotError: missing, not a snapshot, another format version, broken header.
    """
    try:
        with path.open("rb") as f:
            return _read_header(f)
    except FileNotFoundError as exc:
        raise SnapshotError("no snapshot") from exc
    except OSError as exc:
        raise SnapshotError(f"cannot read: {exc}") from exc


def _read_header(f: BinaryIO) -> tuple[dict[str, Any], int]:
    start = f.read(len(MAGIC) + 8)
    if len(start) < len(MAGIC) + 8 or not start.startswith(MAGIC):
        raise SnapshotError("not an index snapshot")
    size = int.from_bytes(start[len(MAGIC) :], "little")
    if size > _MAX_HEADER:
        raise SnapshotError(f"header of {size} bytes")
    blob = f.read(size)
    if len(blob) != size:
        raise SnapshotError("truncated header")
    try:
        meta = json.loads(blob)
    except ValueError as exc:
        raise SnapshotError(f"unreadable header: {exc}") from exc
    if not isinstance(meta, dict):
        raise SnapshotError("unreadable header")
    if meta.get("format") != FORMAT_VERSION:
        raise SnapshotError(f"format {meta.get('format')!r}, this version reads {FORMAT_VERSION}")
    base = len(MAGIC) + 8 + size
    return meta, base + _pad(base)


def read_snapshot(path: Path, params: str) -> tuple[SnapshotHeader, IndexArrays]:
    """Read a snapshot made with the parameters of fingerprint ``params``.

    Raises:
        SnapshotError: missing, other parameters, truncated or corrupt (CRC), arrays that
            do not fit together.
    """
    try:
        with path.open("rb") as f:
            meta, base = _read_header(f)
            header = SnapshotHeader.from_json(meta)
            if header.params != params:
                raise SnapshotError(
                    f"made with other dedup parameters ({header.params[:12]}, now {params[:12]})"
                )
            size = os.fstat(f.fileno()).st_size
            if size != base + int(meta.get("data_bytes", -1)):
                raise SnapshotError(f"truncated or padded: {size} bytes, header says otherwise")
            named = {e["name"]: _read_array(f, base, e) for e in _entries(meta)}
    except FileNotFoundError as exc:
        raise SnapshotError("no snapshot") from exc
    except OSError as exc:
        raise SnapshotError(f"cannot read: {exc}") from exc
    return header, _assemble(named)


def _entries(meta: dict[str, Any]) -> list[dict[str, Any]]:
    table = meta.get("arrays")
    if not isinstance(table, list):
        raise SnapshotError("no array table")
    for e in table:
        if not isinstance(e, dict) or e.get("dtype") not in _DTYPES:
            raise SnapshotError(f"bad array entry {e!r:.80}")
    return table


def _read_array(f: BinaryIO, base: int, entry: dict[str, Any]) -> npt.NDArray[Any]:
    try:
        dtype = _DTYPES[entry["dtype"]]
        (n,) = (int(x) for x in entry["shape"])
        nbytes, offset, crc = int(entry["nbytes"]), int(entry["offset"]), int(entry["crc32"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"bad array entry {entry!r:.80}") from exc
    if n < 0 or nbytes != n * dtype.itemsize or offset < 0:
        raise SnapshotError(f"bad array entry {entry!r:.80}")
    out = np.empty(n, dtype=dtype)
    f.seek(base + offset)
    got = f.readinto(_raw(out)) if n else 0  # type: ignore[attr-defined]
    if got != nbytes:
        raise SnapshotError(f"truncated: array {entry['name']} has {got} of {nbytes} bytes")
    if zlib.crc32(_raw(out)) != crc:
        raise SnapshotError(f"corrupt: array {entry['name']} fails its CRC-32")
    result: npt.NDArray[Any] = out
    return result


def _assemble(named: dict[str, npt.NDArray[Any]]) -> IndexArrays:
    try:
        keys, articles, groups = named["keys"], named["articles"], named["groups"]
    except KeyError as exc:
        raise SnapshotError(f"array {exc} missing") from exc
    n = len(keys)
    if len(articles) != n or len(groups) != n:
        raise SnapshotError("columns of different lengths")
    runs: list[tuple[U64, I32]] = []
    i = 0
    while f"run{i}.keys" in named:
        rk, rs = named[f"run{i}.keys"], named.get(f"run{i}.slots")
        if rs is None or len(rs) != len(rk) or rk.dtype != np.uint64 or rs.dtype != np.int32:
            raise SnapshotError(f"run {i} broken")
        if len(rs) and (int(rs.min()) < 0 or int(rs.max()) >= n):
            raise SnapshotError(f"run {i} points outside the columns")
        if len(rk) > 1 and bool((rk[1:] < rk[:-1]).any()):
            raise SnapshotError(f"run {i} not sorted")
        runs.append((rk.astype(np.uint64, copy=False), rs.astype(np.int32, copy=False)))
        i += 1
    return IndexArrays(
        keys.astype(np.int64, copy=False),
        articles.astype(np.int64, copy=False),
        groups.astype(np.int64, copy=False),
        runs,
    )
