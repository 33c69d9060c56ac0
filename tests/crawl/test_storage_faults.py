"""Storage faults fail loudly: a database that cannot be written stops the crawl within
seconds (no more fetching), one ERROR line names the database and the cause, the run is
recorded ``failed`` (or stderr says it could not be), the exit code is non-zero, and no
"Unhandled error in Deferred"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.generated import serve_generated_site, sources_toml
from storage.migrate import upgrade
from storage.models import CrawlRun
from tests.ops.helpers import ROOT, env, runs

pytestmark = pytest.mark.e2e

ARTICLES = 400


def crawl(db: str, sources: Path, proxy: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "crawler.cli", "--database-url", db, "crawl", "wirebulk"]
    command += ["--sources", str(sources), "--proxy", proxy]
    return subprocess.Popen(
        command, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def write_sources(directory: Path) -> Path:
    path = directory / "sources.toml"
    path.write_text(sources_toml(concurrency=2), encoding="utf-8")
    return path


def assert_failed_loudly(code: int, stdout: str, stderr: str, database: str) -> None:
    assert code == 1, stderr[-3000:]
    assert "Unhandled error in Deferred" not in stderr
    assert "Traceback" not in stderr, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, errors
    assert f"database {database}: cannot write: " in errors[0]
    assert "wirebulk: run 1 failed" in stdout


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a small tmpfs: needs root and mount")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=640k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_stops_the_crawl(tmpfs: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmpfs / 'crawl.db'}"
    upgrade(db)  # the schema fits; the pages do not
    with serve_generated_site(articles=ARTICLES, copies=0, paragraphs=8) as (site, plan):
        process = crawl(db, write_sources(tmp_path), site.proxy_url)
        stdout, stderr = process.communicate(timeout=300)
        fetched = sum(n for url, n in site.requests.items() if "/a/" in url)
    assert_failed_loudly(process.returncode, stdout, stderr, db)
    assert "database or disk is full" in stderr
    assert fetched < len(plan.urls)  # it stopped fetching
    [run] = runs_or_none(db)
    if run is not None:
        assert run.status == "failed"
    else:
        assert "could not be recorded as failed" in stderr


def runs_or_none(db: str) -> list[CrawlRun | None]:
    try:
        found = runs(db)
    except Exception:  # the file may be unreadable after the fault
        return [None]
    return [*found] if found else [None]


def test_database_file_removed_stops_the_crawl(tmp_path: Path) -> None:
    path = tmp_path / "crawl.db"
    db = f"sqlite:///{path}"
    with serve_generated_site(articles=ARTICLES, copies=0, delay=0.02) as (site, plan):
        process = crawl(db, write_sources(tmp_path), site.proxy_url)
        while sum(n for url, n in site.requests.items() if "/a/" in url) < 20:
            assert process.poll() is None, process.communicate()[1][-3000:]
            time.sleep(0.05)
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            (tmp_path / name).unlink(missing_ok=True)
        removed_at = sum(n for url, n in site.requests.items() if "/a/" in url)
        stdout, stderr = process.communicate(timeout=120)
        fetched = sum(n for url, n in site.requests.items() if "/a/" in url)
    assert_failed_loudly(process.returncode, stdout, stderr, db)
    assert f"the database file {path} is gone" in stderr
    assert "could not be recorded as failed" in stderr
    # it stopped: the requests in flight, not the rest of the site
    assert fetched - removed_at < (len(plan.urls) - removed_at) / 2


def test_read_only_database_at_start_fails_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "crawl.db"
    upgrade(f"sqlite:///{path}")
    db = f"sqlite:///file:{path}?mode=ro&uri=true"
    with serve_generated_site(articles=20, copies=0) as (site, _plan):
        process = crawl(db, write_sources(tmp_path), site.proxy_url)
        _stdout, stderr = process.communicate(timeout=120)
        fetched = sum(n for url, n in site.requests.items() if "/a/" in url)
    assert process.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr and "Unhandled error" not in stderr
    assert "cannot write: attempt to write a readonly database" in stderr
    assert fetched == 0
