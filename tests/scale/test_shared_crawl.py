"""Three crawler processes share one crawl of a generated site of 550 articles (50 of them
syndicated copies) on PostgreSQL and Redis; one is killed with SIGKILL mid-way. The two
others finish the crawl: every article is stored exactly once, every copy is linked to
its original and in its cluster, the killed worker's in-flight requests were pushed back
by a survivor (no in-flight hash is left in Redis), and their logs hold no error.

Meant to pass on a busy machine too: the workers' heartbeat timeout (3 s) is shorter than
the pauses of a loaded 2-core machine, so workers are taken for dead while alive, which
must cost refetches only (see tests/scale/test_shared_scheduler.py for the exact race).
Checked with two extra ``python -c 'while 1: pass'`` processes (docs/scaling.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest
import redis
from sqlalchemy import func, select, text

from crawler.dedup.warmup import warm_up
from crawler.demo.generated import serve_generated_site, sources_toml
from storage.db import make_engine
from storage.models import Article
from tests.ops.helpers import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ARTICLES, COPIES = 500, 50
# A guard against a stalled crawl, not a speed limit: the test fails when no article is
# stored for this long. The crawl takes about 20 s on an idle 2-core machine; on one
# shared with other work, starting the three workers alone took minutes.
STALL = 600.0


def _worker(
    db: str, sources: Path, proxy: str, env: dict[str, str], log: IO[str]
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "crawler.cli", "--database-url", db, "crawl", "wirebulk"]
    command += ["--sources", str(sources), "--proxy", proxy]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stored(db: str) -> int:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Article)) or 0)
    except Exception:  # not migrated yet
        return 0
    finally:
        engine.dispose()


class _Progress:
    """Fails the test when no article was stored for :data:`STALL` seconds."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.stored = -1
        self.since = time.monotonic()

    def check(self) -> int:
        stored = _stored(self.db)
        if stored != self.stored:
            self.stored, self.since = stored, time.monotonic()
        stalled = time.monotonic() - self.since
        assert stalled < STALL, f"no article stored for {stalled:.0f} s ({stored} stored)"
        return stored


def test_three_workers_one_killed_lose_nothing(
    pg_db: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    # Compile (or load) the dedup kernels once here, not in three workers at once.
    warm_up()
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(concurrency=4), encoding="utf-8")
    env = dict(
        os.environ,
        NEWSDEDUP_REDIS_URL=redis_url,
        NEWSDEDUP_REDIS_PREFIX=redis_prefix,
        NEWSDEDUP_WORKER_TIMEOUT="3",
        NEWSDEDUP_PROGRESS_ENABLED="0",
    )
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    with serve_generated_site(ARTICLES, COPIES, delay=0.02) as (site, plan):
        handles = [path.open("w", encoding="utf-8") for path in logs]
        workers = [_worker(pg_db, sources, site.proxy_url, env, h) for h in handles]
        try:
            progress = _Progress(pg_db)
            # Kill the first worker once the crawl is well under way (polling, no fixed wait).
            while progress.check() < ARTICLES // 5:
                assert workers[0].poll() is None, "worker 0 ended before it could be killed"
                time.sleep(0.2)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(timeout=60)
            while any(w.poll() is None for w in workers[1:]):
                progress.check()
                time.sleep(0.5)
            codes = [w.returncode for w in workers[1:]]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
            for h in handles:
                h.close()
    stored_when_killed = _stored(pg_db)
    survivors = [p.read_text(encoding="utf-8") for p in logs[1:]]
    for n, log in enumerate(survivors, start=1):
        assert "ERROR" not in log and "Traceback" not in log, f"worker {n}:\n{log[-3000:]}"
    assert codes == [0, 0], "\n".join(s[-2000:] for s in survivors)
    # The killed worker had requests in flight: a survivor pushed them back to the queue
    # (worker ids are host:pid:random), and no worker's in-flight hash is left over.
    killed = f":{workers[0].pid}:"
    assert any(
        "stopped without finishing" in line and killed in line
        for log in survivors
        for line in log.splitlines()
    )
    client: Any = redis.Redis.from_url(redis_url)
    try:
        assert list(client.scan_iter(match=f"{redis_prefix}:*:inflight:*")) == []
        assert list(client.scan_iter(match=f"{redis_prefix}:*:workers")) == []
    finally:
        client.close()

    engine = make_engine(pg_db)
    try:
        with engine.connect() as conn:
            urls = [u for (u,) in conn.execute(text("SELECT url FROM articles"))]
            article_id = {u: i for u, i in conn.execute(text("SELECT url, id FROM articles"))}
            linked = {
                (a, b)
                for a, b in conn.execute(
                    text(
                        "SELECT p.article_id, m.article_id FROM duplicate_links d "
                        "JOIN paragraphs p ON p.id = d.paragraph_id "
                        "JOIN paragraphs m ON m.id = d.matched_paragraph_id "
                        "WHERE d.kind IN ('exact_cross', 'near_cross')"
                    )
                )
            }
            members = conn.execute(text("SELECT article_id, cluster_id FROM cluster_members"))
            cluster_of = {a: c for a, c in members}
    finally:
        engine.dispose()
    assert stored_when_killed == len(urls)
    assert len(urls) == len(set(urls))  # none twice
    assert sorted(set(plan.urls) - set(urls)) == []  # none lost
    assert len(urls) == ARTICLES + COPIES
    for copy, original in plan.copies.items():
        a, b = article_id[copy], article_id[original]
        assert (a, b) in linked or (b, a) in linked, f"{copy} not linked to {original}"
        assert cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b)
    # Nothing else is linked across articles: the generated originals are all different.
    pairs = {frozenset(p) for p in linked}
    assert len(pairs) == COPIES
