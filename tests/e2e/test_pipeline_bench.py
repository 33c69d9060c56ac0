"""bench.pipeline_bench end to end on a few generated pages: real crawls, every repetition."""

from __future__ import annotations

import logging
import re

import pytest

from bench import pipeline_bench


def test_repeat_prints_every_repetition_and_medians(capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline_bench.main(["--pages", "12", "--repeat", "2"]) == 0
    assert logging.root.manager.disable == logging.NOTSET  # the bench's quiet logs undone
    out = capsys.readouterr().out
    reps = re.findall(r"rep (\d) \[this\] crawl +([\d.]+) ms/page, extraction +([\d.]+)", out)
    assert [rep for rep, _, _ in reps] == ["0", "1"]
    assert all(float(crawl) > float(extraction) > 0 for _, crawl, extraction in reps)
    assert "pages stored: 12/12" in out
    ratios = [float(r) for r in re.findall(r"ratio extraction/crawl: ([\d.]+)", out)]
    assert len(ratios) == 2 and all(0 < r < 1.5 for r in ratios)


def test_repeat_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        pipeline_bench.main(["--pages", "12", "--repeat", "0"])
    assert exit_.value.code == 2
    assert "--repeat must be at least 1" in capsys.readouterr().err


def _figure(pattern: str, out: str) -> float:
    found = re.search(pattern, out)
    assert found is not None, f"{pattern!r} not in the output:\n{out}"
    return float(found.group(1))


def test_floor_crawls_with_bare_scrapy_beside_the_crawl(capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline_bench.main(["--pages", "12", "--floor"]) == 0
    out = capsys.readouterr().out
    assert "[bare Scrapy]" in out and "items: 12/12" in out  # every page fetched, none stored
    extraction = _figure(r"extraction alone: +[\d.]+ s +([\d.]+) ms/page", out)
    bare = _figure(r"less start-up: +([-\d.]+) ms/page\n  ceiling", out)
    ceiling = _figure(r"ceiling of a Scrapy crawl.*: ([\d.]+)", out)
    left = _figure(r"left at 0.8 .*: ([-\d.]+) ms/page", out)
    _figure(r"\[this\] beyond extraction and bare Scrapy.*: ([-\d.]+) ms/page", out)
    # one repetition: the ceiling and the budget are its own figures, within rounding
    assert abs(ceiling - extraction / (extraction + bare)) < 0.02
    assert abs(left - (0.25 * extraction - bare)) < 0.02


def test_threads_split_the_crawl_by_thread(capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline_bench.main(["--pages", "12", "--threads"]) == 0
    out = capsys.readouterr().out
    assert "pages stored: 12/12" in out
    extraction = _figure(r"extraction alone: +[\d.]+ s +([\d.]+) ms/page", out)
    reactor = _figure(r"reactor \(main\): +([-\d.]+) ms/page", out)  # 12 pages: noisy
    writer = _figure(r"writer: +([-\d.]+) ms/page", out)
    other = _figure(r"other threads: +([-\d.]+) ms/page", out)
    _figure(r"outside threads: +([-\d.]+) ms/page", out)
    beyond = _figure(r"writer beyond extraction alone: ([-\d.]+) ms/page", out)
    # the writer thread extracts every page: extraction's CPU is counted there
    assert writer > 0.5 * extraction > 0
    assert abs(beyond - (writer - extraction)) < 0.02  # one repetition: its own figures
    # the crawl's own extract calls, one per page, timed on the thread that ran them
    assert re.search(r"extraction inside the crawl: [\d.]+ ms/page \(12 calls\)", out), out
    inside = _figure(r"extraction inside the crawl: ([\d.]+) ms/page", out)
    inside_beyond = _figure(r"calls\); beyond extraction alone: ([-\d.]+) ms/page", out)
    rest = _figure(r"threads beyond extraction inside, less start-up: ([-\d.]+) ms/page", out)
    assert writer > 0.5 * inside > 0.25 * extraction
    assert abs(inside_beyond - (inside - extraction)) < 0.02
    assert abs(rest - (reactor + writer + other - inside)) < 0.04
