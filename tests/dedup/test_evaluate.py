from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
from crawler.dedup.research.evaluate import (
    evaluate_pairs,
    evaluate_synthetic,
    load_articles,
    read_pairs,
)

PAIRS = (
    "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n"
    '1\t1\t2\tOrison delayed its "2-nanometre" plant by a year, citing late machines.\t'
    'Citing late machines, Orison delayed its "2-nanometre" plant by a year.\r\n'
    "0\t3\t4\tSkyfen was fined 8.5 million euros for hidden roaming charges on ferries.\t"
    "Skyfen was fined 6.2 million euros for hidden roaming charges on ferries.\r\n"
    "x\t5\t6\tbad label\tline\r\n"
    "1\tonly two\r\n"
    "0\t7\t8\tThe ferry carries 190 passengers and forty cars across the strait.\t"
    "A new translation app works offline in many languages for travellers.\r\n"
)


@pytest.fixture()
def pairs_file(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.txt"
    path.write_bytes(PAIRS.encode("utf-8"))
    return path


def test_read_pairs(pairs_file: Path) -> None:
    data = read_pairs(pairs_file)
    assert [(p.label, p.line) for p in data.pairs] == [(True, 2), (False, 3), (False, 6)]
    assert data.pairs[0].a.startswith('Orison delayed its "2-nanometre"')
    assert not data.pairs[0].b.endswith("\r")
    assert len(data.errors) == 2 and ":4:" in data.errors[0] and ":5:" in data.errors[1]


def test_evaluate_pairs(pairs_file: Path) -> None:
    report = evaluate_pairs(read_pairs(pairs_file).pairs)
    assert (report.newsdedup.tp, report.newsdedup.fp, report.newsdedup.fn) == (1, 0, 0)
    assert report.newsdedup.line() == "precision=1.000 recall=1.000 f1=1.000"


def test_cli_pairs_last_line_contract(pairs_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "dedup", "--pairs", str(pairs_file)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "precision=1.000 recall=1.000 f1=1.000"
    assert any(line.startswith("baseline minhash estimated-jaccard>=0.5:") for line in lines)


def test_cli_pairs_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "dedup", "--pairs", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read pairs file" in capsys.readouterr().err


def test_synthetic_small_corpus() -> None:
    reports = {r.kind: r for r in evaluate_synthetic(articles=load_articles()[:6])}
    for kind in ("copy", "new_headline", "reordered", "light_edit", "added", "boilerplate"):
        assert reports[kind].paragraph.precision >= 0.98, kind
        assert reports[kind].paragraph.recall >= 0.95, kind
        assert reports[kind].article.recall == 1.0, kind
    assert reports["distractor"].paragraph.fp == 0
    assert reports["distractor"].article.fp == 0


def test_cli_synthetic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "dedup", "--synthetic"]) == 0
    out = capsys.readouterr().out
    assert "paraphrased_intro" in out and "distractor" in out
