"""Two ``newsdedup crawl`` processes at once on one SQLite database, each writing the index
snapshot when its crawls end: the file left behind is whole, and a later start from it
has the index a load from SQL gives (and says it started from the snapshot)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from crawler.dedup.snapshot import read_snapshot
from crawler.ingest.ingestor import Ingestor
from storage.db import make_engine, make_session_factory
from tests.crawl.copy_site import figures, serve, write_sources
from tests.crawl.test_concurrent_service import NAMES, command
from tests.ops.helpers import ROOT, env

pytestmark = pytest.mark.e2e


def test_two_crawl_processes_leave_a_whole_snapshot_that_matches_sql(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'crawl.db'}"
    sources = write_sources(tmp_path, NAMES)
    with serve(NAMES, 10, 4) as (site, plan):
        procs = [
            subprocess.Popen(
                command(db_url, sources, site.proxy_url, names),
                cwd=ROOT,
                env=env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for names in (["wire-a", "wire-b"], ["wire-c"])
        ]
        outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
        assert "index snapshot written" in err
    found = figures(db_url, plan)
    assert found.pages_stored == found.pages_expected
    path = tmp_path / "crawl.db.index"
    assert sorted(p.name for p in tmp_path.iterdir() if ".index" in p.name) == [path.name]
    engine = make_engine(db_url)
    try:
        factory = make_session_factory(engine)
        sql = Ingestor.open(factory)
        read_snapshot(path, sql.params.fingerprint())  # whole, current parameters
        started = Ingestor.open(factory, snapshot=path)
        assert sorted(started.engine.export_arrays().keys.tolist()) == sorted(
            sql.engine.export_arrays().keys.tolist()
        )
        assert started.watermark == sql.watermark and len(sql.engine) > 0
    finally:
        engine.dispose()
    # a third crawl starts from the snapshot
    with serve(NAMES, 10, 4) as (site, _):
        third = subprocess.run(
            command(db_url, sources, site.proxy_url, ["wire-a"]),
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert third.returncode == 0, third.stderr[-3000:]
    assert "(snapshot, " in third.stderr
