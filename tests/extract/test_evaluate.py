from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from crawler.extract.evaluate import Page, Score, evaluate, load_corpus, score_text

HTML = (
    b"<html><body><article><p>" + b"Alpha beta gamma delta. " * 20 + b"</p></article></body></html>"
)
EVALDATA = {
    "https://a.test/1": {"file": "one.html", "with": ["Alpha  beta"], "without": ["Footer"]},
    "https://a.test/2": {"file": "two.html", "with": ["gamma delta"], "without": []},
    "https://a.test/3": {"file": "missing.html", "with": ["x"], "without": []},
}


def _write_corpus(root: Path) -> None:
    (root / "eval").mkdir(parents=True)
    (root / "cache").mkdir()
    (root / "eval" / "one.html").write_bytes(HTML)
    (root / "cache" / "two.html").write_bytes(HTML)
    (root / "evaldata.json").write_text(json.dumps(EVALDATA), encoding="utf-8")


def test_score_text_and_metric() -> None:
    page = Page("p", b"", with_=("a  b", "zzz"), without=("c", "yyy"), teasers=("c",))
    score = score_text(" a b c ", page)
    assert (score.tp, score.fn, score.fp, score.tn) == (1, 1, 1, 1)
    assert (score.teasers_kept, score.teasers_total) == (1, 1)
    empty = score_text("", page)
    assert (empty.tp, empty.fn, empty.fp, empty.tn) == (0, 2, 0, 2)
    total = Score(tp=8, fn=2, fp=2, tn=0)
    assert total.precision == pytest.approx(0.8)
    assert total.recall == pytest.approx(0.8)
    assert total.f1 == pytest.approx(0.8)
    assert Score().f1 == 0.0


def test_load_directory_and_archive(tmp_path: Path) -> None:
    _write_corpus(tmp_path / "corpus")
    pages = load_corpus(tmp_path / "corpus")
    assert [p.name for p in pages] == ["one.html", "two.html"]
    assert pages[0].url == "https://a.test/1"
    assert len(load_corpus(tmp_path / "corpus", limit=1)) == 1

    archive = tmp_path / "corpus.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "corpus", arcname="tests")
    from_archive = load_corpus(archive)
    assert [(p.name, p.data) for p in from_archive] == [(p.name, p.data) for p in pages]


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "nope")
    with pytest.raises(ValueError, match=r"evaldata\.json"):
        load_corpus(tmp_path)
    bogus = tmp_path / "bogus.tgz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a tar archive"):
        load_corpus(bogus)
    empty = tmp_path / "empty.tgz"
    with tarfile.open(empty, "w:gz") as tar:
        info = tarfile.TarInfo("x.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(ValueError, match=r"no evaldata\.json"):
        load_corpus(empty)


def test_evaluate_counts_crashes_as_empty(tmp_path: Path) -> None:
    _write_corpus(tmp_path)
    pages = load_corpus(tmp_path)

    def crash(data: bytes, url: str | None, content_type: str | None) -> str:
        raise RuntimeError("boom")

    def echo(data: bytes, url: str | None, content_type: str | None) -> str:
        return data.decode()

    results = evaluate({"crash": crash, "echo": echo}, pages)
    assert results["crash"].score.tp == 0
    assert len(results["crash"].failures) == 2
    assert results["echo"].score.tp == 2
    assert results["echo"].pages == 2


def test_part_of_holds_out_a_quarter_by_name() -> None:
    from crawler.extract.evaluate import HELD_OUT, part_of

    names = [f"page-{i}.html" for i in range(2000)]
    held = [n for n in names if part_of(n) == HELD_OUT]
    assert 0.2 < len(held) / len(names) < 0.3
    assert [part_of(n) for n in names] == [part_of(n) for n in names]


def test_run_result_scores_by_part() -> None:
    from crawler.extract.evaluate import FIT, HELD_OUT, part_of

    pages = [Page(name=f"p{i}.html", data=b"x", with_=("x",)) for i in range(40)]
    result = evaluate({"echo": lambda data, url, ct: data.decode()}, pages)["echo"]
    parts = result.by_part()
    held = sum(1 for p in pages if part_of(p.name) == HELD_OUT)
    assert parts[HELD_OUT].tp == held
    assert parts[FIT].tp == len(pages) - held
