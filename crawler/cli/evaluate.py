"""``newsdedup eval``: evaluation commands (extraction, dedup)."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.cli import eval_dedup, eval_extraction


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "eval", help="measure extraction or dedup quality on a corpus"
    )
    group = parser.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    eval_extraction.register(group)
    eval_dedup.register(group)
