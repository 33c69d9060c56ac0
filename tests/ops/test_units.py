"""Plain units of the operations code: incremental decisions, health verdicts, progress
lines, the sources file's failure-share key."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from crawler.config import ConfigError, load_sources_text
from crawler.fetch.incremental import KnownPage, conditional_headers, decide, parse_lastmod
from crawler.service.progress import Progress, ProgressExtension, format_line, progress_from_stats
from crawler.service.run_health import RunCounters, judge


@pytest.mark.parametrize(
    ("stored", "given", "decision"),
    [
        ("2026-11-20T08:00:00+00:00", "Fri, 20 Nov 2026 08:00:00 GMT", "skip"),
        ("2026-11-20T08:00:00+00:00", "2026-11-19", "skip"),
        ("2026-11-20T08:00:00+00:00", "2026-11-20T08:00:01Z", "conditional"),
        ("2026-11-20", None, "conditional"),
        (None, "2026-11-20", "conditional"),
        ("not a date", "2026-11-20", "conditional"),
    ],
)
def test_decide(stored: str | None, given: str | None, decision: str) -> None:
    assert decide(KnownPage(lastmod=stored), given) == decision


def test_unknown_url_is_fetched_and_headers_are_conditional() -> None:
    assert decide(None, "2026-11-20") == "fetch"
    known = KnownPage(etag='"x"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT")
    assert conditional_headers(known) == {
        "If-None-Match": '"x"',
        "If-Modified-Since": "Fri, 20 Nov 2026 08:00:00 GMT",
    }
    assert conditional_headers(KnownPage()) == {}
    assert parse_lastmod("2026-11-20") == datetime(2026, 11, 20, tzinfo=UTC)


def test_health_verdicts() -> None:
    fine = RunCounters(pages_fetched=10, articles=8, extraction_failures=2)
    assert judge(fine, "finished", 0.5).status == "ok"
    assert judge(fine, "finished", 0.1).status == "failed"
    assert "over the limit of 10%" in (judge(fine, "finished", 0.1).reason or "")
    empty = RunCounters(http_statuses={"500": 9, "200": 1})
    verdict = judge(empty, "finished", 0.5)
    assert verdict == judge(empty, "finished", 0.5)
    assert verdict.status == "failed" and verdict.reason == (
        "the source yielded no articles (HTTP 500 x9)"
    )
    assert judge(fine, "shutdown", 0.5).status == "interrupted"
    assert judge(fine, None, 0.5).status == "failed"
    unchanged = RunCounters(pages_fetched=0, articles=4)  # all skipped as not modified
    assert judge(unchanged, "finished", 0.0).status == "ok"


def test_failure_share_key_is_validated() -> None:
    base = '[[sources]]\nname = "a"\ndomains = ["a.example"]\nfeeds = ["http://a.example/f"]\n'
    assert load_sources_text(base + "max_failure_share = 0.2\n").sources[0].max_failure_share == 0.2
    assert load_sources_text(base).sources[0].max_failure_share is None
    with pytest.raises(ConfigError, match='source "a": key "max_failure_share": must be from 0'):
        load_sources_text(base + "max_failure_share = 1.5\n", "s.toml")


def test_progress_line_and_stats() -> None:
    stats = {
        "response_received_count": 30,
        "newsdedup/articles/new": 5,
        "newsdedup/articles/unchanged": 3,
        "newsdedup/duplicates/near_within": 2,
        "newsdedup/extraction/no_article": 1,
        "newsdedup/extraction/ok": 8,
        "downloader/response_status_count/500": 2,
        "downloader/response_status_count/200": 28,
    }
    progress = progress_from_stats(stats, elapsed=30.0)
    assert progress == Progress(pages=30, articles=8, duplicates=2, errors=3, elapsed=30.0)
    assert format_line("src", progress) == (
        "src: 30 pages, 8 articles, 2 duplicates, 3 errors, 60.0 pages/min"
    )


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {"response_received_count": 4}

    def get_stats(self) -> dict[str, int]:
        return self.values


def test_progress_redraws_in_place_on_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    ticks = iter([0.0, 60.0, 120.0])
    live = ProgressExtension(_Stats(), live=True, stream=stream, clock=lambda: next(ticks))
    live.source = "src"
    live.tick()
    live.tick()
    assert stream.getvalue().count("\r\x1b[2K") == 2 and "\n" not in stream.getvalue()
    plain = ProgressExtension(_Stats(), live=False, stream=stream, clock=lambda: 1.0)
    plain.source = "src"
    with caplog.at_level("INFO", logger="crawler.service.progress"):
        plain.tick()
    assert "progress src: 4 pages" in caplog.text
