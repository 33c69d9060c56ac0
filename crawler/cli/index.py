"""``newsdedup index status|rebuild``: the dedup index's snapshot file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler import settings
from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "index",
        help="the dedup index snapshot (status: is it current; rebuild: write it from SQL)",
        description="The snapshot file a crawl starts its dedup index from (beside an "
        "SQLite database, or in NEWSDEDUP_INDEX_SNAPSHOT_DIR).",
    )
    commands = parser.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    status = commands.add_parser(
        "status", help="where the snapshot is and whether the next start can use it"
    )
    status.set_defaults(func=_status)
    rebuild = commands.add_parser(
        "rebuild",
        help="load the index from SQL and write the snapshot",
        description="Load the index from the stored signatures (signing paragraphs that "
        "have none) and write the snapshot, replacing any file there.",
    )
    rebuild.set_defaults(func=_rebuild)


def _path(url: str) -> Any:
    from crawler.ingest.index_snapshot import snapshot_path

    return snapshot_path(url, settings.get("NEWSDEDUP_INDEX_SNAPSHOT_DIR") or None)


def _status(args: argparse.Namespace) -> int:
    from crawler.cli.status import open_database
    from crawler.dedup import DedupParams
    from crawler.dedup.snapshot import SnapshotError, SnapshotHeader, read_header
    from storage.repo.index_state import max_signature_id, params_id, signature_stats

    url = database_url(args)
    path = _path(url)
    if path is None:
        print("no snapshot for this database: set NEWSDEDUP_INDEX_SNAPSHOT_DIR (PostgreSQL)")
        return 0
    print(f"snapshot: {path}")
    if settings.get("NEWSDEDUP_INDEX_SNAPSHOT").strip().lower() in ("0", "false", "no", "off"):
        print("crawls do not use it: NEWSDEDUP_INDEX_SNAPSHOT=0")
    try:
        meta, _ = read_header(path)
        header = SnapshotHeader.from_json(meta)
    except SnapshotError as exc:
        what = "missing" if str(exc) == "no snapshot" else f"unusable ({exc})"
        print(f"state: {what}; the next crawl loads the index from SQL and writes it")
        return 0
    opened = open_database(url, "index status")
    if opened is None:
        return 1
    engine, factory = opened
    try:
        params = DedupParams()
        with factory() as session:
            pid = params_id(session, params.fingerprint())
            paragraphs = sum(int(a["nbytes"]) // 8 for a in meta["arrays"] if a["name"] == "keys")
            print(
                f"written: {paragraphs} paragraphs, up to paragraph {header.watermark},"
                f" {path.stat().st_size / 1e6:.1f} MB"
            )
            if header.params != params.fingerprint() or pid is None:
                print("state: made with other dedup parameters; the next crawl rebuilds it")
                return 0
            stats = signature_stats(session, pid, header.watermark)
            newer = max_signature_id(session, pid)
    finally:
        engine.dispose()
    if (stats.rows, stats.id_sum, stats.top) != (header.rows, header.id_sum, header.top):
        print(
            f"state: paragraphs up to {header.watermark} changed since ({header.rows} then,"
            f" {stats.rows} now): the next crawl matches it with SQL and rewrites it"
        )
    elif newer > header.watermark:
        print(f"state: stale: the next crawl adds the paragraphs after {header.watermark} from SQL")
    else:
        print("state: current")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.cli.status import open_database
    from crawler.ingest.ingestor import Ingestor
    from crawler.service.dblock import startup_lock
    from storage.db import describe_error

    url = database_url(args)
    path = _path(url)
    if path is None:
        print(
            "newsdedup index rebuild: no snapshot for this database: set"
            " NEWSDEDUP_INDEX_SNAPSHOT_DIR (PostgreSQL)",
            file=sys.stderr,
        )
        return 2
    opened = open_database(url, "index rebuild")
    if opened is None:
        return 1
    engine, factory = opened
    try:
        with startup_lock(engine, url):
            ingestor = Ingestor.open(factory)
            ingestor.snapshot = path
            written = ingestor.save_snapshot(force=True)
    except SQLAlchemyError as exc:
        print(f"newsdedup index rebuild: {describe_error(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not written:
        print(f"newsdedup index rebuild: {path} could not be written (see above)", file=sys.stderr)
        return 1
    print(f"wrote {path}: {len(ingestor.engine)} paragraphs, up to paragraph {ingestor.watermark}")
    return 0
