"""``newsdedup eval dedup``: precision and recall of the dedup decisions.

``--pairs FILE`` scores labelled pairs (MSR paraphrase format); the last line printed is
``precision=P recall=R f1=F`` for newsdedup's own decision, a contract scripts read.
``--synthetic`` builds a syndication corpus from the project's own articles and prints
precision and recall per kind of change.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "dedup",
        help="score dedup decisions on labelled pairs or a synthetic syndication corpus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--pairs",
        metavar="FILE",
        help="labelled pairs: tab-separated, header, label first, texts in the last two columns",
    )
    what.add_argument(
        "--synthetic", action="store_true", help="synthetic syndication corpus (built in)"
    )
    parser.add_argument(
        "--baseline-threshold",
        type=float,
        default=0.5,
        metavar="J",
        help="estimated-Jaccard threshold of the plain MinHash baseline (default 0.5)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of the synthetic corpus (default 7)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from crawler.dedup.params import DedupParams

    params = DedupParams()
    if args.synthetic:
        return _synthetic(params, args.seed)
    return _pairs(params, args.pairs, args.baseline_threshold)


def _pairs(params: Any, path: str, threshold: float) -> int:
    from crawler.dedup.evaluate import evaluate_pairs, read_pairs

    try:
        data = read_pairs(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"newsdedup: cannot read pairs file {path}: {exc}", file=sys.stderr)
        return 2
    for err in data.errors[:20]:
        print(f"skipped: {err}", file=sys.stderr)
    if len(data.errors) > 20:
        print(f"skipped: {len(data.errors) - 20} more bad lines", file=sys.stderr)
    if not data.pairs:
        print(f"newsdedup: no labelled pairs in {path}", file=sys.stderr)
        return 2
    report = evaluate_pairs(data.pairs, params, threshold)
    print(f"pairs: {report.n_pairs} ({report.positives} positive), file {path}")
    print(f"params: {params.fingerprint()[:12]} {params.shingling} {params.scheme}")
    print(
        f"baseline minhash estimated-jaccard>={report.baseline_threshold:g}: "
        f"{report.baseline.line()}"
    )
    print(f"newsdedup (exact hash + verify_pair): {report.newsdedup.line()}")
    print(report.newsdedup.line())
    return 0


def _synthetic(params: Any, seed: int) -> int:
    from crawler.dedup.evaluate import evaluate_synthetic, format_synthetic

    reports = evaluate_synthetic(params, seed=seed)
    print(f"synthetic syndication corpus (seed {seed}), params {params.fingerprint()[:12]}")
    for line in format_synthetic(reports):
        print(line)
    return 0
