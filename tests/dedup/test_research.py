"""Cross-validation and the generated held-out sets, on texts the project wrote itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crawler.cli import main
from crawler.dedup.research import heldout
from crawler.dedup.research.crossval import cross_validate, fold_of
from crawler.dedup.research.evaluate import LabelledPair, load_articles, read_pairs


def _pairs() -> list[LabelledPair]:
    """Paraphrase-like positives (a paragraph and its light edit) and negatives (two
    paragraphs of different articles), from the project's own articles."""
    arts = load_articles()
    out: list[LabelledPair] = []
    for n, art in enumerate(arts):
        text = art.paragraphs[0]
        out.append(LabelledPair(True, text, text.replace(" said ", " stated "), 2 * n))
        other = arts[(n + 1) % len(arts)].paragraphs[1]
        out.append(LabelledPair(False, text, other, 2 * n + 1))
    return out


def test_folds_are_balanced_and_seeded() -> None:
    folds = fold_of(23, 5, seed=3)
    assert sorted(np.bincount(folds).tolist()) == [4, 4, 5, 5, 5]
    assert fold_of(23, 5, seed=3).tolist() == folds.tolist()
    assert fold_of(23, 5, seed=4).tolist() != folds.tolist()


def test_cross_validation_scores_every_pair_once() -> None:
    pairs = _pairs()
    report = cross_validate(pairs, k=3, seed=1)
    held = report.held_out
    assert held.tp + held.fn == report.positives == sum(p.label for p in pairs)
    assert sum(s.tp + s.fn for s in report.per_fold) == report.positives
    assert sum(s.tp + s.fp for s in report.per_fold) == held.tp + held.fp
    # different paragraphs of different articles are never accepted
    assert held.fp == 0 and report.current.fp == 0
    with pytest.raises(ValueError):
        cross_validate(pairs, k=1)


def test_cli_cv_keeps_the_contract_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pairs.txt"
    lines = ["Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
    lines += [f"{int(p.label)}\t{p.line}a\t{p.line}b\t{p.a}\t{p.b}" for p in _pairs()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["eval", "dedup", "--pairs", str(path), "--cv", "3"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("held out, all folds") for line in out)
    newsdedup = next(line for line in out if line.startswith("newsdedup (exact hash"))
    assert out[-1] == newsdedup.split(": ", 1)[1]
    assert main(["eval", "dedup", "--pairs", str(path), "--cv", "1"]) == 2


def _long_texts() -> list[str]:
    """Long texts made of the project's own articles, several articles each."""
    arts = load_articles()
    chunks = [arts[i : i + 4] for i in range(0, len(arts), 4)]
    return [
        "\n\n".join(p for a in chunk for p in (a.title + ".", *a.paragraphs)) for chunk in chunks
    ]


def test_containment_pairs_have_the_promised_shapes(tmp_path: Path) -> None:
    texts = [t for t in _long_texts() if len(t.split()) >= heldout.SOURCE_MIN_WORDS]
    assert len(texts) >= 2
    pairs = heldout.containment_pairs(texts, seed=1)
    kinds = [p.kind for p in pairs]
    assert set(kinds) == {*heldout.CONTAINMENT_KINDS, "negative"}
    for p in pairs:
        assert 150 <= len(p.passage.split()) <= 380
        assert (p.source in texts) and p.label == (p.kind != "negative")
    cut = next(p for p in pairs if p.kind == "cut_paste")
    assert all(s in cut.source for s in heldout.sentences_of(cut.passage))
    path = tmp_path / "long.txt"
    assert heldout.write_pairs(pairs, str(path)) == len(pairs)
    assert [q.label for q in read_pairs(path).pairs] == [p.label for p in pairs]


def test_facts_articles_insert_one_restatement_each() -> None:
    arts = [[a.title, *a.paragraphs] for a in load_articles()]
    items = heldout.facts_articles(arts, seed=2)
    assert {i.kind for i in items} >= {"repeat", "number", "clause"}
    for item in items:
        assert item.earlier < item.later
        original = next(a for a in arts if a[item.earlier] == item.paragraphs[item.earlier])
        assert len(item.paragraphs) == len(original) + 1
    report = heldout.check_facts(items)
    assert sum(report.articles.values()) == len(items)
    assert report.flagged["repeat"] <= report.articles["repeat"]
