"""Scale-out benchmark: articles/s of a shared crawl with 1, 2 and 3 workers (PostgreSQL +
Redis), beside the single-process SQLite default and beside extraction alone (the
ceiling of one process), in the same run on the same generated site; and the two
candidate stores of the shared paragraph index (Redis sets vs a PostgreSQL table).

Run: ``.venv/bin/python -m bench.scale_bench [--articles 1200] [--copies 120]``
(needs PostgreSQL and Redis on 127.0.0.1; ``--postgres``/``--redis`` to change).

Each crawl is the real command (``python -m crawler.cli crawl``) in subprocesses against
the generated site (:mod:`crawler.demo.generated`, no delay) with AutoThrottle off; the
rate is stored articles divided by the span from the earliest run start to the latest
run end in ``crawl_runs`` (process start-up, about 2 s, is left out). Each shared crawl
gets a fresh PostgreSQL database and Redis key prefix, deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from crawler.demo.generated import HOST, build_site, serve_generated_site, sources_toml
from storage.db import make_engine, normalise_url

ROOT = Path(__file__).resolve().parents[1]


def _fresh_database(server_url: str) -> tuple[str, Any]:
    base = normalise_url(server_url)
    name = f"newsdedup_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def _drop_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    client.close()


def _rate(db: str) -> tuple[int, float]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            articles = int(conn.scalar(text("SELECT count(*) FROM articles")) or 0)
            first, last = conn.execute(
                text("SELECT min(started_at), max(finished_at) FROM crawl_runs")
            ).one()
    finally:
        engine.dispose()
    return articles, (_when(last) - _when(first)).total_seconds()


def _when(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def crawl(
    workers: int, db: str, proxy: str, sources: Path, env: dict[str, str]
) -> tuple[int, float, float]:
    """Run ``workers`` crawl processes at once; (articles, crawl seconds, wall seconds)."""
    command = [sys.executable, "-m", "crawler.cli", "--database-url", db, "crawl", "wirebulk"]
    command += ["--sources", str(sources), "--proxy", proxy]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"crawl worker failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    wall = time.perf_counter() - start
    articles, span = _rate(db)
    return articles, span, wall


def extraction_rate(articles: int, copies: int) -> float:
    """Articles/s of extraction alone (one process), over the same pages."""
    from crawler.extract import extract

    routes, plan = build_site(articles, copies)
    pages = [routes[HOST][u.split(HOST, 1)[1]][1] for u in plan.urls]
    start = time.perf_counter()
    for body, url in zip(pages, plan.urls, strict=True):
        extract(body, url=url, content_type="text/html; charset=utf-8")
    return len(pages) / (time.perf_counter() - start)


def index_backends(postgres: str, redis_url: str, articles: int) -> dict[str, float]:
    """Seconds per article to file and to look up one article's index keys (3 paragraphs),
    in Redis sets (pipelined) and in a PostgreSQL table with a btree index."""
    import redis

    from crawler.dedup import DedupEngine, DedupParams
    from crawler.scaleout.shared_index import _ADD, RedisParagraphIndex, signature_keys, signed

    routes, plan = build_site(articles, 0)
    engine = DedupEngine()
    params = DedupParams()
    from crawler.extract import extract

    per_article = []
    for url in plan.urls:
        ex = extract(routes[HOST][url.split(HOST, 1)[1]][1], url=url)
        texts = [b.text for b in ex.blocks if b.kind == "paragraph"]
        per_article.append(signature_keys(engine.signatures(texts), params))
    out: dict[str, float] = {}
    prefix = f"newsdedup-bench-{uuid.uuid4().hex[:8]}"
    client: Any = redis.Redis.from_url(redis_url)
    index = RedisParagraphIndex(client, prefix, params)
    start = time.perf_counter()
    pid = 0
    for keys in per_article:
        index.lookup(int(k) for arr in keys for k in arr.tolist())
        names: list[str] = []
        members: list[int] = []
        for arr in keys:
            pid += 1
            names += [index._key(int(k)) for k in arr.tolist()]
            members += [pid] * len(arr)
        client.eval(_ADD, len(names), *names, *members, 0)
    out["redis"] = (time.perf_counter() - start) / len(per_article)
    out["redis_bytes_per_key"] = float(
        sum(int(client.memory_usage(k) or 0) for k in list(client.scan_iter(f"{prefix}:*"))[:2000])
        / max(1, min(2000, sum(len(a) for ks in per_article for a in ks)))
    )
    _drop_prefix(redis_url, prefix)
    client.close()
    db, drop = _fresh_database(postgres)
    pg = make_engine(db)
    try:
        with pg.begin() as conn:
            conn.execute(text("CREATE TABLE band_index (key bigint, paragraph_id bigint)"))
            conn.execute(text("CREATE INDEX band_index_key ON band_index (key)"))
        start = time.perf_counter()
        pid = 0
        for keys in per_article:
            with pg.begin() as conn:
                flat = signed(int(k) for arr in keys for k in arr.tolist())
                conn.execute(
                    text("SELECT paragraph_id FROM band_index WHERE key = ANY(:k)"), {"k": flat}
                ).all()
                rows = []
                for arr in keys:
                    pid += 1
                    rows += [{"k": k, "p": pid} for k in signed(arr.tolist())]
                conn.execute(text("INSERT INTO band_index VALUES (:k, :p)"), rows)
        out["postgresql"] = (time.perf_counter() - start) / len(per_article)
    finally:
        pg.dispose()
        drop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1200)
    parser.add_argument("--copies", type=int, default=120)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args(argv)
    total = args.articles + args.copies
    print(f"generated site: {args.articles} articles + {args.copies} copies, 3 paragraphs each")
    print(f"machine: {os.cpu_count()} CPUs")
    ceiling = extraction_rate(args.articles, args.copies)
    print(f"{'extraction alone (1 process)':34s} {ceiling:8.1f} articles/s")
    base_env = dict(os.environ, NEWSDEDUP_PROGRESS_ENABLED="0", NEWSDEDUP_LOG_LEVEL="WARNING")
    base_env.pop("NEWSDEDUP_REDIS_URL", None)
    with (
        serve_generated_site(args.articles, args.copies) as (site, _),
        tempfile.TemporaryDirectory() as tmp,
    ):
        sources = Path(tmp) / "sources.toml"
        sources.write_text(sources_toml(concurrency=16), encoding="utf-8")
        sqlite = f"sqlite:///{Path(tmp) / 'single.db'}"
        n, span, wall = crawl(1, sqlite, site.proxy_url, sources, base_env)
        assert n == total, f"{n} of {total} articles stored"
        print(
            f"{'single process, SQLite (default)':34s} {n / span:8.1f} articles/s  "
            f"({span:.1f} s crawling, {wall:.1f} s wall)"
        )
        for workers in (1, 2, 3):
            db, drop = _fresh_database(args.postgres)
            prefix = f"newsdedup-bench-{uuid.uuid4().hex[:8]}"
            env = dict(base_env, NEWSDEDUP_REDIS_URL=args.redis, NEWSDEDUP_REDIS_PREFIX=prefix)
            try:
                n, span, wall = crawl(workers, db, site.proxy_url, sources, env)
            finally:
                drop()
                _drop_prefix(args.redis, prefix)
            assert n == total, f"{n} of {total} articles stored"
            label = f"shared, {workers} worker{'s' if workers > 1 else ''} (PostgreSQL+Redis)"
            print(
                f"{label:34s} {n / span:8.1f} articles/s  ({span:.1f} s crawling, "
                f"{wall:.1f} s wall)"
            )
    backends = index_backends(args.postgres, args.redis, min(args.articles, 500))
    print("shared index, per article (look up + file 3 paragraphs' keys):")
    print(f"  Redis sets (SUNION + script)       {backends['redis'] * 1000:6.2f} ms")
    print(f"  PostgreSQL table + btree     {backends['postgresql'] * 1000:6.2f} ms")
    print(f"  Redis memory per key (sample) {backends['redis_bytes_per_key']:5.0f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
