"""`newsdedup sources check` and `sources list`."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
from crawler.demo.server import sample_sources_toml

ROOT = Path(__file__).resolve().parents[2]


def test_check_prints_sources_and_entry_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(sample_sources_toml(), encoding="utf-8")
    assert main(["sources", "check", "--sources", str(path)]) == 0
    out = capsys.readouterr().out
    assert "techwire (enabled;" in out
    assert "  feed:    http://techwire.example/feed.xml" in out
    assert "  sitemap: http://bytebeat.example/sitemap_index.xml" in out
    assert "  listing: http://circuitdaily.example/stories/" in out
    assert out.rstrip().endswith(f"{path}: OK, 3 sources (3 enabled)")


def test_check_reports_errors_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[sources]]\nname = "techwire"\ndomains = ["techwire.example"]\n'
        'feeds = ["http://techwire.example/f"]\nschedule = "61 * * * *"\n',
        encoding="utf-8",
    )
    assert main(["sources", "check", "--sources", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f'{path}: source "techwire": key "schedule": invalid cron expression "61 * * * *"'
    )


def test_check_uses_setting_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDEDUP_SOURCES", str(ROOT / "config" / "sources.toml"))
    assert main(["sources", "check"]) == 0
    assert "OK, 3 sources (0 enabled)" in capsys.readouterr().out


def test_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(sample_sources_toml(), encoding="utf-8")
    assert main(["sources", "list", "--sources", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["techwire", "bytebeat", "circuitdaily"]
    assert lines[0].split("\t")[1:3] == ["enabled", "*/30 * * * *"]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "list", "--sources", str(tmp_path / "none.toml")]) == 1
    assert "cannot read file" in capsys.readouterr().err
