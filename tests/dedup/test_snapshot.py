"""The index snapshot file: round trip, damaged files, other parameters, atomic writes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest

from crawler.dedup import DedupEngine, DedupParams
from crawler.dedup.snapshot import (
    MAGIC,
    IndexArrays,
    SnapshotError,
    SnapshotHeader,
    StoredRows,
    read_header,
    read_snapshot,
    stored_exact,
    write_snapshot,
)

TEXTS = [
    f"Chipmaker {name} said on {day} that its {part} plant would raise output by"
    f" {n} percent next quarter after a long shortage of substrates and tools."
    for n, (name, day, part) in enumerate(
        [
            ("Avalon", "Monday", "packaging"),
            ("Borealis", "Tuesday", "wafer"),
            ("Cygnet", "Wednesday", "memory"),
            ("Dynamo", "Thursday", "logic"),
            ("Ember", "Friday", "sensor"),
        ]
        * 8
    )
]


def engine_with(texts: list[str]) -> DedupEngine:
    engine = DedupEngine()
    sigs = engine.signatures(texts)
    for i, sig in enumerate(sigs):
        engine.add(100 + i, article=i // 3, sig=sig, group=i % 2)
    return engine


def header(params: str = DedupParams().fingerprint()) -> SnapshotHeader:
    return SnapshotHeader(params, 139, 40, 4780, [(139, 13, 1, "00ff")])


def test_round_trip_gives_the_same_candidates(tmp_path: Path) -> None:
    engine = engine_with(TEXTS)
    path = tmp_path / "db.index"
    write_snapshot(path, engine.export_arrays(), header())
    got_header, arrays = read_snapshot(path, DedupParams().fingerprint())
    assert got_header == header()
    restored = DedupEngine()
    restored.restore_arrays(arrays)
    assert len(restored) == len(engine) == len(TEXTS)
    queries = [t.replace("percent", "per cent") for t in TEXTS[:10]]
    sigs = engine.signatures(queries)
    assert restored.candidates(sigs, article=-1) == engine.candidates(sigs, article=-1)
    assert restored.candidates(sigs) and restored.index_nbytes() <= engine.index_nbytes()
    # a restored engine keeps growing like any other
    restored.add(999, article=99, sig=sigs[0])
    assert 999 in restored.candidates(sigs[:1], article=-1)[0]


def test_other_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.index"
    write_snapshot(path, engine_with(TEXTS).export_arrays(), header("other"))
    with pytest.raises(SnapshotError, match="other dedup parameters"):
        read_snapshot(path, DedupParams().fingerprint())


@pytest.mark.parametrize("cut", [5, 30, 200, -3])
def test_truncated_file_is_refused(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "db.index"
    write_snapshot(path, engine_with(TEXTS).export_arrays(), header())
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(SnapshotError):
        read_snapshot(path, DedupParams().fingerprint())


def test_flipped_byte_fails_the_crc(tmp_path: Path) -> None:
    path = tmp_path / "db.index"
    write_snapshot(path, engine_with(TEXTS).export_arrays(), header())
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="CRC"):
        read_snapshot(path, DedupParams().fingerprint())


def test_garbage_and_hostile_headers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.index"
    path.write_bytes(b"\x80\x04\x95 not a snapshot, maybe a pickle")
    with pytest.raises(SnapshotError, match="not an index snapshot"):
        read_snapshot(path, "p")
    blob = b'{"format": 1, "params": "p", "watermark": 1, "rows": 1, "id_sum": 1, "top": [],'
    blob += b' "arrays": [{"name": "keys", "dtype": "|O", "shape": [1], "offset": 0,'
    blob += b' "nbytes": 8, "crc32": 0}], "data_bytes": 8}'
    head = MAGIC + len(blob).to_bytes(8, "little") + blob
    path.write_bytes(head + b"\0" * (-len(head) % 64) + b"\x80" * 8)
    with pytest.raises(SnapshotError, match="bad array entry"):
        read_snapshot(path, "p")
    with pytest.raises(SnapshotError, match="no snapshot"):
        read_header(tmp_path / "missing.index")


def test_slots_outside_the_columns_are_refused(tmp_path: Path) -> None:
    arrays = IndexArrays(
        np.arange(2, dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        [(np.array([1, 2], dtype=np.uint64), np.array([0, 7], dtype=np.int32))],
    )
    path = tmp_path / "db.index"
    write_snapshot(path, arrays, header("p"))
    with pytest.raises(SnapshotError, match="outside"):
        read_snapshot(path, "p")


def test_keep_drops_slots_and_renumbers() -> None:
    engine = engine_with(TEXTS)
    arrays = engine.export_arrays()
    fresh = engine_with([])
    sigs = fresh.signatures(TEXTS)
    wanted = [i for i in range(len(TEXTS)) if (100 + i) % 4]
    stored = StoredRows(
        np.array([100 + i for i in wanted], dtype=np.int64),
        np.array([i // 3 for i in wanted], dtype=np.int64),
        np.array([i % 2 if i != wanted[-1] else 7 for i in wanted], dtype=np.int64),
        stored_exact([sigs[i].exact_hash for i in wanted]),
    )
    kept = arrays.keep(arrays.matching(stored))
    # the last one is in another group now (its id given to another paragraph)
    assert kept.keys.tolist() == stored.ids.tolist()[:-1]
    wanted = wanted[:-1]
    for i, sig in enumerate(sigs):
        if i in wanted:
            fresh.add(100 + i, article=i // 3, sig=sig, group=i % 2)
    restored = DedupEngine()
    restored.restore_arrays(kept)
    assert restored.candidates(sigs, article=-1) == fresh.candidates(sigs, article=-1)


def test_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.index"
    write_snapshot(path, engine_with(TEXTS).export_arrays(), header())
    before = path.read_bytes()

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_snapshot(path, engine_with(TEXTS[:3]).export_arrays(), header())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.index"]


def _writer(path: str, seed: int, rounds: int) -> None:
    for r in range(rounds):
        n = 500 + 37 * seed + r
        arrays = IndexArrays(
            np.arange(n, dtype=np.int64),
            np.full(n, seed, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            [(np.arange(n, dtype=np.uint64), np.arange(n, dtype=np.int32))],
        )
        write_snapshot(Path(path), arrays, SnapshotHeader("p", n, n, 0, []))


def test_two_processes_writing_never_leave_a_torn_file(tmp_path: Path) -> None:
    path = tmp_path / "db.index"
    _writer(str(path), 0, 1)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), s, 30)) for s in (1, 2)]
    for p in procs:
        p.start()
    reads = 0
    while any(p.is_alive() for p in procs) or reads < 5:
        head, arrays = read_snapshot(path, "p")  # never raises: always a whole file
        assert len(arrays) == head.watermark and set(arrays.articles.tolist()) <= {0, 1, 2}
        reads += 1
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.index"]
