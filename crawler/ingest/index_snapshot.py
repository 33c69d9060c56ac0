"""Load the dedup index from its snapshot file and keep that file true to the database.

At start (:func:`load_index`) the snapshot (:mod:`crawler.dedup.snapshot`) is read and
checked against the stored signatures up to its watermark: same count, same id sum and
the same newest rows mean nothing at or below the watermark changed, and only the rows
stored since (above the watermark) are loaded from SQL. When they differ (paragraphs
deleted by ``purge``, ``reextract`` or re-cleaned boilerplate, ids given out again), the
snapshot's slots are matched with the stored ids: deleted ones are dropped, missing ones
loaded. A missing, broken (truncated, CRC) or other-parameters snapshot is ignored (a
warning naming the file) and the index is loaded from SQL, then the file is rewritten.

:func:`save_index` writes the snapshot (at the end of a crawl, every
``NEWSDEDUP_INDEX_SNAPSHOT_EVERY`` seconds while crawls run (:func:`snapshot_interval`);
``newsdedup index rebuild``). A directory that is read-only or a full disk is a warning:
the crawl goes on without a snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from crawler.dedup.engine import DedupEngine
from crawler.dedup.snapshot import (
    SnapshotError,
    SnapshotHeader,
    StoredRows,
    read_snapshot,
    stored_exact,
    write_snapshot,
)
from storage.db import normalise_url, sqlite_path
from storage.repo import index_state
from storage.repo.dedup import SignatureRow, iter_signatures

log = logging.getLogger(__name__)

SUFFIX = ".index"

#: Default seconds between snapshot writes while crawls run.
DEFAULT_EVERY = 900.0


class SnapshotConfigError(ValueError):
    """A snapshot setting that cannot be used."""


def snapshot_interval(value: object) -> float:
    """Seconds between snapshot writes while crawls run (``NEWSDEDUP_INDEX_SNAPSHOT_EVERY``):
    empty means the default (900), ``0`` only when crawls end. Raises
    :class:`SnapshotConfigError`, naming the setting and the value, for anything that is not
    a finite number of seconds >= 0."""
    text = "" if value is None else str(value).strip()
    if not text:
        return DEFAULT_EVERY
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise SnapshotConfigError(
            f"NEWSDEDUP_INDEX_SNAPSHOT_EVERY={text!r}: expected seconds >= 0"
            " (0: write the index snapshot only when crawls end)"
        )
    return seconds


def snapshot_problem(value: object) -> str | None:
    """The error message for a bad ``NEWSDEDUP_INDEX_SNAPSHOT_EVERY``; None when usable."""
    try:
        snapshot_interval(value)
    except SnapshotConfigError as exc:
        return str(exc)
    return None


@dataclass
class IndexLoad:
    """How the index was loaded.

    Attributes:
        source: ``sql`` (no snapshot configured), ``snapshot`` (used as it was, plus rows
            above its watermark), ``reconciled`` (rows at or below the watermark had
            changed: matched with the stored ids) or ``rebuilt`` (missing or unusable
            snapshot: loaded from SQL).
        paragraphs: paragraphs in the index.
        from_sql: rows read from SQL (all of them for ``sql``/``rebuilt``).
        dropped: snapshot entries left out as deleted or repeated.
        watermark: the highest paragraph id the index covers.
        seconds: wall time of the load.
        reason: why the snapshot was not used as it was.
    """

    source: str
    paragraphs: int
    from_sql: int
    dropped: int
    watermark: int
    seconds: float
    reason: str = ""


def snapshot_path(database_url: str, directory: str | None = None) -> Path | None:
    """Where the snapshot of ``database_url``'s index lives: beside an SQLite file
    (``newsdedup.db.index``), or in ``directory`` when given (for PostgreSQL, named after
    the database and a hash of its URL). None: no snapshot (in-memory SQLite, or
    PostgreSQL without a directory)."""
    file = sqlite_path(database_url)
    if file is not None:
        return (Path(directory) / (file.name + SUFFIX)) if directory else Path(f"{file}{SUFFIX}")
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite" or not directory:
        return None
    ident = url.set(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:12]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in (url.database or "db"))
    return Path(directory) / f"{name}-{digest}{SUFFIX}"


def configured_path(database_url: str, enabled: str | None, directory: str | None) -> Path | None:
    """The snapshot file the settings ask for (``NEWSDEDUP_INDEX_SNAPSHOT``, ``..._DIR``);
    None, said in the log, when off or when PostgreSQL has no directory."""
    if str(enabled or "1").strip().lower() in ("0", "false", "no", "off"):
        log.info("index snapshot off (NEWSDEDUP_INDEX_SNAPSHOT=0): the index loads from SQL")
        return None
    path = snapshot_path(database_url, directory or None)
    if path is None and normalise_url(database_url).get_backend_name() != "sqlite":
        log.info(
            "index snapshot off: set NEWSDEDUP_INDEX_SNAPSHOT_DIR to keep one for a"
            " PostgreSQL database (the index loads from SQL)"
        )
    return path


def _load_rows(engine: DedupEngine, rows: Iterable[SignatureRow]) -> tuple[int, int]:
    """Index ``rows``; returns (rows indexed, highest paragraph id seen)."""
    top = 0

    def tracked() -> Iterator[SignatureRow]:
        nonlocal top
        for row in rows:
            top = max(top, row[0])
            yield row

    return engine.load(tracked()), top


def stored_rows(session: Session, params_id: int, upto: int) -> StoredRows:
    """The stored signature rows up to paragraph ``upto``, as columns."""
    parts = [
        StoredRows(
            np.asarray(found.ids, dtype=np.int64),
            np.asarray(found.articles, dtype=np.int64),
            np.asarray(found.sources, dtype=np.int64),
            stored_exact(found.hashes),
        )
        for found in index_state.iter_signature_idents(session, params_id, upto)
    ]
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return StoredRows(empty, empty, empty, np.empty(0, dtype=np.uint64))
    return StoredRows(
        np.concatenate([p.ids for p in parts]),
        np.concatenate([p.articles for p in parts]),
        np.concatenate([p.groups for p in parts]),
        np.concatenate([p.exact for p in parts]),
    )


def reconcile(engine: DedupEngine, session: Session, params_id: int, stored: StoredRows) -> int:
    """Make the index hold exactly the ``stored`` rows: drop slots of deleted paragraphs,
    of ids given out again and repeats; load the rows it lacks. Returns the slots
    dropped."""
    arrays = engine.export_arrays()
    mask = arrays.matching(stored)
    dropped = len(arrays) - int(mask.sum())
    if dropped:
        arrays = arrays.keep(mask)
        engine.restore_arrays(arrays)
    missing = np.setdiff1d(stored.ids, arrays.keys)
    if len(missing):
        engine.load(index_state.signature_rows(session, params_id, missing.tolist()))
    return dropped


def _engine_agrees(engine: DedupEngine, stats: index_state.SignatureStats) -> bool:
    """Whether the index holds what ``stats`` says storage holds: as many distinct
    paragraphs with the same id sum, and the same newest rows (paragraph, article, source,
    exact key). Ids given out again after a deletion are always the newest, so a stale
    entry shows up among them."""
    arrays = engine.export_arrays()
    keys = arrays.keys
    if len(keys) != stats.rows or int(keys.sum()) != stats.id_sum:
        return False
    if len(np.unique(keys)) != len(keys):
        return False
    newest = np.argsort(keys)[::-1][: len(stats.top)]
    exact = arrays.exact_column()[newest]
    mine = list(
        zip(
            keys[newest].tolist(),
            arrays.articles[newest].tolist(),
            arrays.groups[newest].tolist(),
            exact.tolist(),
            strict=True,
        )
    )
    theirs = [
        (p, a, g, int(k))
        for (p, a, g, _), k in zip(
            stats.top, stored_exact([t[3] for t in stats.top]).tolist(), strict=True
        )
    ]
    return mine == theirs


def _matches(header: SnapshotHeader, stats: index_state.SignatureStats) -> bool:
    return (
        header.rows == stats.rows
        and header.id_sum == stats.id_sum
        and [tuple(t) for t in header.top] == [tuple(t) for t in stats.top]
    )


def load_index(
    engine: DedupEngine, session: Session, params_id: int, path: Path | None
) -> IndexLoad:
    """Fill the (empty) ``engine`` from the snapshot at ``path`` and the database (see the
    module docstring); from the database alone when ``path`` is None."""
    start = time.perf_counter()
    if path is None:
        n, top = _load_rows(engine, iter_signatures(session, params_id))
        return IndexLoad("sql", n, n, 0, top, time.perf_counter() - start)
    fingerprint = engine.params.fingerprint()
    try:
        header, arrays = read_snapshot(path, fingerprint)
    except SnapshotError as exc:
        reason = str(exc)
        if reason == "no snapshot":
            log.info("no index snapshot at %s yet: loading the index from the database", path)
        else:
            log.warning("index snapshot %s ignored (%s): rebuilding it from SQL", path, exc)
        n, top = _load_rows(engine, iter_signatures(session, params_id))
        return IndexLoad("rebuilt", n, n, 0, top, time.perf_counter() - start, reason)
    engine.restore_arrays(arrays)
    stats = index_state.signature_stats(session, params_id, header.watermark)
    source, dropped, reason = "snapshot", 0, ""
    before = len(engine)
    if not _matches(header, stats):
        reason = (
            f"{header.rows} rows up to paragraph {header.watermark} when written, {stats.rows} now"
            if header.rows != stats.rows
            else f"rows up to paragraph {header.watermark} changed since it was written"
        )
        stored = stored_rows(session, params_id, header.watermark)
        dropped = reconcile(engine, session, params_id, stored)
        source = "reconciled"
        log.info("index snapshot %s: %s; dropped %d, matched the rest", path, reason, dropped)
    reloaded = len(engine) - (before - dropped)
    n, top = _load_rows(engine, iter_signatures(session, params_id, after=header.watermark))
    return IndexLoad(
        source,
        len(engine),
        n + reloaded,
        dropped,
        max(header.watermark, top),
        time.perf_counter() - start,
        reason,
    )


def save_index(
    engine: DedupEngine, session: Session, params_id: int, watermark: int, path: Path
) -> bool:
    """Write the snapshot of ``engine`` (which covers paragraph ids up to ``watermark``)
    to ``path``. When the index does not agree with storage (paragraphs deleted since
    they were indexed, ids given out again), it is first matched with the stored rows,
    so the file never keeps deleted paragraphs. False, with a warning, when the file
    cannot be written (read-only directory, full disk) or the database kept changing
    while reading it."""
    stats = index_state.signature_stats(session, params_id, watermark)
    if not _engine_agrees(engine, stats):
        for _ in range(3):
            stored = stored_rows(session, params_id, watermark)
            if len(stored.ids) == stats.rows and int(stored.ids.sum()) == stats.id_sum:
                break
            stats = index_state.signature_stats(session, params_id, watermark)
        else:
            log.warning("index snapshot %s not written: the database kept changing", path)
            return False
        reconcile(engine, session, params_id, stored)
    header = SnapshotHeader(
        engine.params.fingerprint(), watermark, stats.rows, stats.id_sum, stats.top
    )
    try:
        write_snapshot(path, engine.export_arrays(), header)
    except OSError as exc:
        log.warning("index snapshot %s not written (%s): the next start loads from SQL", path, exc)
        return False
    log.info("index snapshot written: %s (%d paragraphs)", path, len(engine))
    return True
