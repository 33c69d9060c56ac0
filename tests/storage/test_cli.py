"""`newsdedup db ...` and `newsdedup stats`, run in-process."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.cli import main
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.repository import add_duplicate_link
from tests.storage import factories
from tests.storage.databases import throwaway_postgres_database


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli' / 'news.db'}"


def test_db_upgrade_current_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(tmp_path)
    assert main(["--database-url", url, "db", "current"]) == 0
    assert "none (not migrated" in capsys.readouterr().out

    assert main(["--database-url", url, "db", "upgrade"]) == 0
    assert f"upgraded from empty to {migrate.head()} (head)" in capsys.readouterr().out
    assert main(["--database-url", url, "db", "upgrade"]) == 0
    assert "already at revision" in capsys.readouterr().out

    assert main(["--database-url", url, "db", "current"]) == 0
    assert capsys.readouterr().out.strip() == f"{migrate.head()} (head)"
    assert main(["--database-url", url, "db", "check"]) == 0
    assert "matches the models" in capsys.readouterr().out


def test_db_check_reports_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_paragraphs_norm_hash")
    engine.dispose()
    assert main(["--database-url", url, "db", "check"]) == 1
    out = capsys.readouterr().out
    assert "differs from the models" in out
    assert "add_index paragraphs.ix_paragraphs_norm_hash" in out


def test_db_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", "not a url", "db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert "newsdedup db upgrade: invalid database URL 'not a url'" in err
    assert "Traceback" not in err
    assert main(["--database-url", _url(tmp_path), "db", "upgrade", "--revision", "9999"]) == 1
    assert "Can't locate revision" in capsys.readouterr().err


def test_stats_on_empty_migrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(tmp_path)
    migrate.upgrade(url)
    assert main(["--database-url", url, "stats"]) == 0
    out = capsys.readouterr().out
    assert "Articles:        0" in out
    assert "Duplicate links: 0" in out
    assert main(["--database-url", url, "stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["articles"] == 0
    assert data["per_source"] == []


@pytest.mark.parametrize("kind", ["missing file", "empty file"])
def test_stats_on_unmigrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db_file = tmp_path / "plain.db"
    if kind == "empty file":
        sqlite3.connect(db_file).close()
    assert main(["--database-url", f"sqlite:///{db_file}", "stats"]) == 1
    captured = capsys.readouterr()
    assert "run `newsdedup db upgrade`" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert db_file.exists() == (kind == "empty file")


def test_stats_with_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        ledger = factories.source(session, "lowmere-ledger")
        wire = factories.source(session, "quayside-wire")
        original, _ = factories.article(session, ledger, "https://ledger.example/a")
        copy, _ = factories.article(session, wire, "https://wire.example/a")
        add_duplicate_link(
            session,
            paragraph_id=copy.paragraphs[1].id,
            matched_paragraph_id=original.paragraphs[1].id,
            kind="exact_cross",
            method="norm_hash",
            score=1.0,
            scores={},
            params_id=None,
            run_id=None,
        )
    engine.dispose()
    assert main(["--database-url", url, "stats"]) == 0
    out = capsys.readouterr().out
    assert "Duplicate links: 1 (exact_cross: 1)" in out
    assert "Pages:           2 (ok: 2)" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line}
    assert lines["quayside-wire"] == ["1", str(len(factories.BLOCKS_TEXT)), "1"]
    assert lines["lowmere-ledger"] == ["1", str(len(factories.BLOCKS_TEXT)), "0"]
    assert main(["--database-url", url, "stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["duplicates_by_kind"] == {"exact_cross": 1}
    assert data["articles"] == 2


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["db", "--help"], ["db", "upgrade", "--help"], ["stats", "--help"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 0
    assert "--json" in capsys.readouterr().out


@pytest.mark.postgres
def test_db_upgrade_and_stats_on_postgres(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with throwaway_postgres_database(postgres_url) as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        assert main(["--database-url", plain, "stats"]) == 1
        assert "is not migrated" in capsys.readouterr().err
        assert main(["--database-url", plain, "db", "upgrade"]) == 0
        assert main(["--database-url", plain, "db", "check"]) == 0
        assert main(["--database-url", plain, "stats", "--json"]) == 0
        out = capsys.readouterr().out
        data = json.loads(out[out.index("{") :])
        assert data["sources"] == 0
