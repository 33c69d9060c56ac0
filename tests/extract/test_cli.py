from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from crawler.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
SEED = FIXTURES / "teaser_seed_explore_more.html"
KEYS = [
    "file",
    "status",
    "reason",
    "url",
    "title",
    "authors",
    "published",
    "updated",
    "language",
    "site_name",
    "canonical_url",
    "credit",
    "credit_url",
    "blocks",
    "removed",
    "text",
]


def _lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_extract_files_in_order_with_an_unreadable_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.html"
    empty = FIXTURES / "bad_empty.html"
    code = main(["extract", str(SEED), str(missing), str(empty)])
    records = _lines(capsys.readouterr().out)
    assert code == 1
    assert [r["file"] for r in records] == [str(SEED), str(missing), str(empty)]
    assert list(records[0]) == KEYS
    assert records[0]["status"] == "ok"
    assert "Explore more" not in str(records[0]["text"])
    assert records[1]["status"] == "error"
    assert "cannot read" in str(records[1]["reason"])
    assert records[2]["status"] == "empty"


def test_extract_url_and_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes())))
    code = main(["extract", "--url", "https://wire.test/a", "-"])
    [record] = _lines(capsys.readouterr().out)
    assert code == 0
    assert record["file"] == "-"
    assert record["url"] == "https://wire.test/a"
    blocks = record["blocks"]
    assert isinstance(blocks, list)
    # The title is a field of its own, not a body heading; section headings stay.
    assert {"kind": "heading", "text": record["title"]} not in blocks
    assert {"kind": "heading", "text": "What the numbers show"} in blocks
    assert {"text": record["title"], "reason": "title"} in record["removed"]  # type: ignore[operator]


def test_extract_url_needs_one_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", "--url", "https://x.test/", str(SEED), str(SEED)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "--url needs exactly one FILE" in captured.err


def test_extract_many_files_in_one_process(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(FIXTURES.glob("*.html"))] * 10
    assert main(["extract", *files]) == 0
    records = _lines(capsys.readouterr().out)
    assert [r["file"] for r in records] == files


def test_eval_extraction_on_a_small_corpus(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "seed.html").write_bytes(SEED.read_bytes())
    evaldata = {
        "https://wire.test/seed": {
            "file": "seed.html",
            "with": ["The harbour authority of Port Vellen"],
            "without": ["Explore more"],
        }
    }
    (tmp_path / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")
    code = main(["eval", "extraction", "--data", str(tmp_path), "--fixtures", str(FIXTURES)])
    out = capsys.readouterr().out
    assert code == 0
    assert "(1 pages)" in out
    rows: dict[str, list[str]] = {}
    for line in out.splitlines():
        if line.strip():
            rows.setdefault(line.split()[0], line.split())
    assert rows["trafilatura"][1:4] == ["0.5000", "1.0000", "0.6667"]
    assert rows["newsdedup"][1:4] == ["1.0000", "1.0000", "1.0000"]
    assert "teasers kept 0/" in out
    # the per-fixture table: teasers kept and body segments found, for both extractors
    seed_row = rows["teaser_seed_headings"]
    assert seed_row[1:] == ["5/5", "kept", "4/6", "found", "0/5", "kept", "6/6", "found"]
    assert rows["teaser_closing_paragraphs_kept"][5:] == ["0/3", "kept", "6/6", "found"]


def test_eval_extraction_bad_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["eval", "extraction", "--data", str(tmp_path / "none")]) == 2
    assert "no such corpus" in capsys.readouterr().err
