"""``newsdedup extract FILE...``: extract article bodies from saved pages, as JSON lines.

One JSON object per input file, in input order: ``file`` first, then the fields of
``Extraction.to_json()`` (status, reason, url, title, authors, published, updated,
language, site_name, canonical_url, credit, credit_url, blocks, removed, text).
This output is a stable contract.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "extract",
        help="extract article bodies from HTML files, one JSON object per line",
        description="Extract the article of each HTML file and print one JSON object per "
        "line, in input order. An unreadable file gives a line with status 'error'.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="HTML file, or - for stdin")
    parser.add_argument("--url", help="the page's URL (only with a single FILE)")
    parser.add_argument(
        "--content-type",
        metavar="TYPE",
        help="HTTP Content-Type of the page(s), e.g. 'text/html; charset=iso-8859-1'",
    )
    parser.set_defaults(func=_run)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as handle:
        return handle.read()


def _line(name: str, record: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps({"file": name, **record}, ensure_ascii=False) + "\n")
    out.flush()


def _run(args: argparse.Namespace) -> int:
    from crawler.extract import extract
    from crawler.extract.model import STATUS_ERROR, Extraction

    files: list[str] = args.files
    if args.url and len(files) != 1:
        print(f"newsdedup extract: --url needs exactly one FILE, got {len(files)}", file=sys.stderr)
        return 2
    if files.count("-") > 1:
        print("newsdedup extract: standard input (-) can be read only once", file=sys.stderr)
        return 2
    out = sys.stdout
    failures = 0
    for name in files:
        try:
            data = _read(name)
        except OSError as exc:
            failures += 1
            reason = f"cannot read {name}: {exc.strerror or exc}"
            _line(name, Extraction(status=STATUS_ERROR, reason=reason, url=args.url).to_json(), out)
            continue
        result = extract(data, url=args.url, content_type=args.content_type)
        _line(name, result.to_json(), out)
    return 1 if failures else 0
