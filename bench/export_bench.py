"""Export benchmark: time and peak memory of ``newsdedup export`` per format and size.

Run: ``.venv/bin/python -m bench.export_bench [--articles 100000]``.

Generates ``--articles`` synthetic articles (4 paragraphs each, a tenth of them copies in
clusters of two with duplicate links) into a temporary SQLite database by bulk insert,
and the same at a tenth of the size. Then, for each format, runs the real command
(``python -m crawler.cli export``) in a fresh subprocess per run and reads that child's
peak resident memory (``ru_maxrss`` from ``os.wait4``) and wall time. Baselines measured
in the same run: the same export at a tenth of the articles (the streaming export's peak
memory must not grow with N), a naive "load every row, then write" export, and an idle
child that only imports the same modules (the interpreter's own footprint).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from storage import migrate
from storage.db import make_engine
from storage.models import (
    Article,
    Cluster,
    ClusterMember,
    DuplicateLink,
    Page,
    Paragraph,
    Source,
)

FORMATS = ("jsonl", "csv", "parquet")
PARAGRAPHS = 4
CHUNK = 5000
_WORDS = [
    "".join(random.Random(i).choices("abcdefghijklmnopqrstuvwxyz", k=3 + i % 8))
    for i in range(5000)
]


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.choices(_WORDS, k=rng.randint(35, 60))).capitalize() + "."


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(url: str, n: int, seed: int = 1) -> float:
    """Fill a migrated database at ``url`` with ``n`` articles; returns seconds taken."""
    started = time.perf_counter()
    migrate.upgrade(url)
    rng = random.Random(seed)
    now = datetime(2026, 11, 25, 8, 0)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Source),
                [
                    {"id": i + 1, "name": f"bench-source-{i}", "domains": [], "created_at": now}
                    for i in range(3)
                ],
            )
            copies = set(range(2, n + 1, 10))  # article i is a copy of article i-1
            for batch in _chunks(_article_rows(n, rng, now)):
                conn.execute(insert(Page), [b["page"] for b in batch])
                conn.execute(insert(Article), [b["article"] for b in batch])
                paragraphs = [p for b in batch for p in b["paragraphs"]]
                conn.execute(insert(Paragraph), paragraphs)
            clusters = [{"id": i, "created_at": now, "updated_at": now} for i in sorted(copies)]
            for batch in _chunks(iter(clusters)):
                conn.execute(
                    insert(Cluster),
                    [
                        {**c, "original_article_id": c["id"] - 1, "original_reason": "earlier"}
                        for c in batch
                    ],
                )
            members = (
                {"article_id": a, "cluster_id": c, "share_matched": 1.0, "is_original": a != c}
                for c in sorted(copies)
                for a in (c - 1, c)
            )
            for batch in _chunks(members):
                conn.execute(insert(ClusterMember), batch)
            links = (
                {
                    "paragraph_id": (c - 1) * PARAGRAPHS + k + 1,
                    "matched_paragraph_id": (c - 2) * PARAGRAPHS + k + 1,
                    "kind": "exact_cross",
                    "method": "norm_hash",
                    "score": 1.0,
                    "scores": {},
                    "created_at": now,
                    "review_state": "pending",
                }
                for c in sorted(copies)
                for k in range(PARAGRAPHS)
            )
            for batch in _chunks(links):
                conn.execute(insert(DuplicateLink), batch)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _article_rows(n: int, rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    previous: list[str] = []
    for i in range(1, n + 1):
        texts = previous if i % 10 == 2 else [_paragraph(rng) for _ in range(PARAGRAPHS)]
        previous = texts
        body = "\n".join(texts)
        url = f"https://bench-{i % 3}.example/a/{i}"
        yield {
            "page": {
                "id": i,
                "source_id": i % 3 + 1,
                "url": url,
                "extraction_status": "ok",
                "first_seen_at": now,
                "fetched_at": now,
            },
            "article": {
                "id": i,
                "page_id": i,
                "source_id": i % 3 + 1,
                "url": url,
                "title": " ".join(rng.choices(_WORDS, k=7)).title(),
                "authors": ["Bench Writer"],
                "published_at": now - timedelta(minutes=i),
                "language": "en",
                "text": body,
                "text_sha256": hashlib.sha256(body.encode()).hexdigest(),
                "version": 1,
                "first_seen_at": now,
                "last_seen_at": now,
            },
            "paragraphs": [
                {
                    "id": (i - 1) * PARAGRAPHS + k + 1,
                    "article_id": i,
                    "position": k,
                    "kind": "paragraph",
                    "text": t,
                    "norm_hash": hashlib.sha256(t.lower().encode()).hexdigest(),
                }
                for k, t in enumerate(texts)
            ],
        }


def _measure(argv: list[str]) -> dict[str, float]:
    """Run ``argv`` as a child; its wall time and peak RSS (MiB)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr}")
    return {"seconds": seconds, "rss_mib": usage.ru_maxrss / 1024}


def _export_cmd(url: str, fmt: str, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "crawler.cli", "--database-url", url,
        "export", "--format", fmt, "--output", str(out),
    ]  # fmt: skip


def _naive_cmd(url: str, fmt: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "bench.export_bench", "--naive", url, fmt, str(out)]


def naive_export(url: str, fmt: str, out: str) -> None:
    """The baseline: load every row into a list, then write it all at once."""
    from sqlalchemy.orm import Session

    from crawler.export import _aware, parquet_schema, write_csv, write_jsonl
    from storage.repo.export import EXPORT_COLUMNS, export_query

    engine = make_engine(url)
    with Session(engine) as session:
        rows = [dict(r._mapping) for r in session.execute(export_query()).all()]
    engine.dispose()
    if fmt == "parquet":
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        table = pa.Table.from_pylist([_aware(r) for r in rows], schema=parquet_schema())
        pq.write_table(table, out, compression="zstd")
        return
    with open(out, "w", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            write_jsonl(rows, handle)
        else:
            write_csv(rows, handle, EXPORT_COLUMNS)


def heap_export(url: str, fmt: str, out: str) -> None:
    """The streaming export in-process under tracemalloc; prints the Python heap's peak
    above what was allocated before the export started (MiB)."""
    import tracemalloc

    from crawler.export import export_rows
    from storage.db import make_session_factory
    from storage.repo.export import EXPORT_COLUMNS, iter_export_rows

    tracemalloc.start()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        session.execute(text("SELECT 1"))  # connected: the baseline starts here
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        export_rows(iter_export_rows(session), fmt, out, EXPORT_COLUMNS)
    engine.dispose()
    peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"heap_peak_mib": (peak - base) / 2**20}))


def _heap(url: str, fmt: str, out: Path) -> float:
    argv = [sys.executable, "-m", "bench.export_bench", "--heap", url, fmt, str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["heap_peak_mib"])


def _idle_cmd(fmt: str) -> list[str]:
    """A child that imports what an export of ``fmt`` imports, then exits."""
    code = "import crawler.cli, crawler.export, storage.migrate, storage.repo.export"
    if fmt == "parquet":
        code += ", pyarrow.parquet"
    return [sys.executable, "-c", code]


def _stream_run(results: list[dict[str, Any]], fmt: str, n: int) -> dict[str, Any]:
    return next(
        r for r in results if r["format"] == fmt and r["mode"] == "stream" and r["articles"] == n
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--articles", type=int, default=100_000, help="N (default 100000)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument(
        "--naive", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--heap", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.naive:
        naive_export(*args.naive)
        return 0
    if args.heap:
        heap_export(*args.heap)
        return 0
    formats = [f for f in args.formats.split(",") if f]
    sizes = [max(1, args.articles // 10), args.articles]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="newsdedup-export-bench-") as tmp:
        idle = {fmt: _measure(_idle_cmd(fmt))["rss_mib"] for fmt in formats}
        for fmt, rss in idle.items():
            print(f"idle child importing what a {fmt} export imports: peak RSS {rss:.0f} MiB")
        for n in sizes:
            url = f"sqlite:///{Path(tmp) / f'bench-{n}.db'}"
            took = generate(url, n)
            size = Path(tmp, f"bench-{n}.db").stat().st_size / 2**20
            print(f"generated {n} articles in {took:.1f} s (database {size:.0f} MiB)")
            for fmt in formats:
                modes = [("stream", _export_cmd)]
                if not args.no_naive and n == args.articles and fmt != "csv":
                    modes.append(("naive", _naive_cmd))
                for mode, cmd in modes:
                    out = Path(tmp) / f"out-{n}-{mode}.{fmt}"
                    figures: dict[str, Any] = dict(_measure(cmd(url, fmt, out)))
                    figures.update(
                        articles=n,
                        format=fmt,
                        mode=mode,
                        file_mib=out.stat().st_size / 2**20,
                        rows_per_s=n / figures["seconds"],
                    )
                    out.unlink()
                    if mode == "stream":
                        figures["heap_mib"] = _heap(url, fmt, out)
                        out.unlink()
                    results.append(figures)
    print()
    print(f"{'format':<8} {'mode':<7} {'articles':>9} {'seconds':>8} {'rows/s':>8} "
          f"{'peak RSS MiB':>13} {'over idle':>10} {'heap MiB':>9} {'file MiB':>9}")  # fmt: skip
    for r in results:
        heap = f"{r['heap_mib']:.1f}" if "heap_mib" in r else "-"
        print(
            f"{r['format']:<8} {r['mode']:<7} {r['articles']:>9} {r['seconds']:>8.2f} "
            f"{r['rows_per_s']:>8.0f} {r['rss_mib']:>13.0f} "
            f"{r['rss_mib'] - idle[r['format']]:>10.0f} {heap:>9} {r['file_mib']:>9.1f}"
        )
    print()
    for fmt in formats:
        small, large = (_stream_run(results, fmt, n) for n in sizes)
        growth = large["rss_mib"] - small["rss_mib"]
        print(
            f"{fmt}: streaming peak RSS {small['rss_mib']:.0f} MiB at {sizes[0]} articles, "
            f"{large['rss_mib']:.0f} MiB at {sizes[1]} ({growth:+.0f} MiB for 10x the rows); "
            f"Python heap peak {small['heap_mib']:.1f} / {large['heap_mib']:.1f} MiB"
        )
    if args.json:
        print(json.dumps({"idle": idle, "runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
