"""``newsdedup eval dedup --within``: flags on a corpus, labels, precision.

The corpus is a tiny archive in the trafilatura evaluation format built here from the
project's own made-up articles (never real pages)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.dedup.research.eval_within import (
    DEDUP_KINDS,
    Flag,
    Label,
    read_labels,
    sample_flags,
    score_labels,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"

HARBOUR = [
    "Harbourline, the cloud provider based in Gothenburg, opened its third data centre near "
    "Luleå on Monday, adding 42 megawatts of capacity that the company says will run entirely "
    "on hydroelectric power.",
    "The new hall is built around liquid cooling loops rather than raised floors. Chief "
    "operating officer Maren Holt said the design lets each rack draw up to 80 kilowatts, "
    "roughly four times what the firm's older sites allow.",
    "Customers in the region have waited months for graphics processors, and Harbourline "
    "plans to dedicate half of the building to rented accelerator clusters. Pricing starts at "
    "2.10 euros per GPU hour for contracts longer than a year.",
    "Local officials welcomed the 160 permanent jobs but warned that the grid connection took "
    "four years to approve. Several planned projects in the area are still stuck in the queue.",
]

FERRY = [
    "The island ferry company Nordsund will replace its two oldest vessels with battery "
    "ships by 2027, cutting diesel use on the busiest crossing by about two thirds.",
    "Each new ship carries 190 passengers and forty cars, and charges in twelve minutes at "
    "either harbour from shore connections paid for by the regional government.",
    "Crews will train on a simulator in Bergen over the winter, and the older vessels will "
    "be sold to an operator on the southern coast once the new ships enter service.",
    "Residents asked for later evening departures, which the company says the faster "
    "charging makes possible without adding a third ship to the route.",
]


def _html(title: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<main><article><h1>{title}</h1>\n{body}\n</article></main>"
        "<footer><p>Example News</p></footer></body></html>"
    ).encode()


def _intro_paragraphs() -> list[str]:
    """The repeated-intro fixture's body: its four long paragraphs, the last of which
    restates the first in other words."""
    text = (FIXTURES / "repeated_intro.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    body = [p for p in paragraphs[: paragraphs.index("More from our newsroom")] if len(p) > 200]
    assert len(body) == 4
    return body


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = {
        "intro.html": _html("Portugal and chip design", _intro_paragraphs()),
        "repeat.html": _html("Harbourline opens a third data centre", [*HARBOUR, HARBOUR[1]]),
        "plain.html": _html("Nordsund orders battery ferries", FERRY),
    }
    index = {
        f"https://news.example/{name}": {"file": name, "with": [], "without": []}
        for name in [*pages, "missing.html"]
    }
    path = tmp_path_factory.mktemp("corpus") / "corpus.tgz"
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "corpus/evaldata.json", json.dumps(index).encode())
        for name, data in pages.items():
            _add(archive, f"corpus/eval/{name}", data)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["eval", "dedup", "--within", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_counts_printed(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data", str(corpus))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"corpus: {corpus} (3 pages); params ")
    assert lines[0].endswith("; idf per page")
    assert "pages with paragraphs: 3" in lines
    assert "paragraphs: 13" in lines  # 4 + 5 + 4
    assert "flags by kind: exact_within 1, near_within 1" in lines
    assert "pages with a near_within flag: 1" in lines
    methods = lines[lines.index("near_within flags by method:") + 1]
    assert methods.split()[0] == "1" and methods.split()[1].startswith("minhash+verify:")
    assert "near_within pairs" not in out  # only with --show


def test_show_lists_each_pair(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data", str(corpus), "--show")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("near_within pairs:")
    page, earlier, later, method, score = lines[at + 1].split("\t")
    assert (page, earlier, later) == ("intro.html", "0", "3")
    assert method.startswith("minhash+verify:") and 0.0 <= float(score) <= 1.0
    assert lines[at + 2].startswith("  earlier: Across the crowded map")
    assert lines[at + 3].startswith("  later:   Portugal is emerging")
    assert lines[at + 3].endswith("...") and len(lines[at + 3]) == len("  later:   ") + 240


def test_labels_precision_and_coverage(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "page\tearlier\tlater\tlabel\tnote\n"
        "intro.html\t0\t3\t1\n"
        "repeat.html\t0\t2\t0\tsame company, different facts\n"  # not flagged now
        "plain.html\tzero\t1\t1\n",  # malformed: reported and skipped
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "--data", str(corpus), "--labels", str(labels))
    assert code == 0
    assert f"skipped: {labels}:4: positions must be integers" in err
    lines = out.splitlines()
    assert f"labels: {labels} (2 pairs)" in lines
    assert "unlabelled current flags: 0" in lines
    assert "labelled pairs no longer flagged: 1" in lines
    assert lines[-1] == "precision 1.0000 (1 true of 1 labelled current flags)"


def test_within_needs_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys)
    assert code == 2 and "--within needs --data PATH" in err


def test_read_labels_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "labels.tsv"
    path.write_text(
        "page\tearlier\tlater\tlabel\tnote\n"
        "a.html\t1\t4\t1\n"
        "\n"
        "a.html\t2\t5\t0\ttemplate\twith a tab\n"
        "a.html\t1\t4\t0\n"  # the same pair again
        "b.html\t3\t2\t1\n"  # earlier after later
        "b.html\t1\t2\tyes\n"
        "b.html\t1\t2\n",
        encoding="utf-8",
    )
    data = read_labels(path)
    assert sorted(data.labels) == [("a.html", 1, 4), ("a.html", 2, 5)]
    assert data.labels[("a.html", 1, 4)].true
    assert data.labels[("a.html", 2, 5)] == Label("a.html", 2, 5, False, "template\twith a tab")
    assert [e.split(": ", 1)[0] for e in data.errors] == [f"{path}:{n}" for n in (5, 6, 7, 8)]
    assert "labelled twice" in data.errors[0]
    assert "label must be 1 or 0" in data.errors[2]
    assert "at least 4" in data.errors[3]


def _flag(page: str, earlier: int, later: int, method: str = "m") -> Flag:
    return Flag(page, earlier, later, method, 0.5, "earlier text", "later text")


def test_precision_arithmetic() -> None:
    flags = [
        _flag("a", 0, 3, "rule"),
        _flag("a", 1, 4, "rule"),
        _flag("a", 2, 5, "model"),
        _flag("b", 0, 1, "model"),
        _flag("b", 2, 3, "model"),  # unlabelled
    ]
    labels = {
        ("a", 0, 3): Label("a", 0, 3, True),
        ("a", 1, 4): Label("a", 1, 4, False, "same topic"),
        ("a", 2, 5): Label("a", 2, 5, True),
        ("b", 0, 1): Label("b", 0, 1, True),
        ("c", 0, 9): Label("c", 0, 9, False),  # no longer flagged
        ("c", 1, 9): Label("c", 1, 9, True),  # no longer flagged
    }
    score = score_labels(flags, labels)
    assert (score.true_flags, score.false_flags, score.labelled) == (3, 1, 4)
    assert score.precision == pytest.approx(0.75)
    assert (score.unlabelled, score.stale) == (1, 2)
    assert score.by_method == {"rule": [1, 1], "model": [2, 0]}
    assert score_labels(flags, {}).precision == 0.0


def test_sample_flags_is_seeded_and_keeps_order() -> None:
    flags = [_flag("p", i, i + 1) for i in range(20)]
    first = sample_flags(flags, 5, seed=3)
    assert first == sample_flags(flags, 5, seed=3)
    assert len(first) == 5 and first == sorted(first, key=lambda f: f.earlier)
    assert sample_flags(flags, None, seed=3) == flags
    assert sample_flags(flags, 50, seed=3) == flags


def test_dedup_kinds_match_the_ingest() -> None:
    from crawler.ingest.ingestor import DEDUP_KINDS as INGEST_KINDS

    assert DEDUP_KINDS == INGEST_KINDS
