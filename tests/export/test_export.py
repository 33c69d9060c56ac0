"""``newsdedup export``: jsonl, csv and parquet round trips, --since, --canonical-only,
standard output, and clear errors."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text, update

from crawler.cli import main
from crawler.export import parquet_schema
from storage import migrate
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Article, ArticleVersion, utcnow
from storage.repo.export import EXPORT_COLUMNS
from tests.api.conftest import SeededDb
from tests.api.seed import seed
from tests.storage.databases import sqlite_url


def _export(url: str, *args: str) -> int:
    return main(["--database-url", url, "export", *args])


def _view_ids(url: str) -> set[int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT article_id FROM canonical_articles")).scalars())
    finally:
        engine.dispose()


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_columns_match_the_parquet_schema() -> None:
    assert tuple(parquet_schema().names) == EXPORT_COLUMNS


def test_jsonl_round_trip(seeded: SeededDb, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    assert _export(seeded.url, "--format", "jsonl", "--output", str(out), "--batch-size", "5") == 0
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == sorted(seeded.ids.articles.values())
    assert all(tuple(r) == EXPORT_COLUMNS for r in rows)
    wind = next(r for r in rows if r["id"] == seeded.ids.articles["wind"])
    assert wind["language"] == "de" and wind["text"].startswith("Vor der Küste von Nordhavn")
    assert wind["published_at"] == "2026-11-03T12:00:00Z"
    assert wind["duplicate_paragraphs"] == 1 and wind["paragraph_count"] == 3
    assert wind["authors"] == ["M. Tern"]
    copy = next(r for r in rows if r["id"] == seeded.ids.articles["cranes_copy"])
    assert copy["is_canonical"] is False and copy["cluster_id"] == seeded.ids.clusters["cranes"]
    assert {r["id"] for r in rows if r["is_canonical"]} == _view_ids(seeded.url)


def test_csv_round_trip(seeded: SeededDb, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    assert _export(seeded.url, "--format", "csv", "-o", str(out)) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [int(r["id"]) for r in rows] == sorted(seeded.ids.articles.values())
    note = next(r for r in rows if int(r["id"]) == seeded.ids.articles["note"])
    assert note["published_at"] == "" and note["is_canonical"] == "true"
    assert json.loads(note["authors"]) == ["M. Tern"]
    wind = next(r for r in rows if int(r["id"]) == seeded.ids.articles["wind"])
    assert wind["text"].count("\n") == 2  # multi-line text survives the quoting


def test_parquet_round_trip_in_row_groups(seeded: SeededDb, tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    code = _export(seeded.url, "--format", "parquet", "--output", str(out), "--batch-size", "7")
    assert code == 0
    parquet = pq.ParquetFile(out)
    assert parquet.schema_arrow == parquet_schema()
    total = len(seeded.ids.articles)
    assert parquet.metadata.num_row_groups == -(-total // 7)
    rows = parquet.read().to_pylist()
    assert [r["id"] for r in rows] == sorted(seeded.ids.articles.values())
    cranes = next(r for r in rows if r["id"] == seeded.ids.articles["cranes"])
    assert cranes["published_at"].isoformat() == "2026-11-01T09:00:00+00:00"
    assert cranes["authors"] == ["M. Tern"] and cranes["is_canonical"] is True
    assert not list(tmp_path.glob("*.part"))


def test_canonical_only(seeded: SeededDb, tmp_path: Path) -> None:
    out = tmp_path / "canonical.jsonl"
    assert _export(seeded.url, "--format", "jsonl", "--canonical-only", "-o", str(out)) == 0
    ids = {r["id"] for r in _jsonl(out)}
    assert ids == seeded.ids.canonical == _view_ids(seeded.url)


def test_stdout(seeded: SeededDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(seeded.url, "--format", "jsonl") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == len(seeded.ids.articles)
    assert json.loads(lines[0])["id"] == min(seeded.ids.articles.values())
    assert f"exported {len(lines)} articles as jsonl to standard output" in captured.err

    assert _export(seeded.url, "--format", "csv", "--output", "-") == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("id,source,url,")


def test_parquet_needs_a_file(seeded: SeededDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(seeded.url, "--format", "parquet") == 2
    assert "parquet needs a seekable file" in capsys.readouterr().err


def test_since_takes_new_and_changed_articles(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    old = datetime(2020, 1, 1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            ids = seed(session).articles
            session.execute(update(Article).values(first_seen_at=old))
            fresh = [ids["wind"], ids["ferry"]]
            session.execute(
                update(Article).where(Article.id.in_(fresh)).values(first_seen_at=utcnow())
            )
            session.add(
                ArticleVersion(
                    article_id=ids["note"],
                    version=1,
                    title="Old note",
                    text="old text",
                    text_sha256="0" * 64,
                    blocks=[],
                    seen_from=old,
                    replaced_at=utcnow(),
                )
            )
    finally:
        engine.dispose()
    out = tmp_path / "since.jsonl"
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    assert _export(url, "--format", "jsonl", "--since", since, "-o", str(out)) == 0
    assert {r["id"] for r in _jsonl(out)} == {ids["wind"], ids["ferry"], ids["note"]}
    assert _export(url, "--format", "jsonl", "--since", "2100-01-01T00:00:00Z", "-o", str(out)) == 0
    assert _jsonl(out) == []


def test_bad_since_is_a_usage_error(seeded: SeededDb, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _export(seeded.url, "--format", "jsonl", "--since", "yesterday")
    assert caught.value.code == 2
    assert "not an ISO 8601 date" in capsys.readouterr().err


def test_unmigrated_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path, "missing.db")
    assert _export(url, "--format", "jsonl") == 1
    assert "run `newsdedup db upgrade`" in capsys.readouterr().err


def test_unwritable_output(
    seeded: SeededDb, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-dir" / "out.jsonl"
    assert _export(seeded.url, "--format", "jsonl", "-o", str(target)) == 1
    assert "cannot write" in capsys.readouterr().err
