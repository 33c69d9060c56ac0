"""Index start-up benchmark: loading the dedup index from SQL (the baseline) against loading
it from its snapshot file, on a real SQLite database, at several sizes.

Run: ``.venv/bin/python -m bench.index_snapshot_bench [--sizes 10000,100000,1000000]``
(default 10,000 and 100,000; 1,000,000 takes several minutes to build and ~1 GB of disk).

For each size the database is grown to that many paragraphs (synthetic texts of
:class:`bench.dedup_bench.Corpus`, ten per article, fifty sources, each signed and stored
as a crawl stores it), then each arm runs in a fresh process (so memory figures are that
process's own), after the compiled kernels are warm:

- **sql**: ``load_index`` without a snapshot, i.e. ``DedupEngine.load`` over
  ``iter_signatures``, what every start did before; it then writes the snapshot
  (``save_index``: matching with SQL, write, fsync, rename), timed apart;
- **snapshot**: ``load_index`` from that file, what a start does now: read and check the
  file, compare it with SQL (count, id sum, newest rows), load the rows above its
  watermark (none here);
- **stale**: the same after 1% more paragraphs were stored (caught up from SQL).

Printed per arm: CPU and wall seconds of the load, bytes per paragraph as the RSS
growth of the process over the load and as the index arrays' own bytes, and a digest of
the candidates and exact matches of 400 queries (half light edits of stored paragraphs):
the same digest means the same answers.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

QUERIES = 400
PER_ARTICLE = 10
SOURCES = 50


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def grow(url: str, size: int) -> float:
    """Store paragraphs until the database holds ``size``; returns the seconds it took."""
    from sqlalchemy import func, insert, select

    from bench.dedup_bench import Corpus
    from crawler.dedup import DedupEngine, DedupParams, norm_hash
    from storage import migrate
    from storage import repository as repo
    from storage.db import make_engine, make_session_factory
    from storage.models import Article, Page, Paragraph, ParagraphSignature

    start = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    params = DedupParams()
    signer = DedupEngine(params)
    corpus = Corpus(seed=1)
    with factory() as session:
        pid = repo.get_or_create_params(session, params.fingerprint(), params.to_dict()).id
        sources = [
            repo.get_or_create_source(session, f"wire-{i}", [f"wire-{i}.example"]).id
            for i in range(SOURCES)
        ]
        session.commit()
        have = int(session.scalar(select(func.count()).select_from(Paragraph)) or 0)
        chunk = 20_000
        for lo in range(have, size, chunk):
            n = min(chunk, size - lo)
            texts = corpus.paragraphs(lo, n)
            sigs = signer.signatures(texts)
            first_article = lo // PER_ARTICLE
            arts = range(first_article, (lo + n - 1) // PER_ARTICLE + 1)
            new_arts = [a for a in arts if a * PER_ARTICLE >= lo]
            session.execute(
                insert(Page),
                [
                    {
                        "id": a + 1,
                        "source_id": sources[a % SOURCES],
                        "url": f"https://wire.example/{a}",
                        "extraction_status": "ok",
                    }
                    for a in new_arts
                ],
            )
            session.execute(
                insert(Article),
                [
                    {
                        "id": a + 1,
                        "page_id": a + 1,
                        "source_id": sources[a % SOURCES],
                        "url": f"https://wire.example/{a}",
                        "text": "",
                        "text_sha256": "0" * 64,
                    }
                    for a in new_arts
                ],
            )
            session.execute(
                insert(Paragraph),
                [
                    {
                        "id": lo + j + 1,
                        "article_id": (lo + j) // PER_ARTICLE + 1,
                        "position": (lo + j) % PER_ARTICLE,
                        "kind": "paragraph",
                        "text": t,
                        "norm_hash": norm_hash(t),
                    }
                    for j, t in enumerate(texts)
                ],
            )
            session.execute(
                insert(ParagraphSignature),
                [
                    {"paragraph_id": lo + j + 1, "params_id": pid, "hashvalues": s.to_bytes()}
                    for j, s in enumerate(sigs)
                ],
            )
            session.commit()
    engine.dispose()
    return time.perf_counter() - start


def queries(stored: Sequence[str]) -> list[str]:
    """Light edits of ``stored`` texts, then as many new paragraphs."""
    from bench.dedup_bench import Corpus, light_edit

    rng = random.Random(3)
    texts = [light_edit(t, rng) for t in stored]
    return texts + Corpus(seed=1).paragraphs(90_000_000, len(texts))


def arm(url: str, which: str, snapshot: Path, write: bool) -> dict[str, Any]:
    """One arm, in this (fresh) process."""
    from crawler.dedup import DedupEngine, DedupParams
    from crawler.dedup.warmup import warm_up
    from crawler.ingest.index_snapshot import load_index, save_index
    from storage.db import make_engine, make_session_factory
    from storage.repo.dedup import get_or_create_params, paragraph_texts
    from storage.repo.index_state import max_signature_id

    params = DedupParams()
    warm_up(params)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        pid = get_or_create_params(session, params.fingerprint(), params.to_dict()).id
        session.commit()
        top = max_signature_id(session, pid)
        spread = sorted({1 + i * (top - 1) // (QUERIES // 2 - 1) for i in range(QUERIES // 2)})
        qtexts = queries(list(paragraph_texts(session, spread).values()))
    # warm the load path itself (first calls of the kernels and of numpy routines)
    tiny = DedupEngine(params)
    tiny.add_many([1, 2], 1, tiny.signatures(qtexts[:2]))
    tiny.export_arrays()
    dedup = DedupEngine(params)
    sigs = dedup.signatures(qtexts)
    rss0 = _rss()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with factory() as session:
        how = load_index(dedup, session, pid, None if which == "sql" else snapshot)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    grown = _rss() - rss0
    answers = [sorted(dedup.candidates(sigs, article=-1).items())]
    answers.append(
        [(m.index, m.other, m.kind) for m in dedup.check_article(qtexts, sigs, article=-1)]
    )
    digest = hashlib.sha256(repr(answers).encode()).hexdigest()[:12]
    out: dict[str, Any] = {
        "source": how.source,
        "paragraphs": how.paragraphs,
        "from_sql": how.from_sql,
        "cpu": cpu,
        "wall": wall,
        "rss_per_para": grown / max(1, how.paragraphs),
        "arrays_per_para": dedup.index_nbytes() / max(1, how.paragraphs),
        "digest": digest,
        "with_candidates": len(answers[0]),
    }
    if which == "sql" and write:
        t = time.perf_counter()
        with factory() as session:
            save_index(dedup, session, pid, how.watermark, snapshot)
        out["write"] = time.perf_counter() - t
        out["file_mb"] = snapshot.stat().st_size / 1e6
    engine.dispose()
    return out


def run_arm(url: str, which: str, snapshot: Path, write: bool = True) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.index_snapshot_bench",
            "--arm",
            which,
            "--url",
            url,
            "--snapshot",
            str(snapshot),
            *([] if write else ["--no-write"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"arm {which} failed:\n{result.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def show(size: int, name: str, r: dict[str, Any]) -> None:
    extra = ""
    if "write" in r:
        extra = f"  (then snapshot written in {r['write']:.1f}s, {r['file_mb']:.0f} MB)"
    print(
        f"{size:>10,} {name:<9} {r['source']:<10} {r['paragraphs']:>10,} {r['from_sql']:>9,}"
        f" {r['cpu']:>8.2f}s {r['wall']:>8.2f}s {r['rss_per_para']:>9,.0f}"
        f" {r['arrays_per_para']:>10,.0f}  {r['digest']} ({r['with_candidates']}){extra}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paragraph counts")
    parser.add_argument("--dir", help="where to keep the database (default: a temporary directory)")
    parser.add_argument("--arm", choices=["sql", "snapshot"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.arm:
        print(json.dumps(arm(args.url, args.arm, Path(args.snapshot), not args.no_write)))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = Path(tmp) / "bench.db"
        url = f"sqlite:///{db}"
        snapshot = Path(f"{db}.index")
        print(
            f"{'paragraphs':>10} {'arm':<9} {'loaded by':<10} {'indexed':>10} {'SQL rows':>9}"
            f" {'CPU':>9} {'wall':>9} {'RSS B/p':>9} {'arrays B/p':>9}  answers"
        )
        for size in sizes:
            built = grow(url, size)
            print(f"{'':>10} (database grown to {size:,} paragraphs in {built:.0f}s)", flush=True)
            show(size, "sql", run_arm(url, "sql", snapshot))
            show(size, "snapshot", run_arm(url, "snapshot", snapshot))
            grow(url, size + size // 100)
            stale = size + size // 100
            show(stale, "stale+1%", run_arm(url, "snapshot", snapshot))
            show(stale, "sql", run_arm(url, "sql", snapshot, write=False))
            snapshot.unlink()
    print(
        "sql: DedupEngine.load over iter_signatures (the baseline); snapshot: the file and the"
        " SQL check, rows above its watermark from SQL. CPU and wall: the load only."
        " RSS B/p: the process's RSS growth over the load per paragraph; arrays B/p: the"
        " index arrays' bytes per paragraph. answers: digest of 400 queries' candidates"
        " and exact matches (same digest, same answers), with how many queries have candidates."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
