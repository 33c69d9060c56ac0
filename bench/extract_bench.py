"""Throughput of newsdedup's extractor against plain trafilatura, on the same pages.

Usage:
    python bench/extract_bench.py [--data PATH] [--limit N] [--repeat R]

Without --data it runs on the project's fixtures (tests/fixtures/extract). With --data
it reads a corpus in the trafilatura evaluation format (directory or .tgz). Prints
pages/s for both (CPU time of this process, the two interleaved page by page), their
ratio and the machine's load average before and after; quality is measured by
``newsdedup eval extraction``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract.evaluate import (  # noqa: E402
    EXTRACTORS,
    Page,
    evaluate,
    load_corpus,
    load_fixtures,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="corpus directory or .tgz (default: the fixtures)")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--repeat", type=int, default=1, help="run over the pages R times")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    pages: list[Page] = (
        load_corpus(args.data, args.limit)
        if args.data
        else load_fixtures(ROOT / "tests" / "fixtures" / "extract")[: args.limit]
    )
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    results = evaluate(EXTRACTORS, pages * max(1, args.repeat))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for name, result in results.items():
        print(
            f"{name:<12} {result.pages:>6} pages {result.pages_per_second:>8.1f} pages/s"
            f" ({result.seconds:.1f} s CPU)"
        )
    base = results["trafilatura"].pages_per_second
    if base:
        print(f"ratio newsdedup/trafilatura: {results['newsdedup'].pages_per_second / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
