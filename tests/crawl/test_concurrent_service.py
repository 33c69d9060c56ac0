"""One crawl service, every source at once; two crawl commands at once on one database.

Three publishers that copy each other (a copy listed at the same position as its
original, so both are fetched in the same instant), crawled by the real ``newsdedup
crawl`` in subprocesses, on SQLite and on PostgreSQL. Every page must be stored once and
every copy linked to its original; the figures are printed (``-s`` shows them)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl.copy_site import figures, serve, write_sources
from tests.ops.helpers import ROOT, env, runs

pytestmark = pytest.mark.e2e

NAMES = ["wire-a", "wire-b", "wire-c"]
ORIGINALS = 16
COPIES = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crawl.db'}"
        return
    from tests.storage.databases import throwaway_postgres_database

    server: str = request.getfixturevalue("postgres_url")
    with throwaway_postgres_database(server) as url:
        yield url


def command(db_url: str, sources: Path, proxy: str, names: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "--database-url",
        db_url,
        "crawl",
        *names,
        "--sources",
        str(sources),
        "--proxy",
        proxy,
    ]


def test_one_service_crawls_sources_that_copy_each_other_at_once(
    db_url: str, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path, NAMES)
    with serve(NAMES, ORIGINALS, COPIES) as (site, plan):
        result = subprocess.run(
            command(db_url, sources, site.proxy_url, NAMES),
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    found = figures(db_url, plan)
    print(f"\none service, {len(NAMES)} sources at once ({db_url.split(':')[0]}): {found}")
    assert found.pages_stored == found.pages_expected
    assert found.pages_doubled == 0
    assert found.copies_linked == found.copies_expected
    done = runs(db_url)
    assert sorted(r.source_id for r in done) == [1, 2, 3]
    assert {r.status for r in done} == {"ok"}
    assert len({r.pid for r in done}) == 1  # one process
    # every crawl started before the first one ended: they ran at the same time
    assert max(r.started_at for r in done) < min(r.finished_at for r in done if r.finished_at)
    assert "dedup index loaded" in result.stderr
    assert result.stderr.count("dedup index loaded") == 1


def test_two_crawl_commands_at_once_lose_nothing_and_link_every_copy(
    db_url: str, tmp_path: Path
) -> None:
    """``crawl wire-a wire-b`` and ``crawl wire-b wire-c`` started together: wire-b is
    crawled by one and, once that run has ended, by the other (incrementally)."""
    sources = write_sources(tmp_path, NAMES)
    with serve(NAMES, ORIGINALS, COPIES) as (site, plan):
        first = subprocess.Popen(
            command(db_url, sources, site.proxy_url, ["wire-a", "wire-b"]),
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        second = subprocess.Popen(
            command(db_url, sources, site.proxy_url, ["wire-b", "wire-c"]),
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out1, err1 = first.communicate(timeout=300)
        out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1[-3000:]
    assert second.returncode == 0, err2[-3000:]
    found = figures(db_url, plan)
    print(f"\ntwo crawl commands at once ({db_url.split(':')[0]}): {found}")
    assert found.pages_stored == found.pages_expected
    assert found.pages_doubled == 0
    assert found.copies_linked == found.copies_expected
    done = runs(db_url)
    assert {r.status for r in done} == {"ok"}, out1 + out2
    per_source = sorted(r.source_id for r in done)
    assert len(per_source) == 4 and len(set(per_source)) == 3  # wire-b twice, one after the other
