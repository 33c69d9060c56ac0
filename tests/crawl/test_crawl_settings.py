"""Settings given with ``newsdedup crawl -s NAME=VALUE`` reach the crawl: checked before
anything starts (a bad ``NEWSDEDUP_EMBEDDINGS`` is refused), read by the crawl service
from the crawl's Scrapy settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.cli import main
from crawler.cli.crawl import parse_overrides
from crawler.ingest.recheck import RecheckConfigError, recheck_from_settings
from tests.ops.helpers import sources_file


def test_overrides_parse_and_refuse_a_pair_without_equals() -> None:
    assert parse_overrides(["A=1", "NEWSDEDUP_EMBEDDINGS=0", "B="]) == {
        "A": "1",
        "NEWSDEDUP_EMBEDDINGS": "0",
        "B": "",
    }
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_overrides(["oops"])


def test_embeddings_given_with_s_is_checked_before_the_crawl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSDEDUP_EMBEDDINGS", raising=False)
    sources = sources_file(tmp_path)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    code = main(
        ["--database-url", db, "crawl", "--sources", str(sources), "-s", "NEWSDEDUP_EMBEDDINGS=2"]
    )
    assert code == 2
    assert "NEWSDEDUP_EMBEDDINGS must be 0 or 1, not '2'" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()  # nothing started


def test_the_service_reads_embeddings_from_the_crawl_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSDEDUP_EMBEDDINGS", "0")
    settings = Settings({"NEWSDEDUP_EMBEDDINGS": "7"})
    with pytest.raises(RecheckConfigError):  # the crawl's value, not the environment's
        recheck_from_settings(settings.get("NEWSDEDUP_EMBEDDINGS"))
    assert recheck_from_settings("0") is None
