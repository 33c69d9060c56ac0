"""``newsdedup eval extraction --data DIR``: score newsdedup against plain trafilatura.

Both extractors run in the same process on the same pages (interleaved page by page)
and the same decoded text. Prints precision, recall, F1 and pages/s (CPU time) for each
on the corpus, the same scores on its fit part and its held-out quarter (split by a hash
of the file name), then teaser leakage on the project's own teaser fixtures.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "extract"


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "extraction",
        help="score extraction (newsdedup vs plain trafilatura) on a corpus",
        description="Score newsdedup and plain trafilatura on a corpus in the trafilatura "
        "evaluation format (a directory with evaldata.json, or its .tgz archive).",
    )
    parser.add_argument(
        "--data", required=True, metavar="PATH", help="corpus directory or .tgz archive"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="score only the first N pages")
    parser.add_argument(
        "--fixtures",
        metavar="DIR",
        default=str(DEFAULT_FIXTURES),
        help="teaser fixtures directory (default: tests/fixtures/extract of the project)",
    )
    parser.set_defaults(func=_run)


def _row(name: str, precision: float, recall: float, f1: float, pps: float) -> str:
    return f"{name:<22}{precision:>10.4f}{recall:>10.4f}{f1:>10.4f}{pps:>10.1f}"


def _fixture_table(fixtures: list[Any]) -> None:
    """Per fixture: teasers kept (must be 0) and body segments found (must be all, the
    closing paragraphs included), for each extractor."""
    from crawler.extract.evaluate import EXTRACTORS, evaluate

    names = list(EXTRACTORS)
    header = "".join(f"{n + ' teasers':>22}{n + ' body':>18}" for n in names)
    print(f"{'fixture':<40}{header}")
    for page in fixtures:
        results = evaluate(EXTRACTORS, [page], warm_up=False)
        cells = ""
        for name in names:
            s = results[name].score
            cells += f"{f'{s.teasers_kept}/{s.teasers_total} kept':>22}"
            cells += f"{f'{s.tp}/{s.tp + s.fn} found':>18}"
        print(f"{page.name.removesuffix('.html'):<40}{cells}")


def _part_table(results: dict[str, Any]) -> None:
    """The scores on the fit part and on the held-out part of the corpus."""
    from crawler.extract.evaluate import FIT, HELD_OUT, part_of

    first = next(iter(results.values()))
    counts = {FIT: 0, HELD_OUT: 0}
    for page, _ in first.page_scores:
        counts[part_of(page)] += 1
    print(
        "by part (1 page in 4 held out, by SHA-256 of its file name):"
        f" {counts[FIT]} fit, {counts[HELD_OUT]} held out"
    )
    print(f"{'part':<22}{'precision':>10}{'recall':>10}{'F1':>10}")
    for part in (FIT, HELD_OUT):
        for name, result in results.items():
            s = result.by_part()[part]
            print(f"{part + ' ' + name:<22}{s.precision:>10.4f}{s.recall:>10.4f}{s.f1:>10.4f}")


def _run(args: argparse.Namespace) -> int:
    from crawler.extract.evaluate import EXTRACTORS, evaluate, load_corpus, load_fixtures

    if args.limit is not None and args.limit < 1:
        print("newsdedup eval extraction: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        pages = load_corpus(args.data, args.limit)
    except (OSError, ValueError) as exc:
        print(f"newsdedup eval extraction: {exc}", file=sys.stderr)
        return 2
    if not pages:
        print(f"newsdedup eval extraction: {args.data}: no pages found", file=sys.stderr)
        return 2
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    load_before = os.getloadavg()
    results = evaluate(EXTRACTORS, pages)
    load_after = os.getloadavg()
    import trafilatura

    print(f"corpus: {args.data} ({len(pages)} pages); trafilatura {trafilatura.__version__}")
    print(f"{'extractor':<22}{'precision':>10}{'recall':>10}{'F1':>10}{'pages/s':>10}")
    for result in results.values():
        s = result.score
        print(_row(result.name, s.precision, s.recall, s.f1, result.pages_per_second))
        for failure in result.failures[:5]:
            print(f"  failed: {failure}")
    base, ours = results["trafilatura"], results["newsdedup"]
    if base.pages_per_second:
        ratio = ours.pages_per_second / base.pages_per_second
        print(f"throughput newsdedup/trafilatura: {ratio:.2f} (CPU time)")
    print(f"load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)")
    print(f"F1 difference newsdedup - trafilatura: {ours.score.f1 - base.score.f1:+.4f}")
    _part_table(results)

    fixtures_dir = Path(args.fixtures)
    fixtures = (
        [p for p in load_fixtures(fixtures_dir) if p.teasers] if fixtures_dir.is_dir() else []
    )
    if not fixtures:
        print(f"teaser fixtures: none found in {fixtures_dir}")
        return 0
    fixture_results = evaluate(EXTRACTORS, fixtures, warm_up=False)
    total = fixture_results["newsdedup"].score.teasers_total
    print(f"teaser fixtures: {fixtures_dir} ({len(fixtures)} pages, {total} teaser paragraphs)")
    _fixture_table(fixtures)
    for result in fixture_results.values():
        s = result.score
        print(
            f"{result.name:<22}teasers kept {s.teasers_kept}/{s.teasers_total}"
            f"  (P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f})"
        )
    return 0
