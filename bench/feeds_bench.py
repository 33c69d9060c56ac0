"""Lenient feed parsing: what each way of reading a broken feed keeps, and what it costs.

    python -m bench.feeds_bench [--repeat N]

Compares, on the feed fixtures in tests/fixtures/discovery (each with the links and
titles it must give) plus a feed cut in the middle of an item:

- ``strict lxml``: the parser before salvaging (recover=False, the XML declaration
  decides the charset); the baseline;
- ``lxml recover``: the same with libxml2's recover mode and nothing else;
- ``newsdedup``: :func:`crawler.discovery.parse_feed` (charset from the bytes, entity
  repair, recover after the last complete entry);
- ``feedparser``: feedparser's ``parse`` when it is importable (it is not a project
  dependency: install it elsewhere and put it on PYTHONPATH to include it).

A case scores the share of its expected (URL, title) pairs found exactly; a wrong URL
or title counts as missing. Speed, on a 500-item feed, well-formed and with an
unescaped ``&`` in every tenth title: feeds per second from bytes to an XML tree (the
step salvaging changes; newsdedup's link extraction after it is the same as before),
and from bytes to links (newsdedup against feedparser, which always does both); each
the best of five rounds.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from crawler.discovery.links import DiscoveryError, _parse_xml, parse_feed

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "discovery"
Links = list[tuple[str, str | None]]


def _lxml(body: bytes, url: str, recover: bool) -> Links:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=recover
    )
    try:
        root = etree.fromstring(body.lstrip(b"\xef\xbb\xbf").lstrip(), parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links: Links = []
    for node in root.iter("{*}item", "{*}entry"):
        href = node.findtext("{*}link")
        if not href:
            for link in node.iterfind("{*}link"):
                href = link.get("href")
        title = node.findtext("{*}title")
        if href:
            links.append((href.strip(), title.strip() if title else title))
    return links


def strict_lxml(body: bytes, url: str) -> Links:
    return _lxml(body, url, recover=False)


def lxml_recover(body: bytes, url: str) -> Links:
    return _lxml(body, url, recover=True)


def newsdedup(body: bytes, url: str) -> Links:
    try:
        return [(link.url, link.title) for link in parse_feed(body, url).links]
    except DiscoveryError:
        return []


def _feedparser() -> Callable[[bytes, str], Links] | None:
    try:
        import feedparser  # type: ignore[import-not-found]
    except ImportError:
        return None

    def parse(body: bytes, url: str) -> Links:
        result = feedparser.parse(body)
        return [(entry.get("link", ""), entry.get("title")) for entry in result.entries]

    parse.__doc__ = f"feedparser {feedparser.__version__}"
    return parse


def _cases() -> list[tuple[str, bytes, str, list[tuple[str, str]]]]:
    cases = []
    for path in sorted(FIXTURES.glob("feed_*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        body = (FIXTURES / meta["file"]).read_bytes()
        expected = [(url, title) for url, title in meta["links"]]
        cases.append((meta["file"], body, meta["url"], expected))
    items = [(f"https://techwire.example/news/{n}", f"Story {n}") for n in range(1, 6)]
    feed = "<rss><channel>" + "".join(
        f"<item><title>{t}</title><link>{u}</link></item>" for u, t in items
    )
    cut = feed.encode() + b"<item><title>Story 6</title><link>https://techwire.exa"
    cases.append(("feed cut in an item (synthetic)", cut, "https://techwire.example/f", items))
    return cases


def _big(broken: bool) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>']
    for n in range(500):
        title = f"Chips & people {n}" if broken and n % 10 == 0 else f"Chips &amp; people {n}"
        parts.append(
            f"<item><title>{title}</title><link>https://techwire.example/news/{n}</link>"
            f"<pubDate>Wed, 18 Nov 2026 09:30:00 +0000</pubDate>"
            f"<description>Paragraph {n} of a summary that is a little longer.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def _tree(body: bytes, parser: etree.XMLParser) -> object:
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return None


def _rate(work: Callable[..., object], args: tuple[object, ...], repeat: int) -> float:
    """Calls per second, the best of five rounds (a shared machine adds noise, not speed)."""
    per_round = max(1, repeat // 5)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            work(*args)
        best = min(best, time.perf_counter() - start)
    return per_round / best


def _cell(value: float | None) -> str:
    return f"{'-' if value is None else f'{value:.1f}':>22}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="parses per speed figure")
    args = parser.parse_args(argv)
    parsers: dict[str, Callable[[bytes, str], Links]] = {
        "strict lxml (before)": strict_lxml,
        "lxml recover": lxml_recover,
        "newsdedup": newsdedup,
    }
    fp = _feedparser()
    if fp is not None:
        parsers[fp.__doc__ or "feedparser"] = fp
    else:
        print("feedparser not importable: its columns are left out")
    cases = _cases()
    print(f"{'case':42} " + " ".join(f"{name:>22}" for name in parsers))
    totals = dict.fromkeys(parsers, 0)
    expected_total = 0
    for name, body, url, expected in cases:
        row = []
        for label, parse in parsers.items():
            found = set(parse(body, url))
            hits = sum(1 for pair in expected if pair in found)
            totals[label] += hits
            row.append(f"{hits}/{len(expected)}")
        expected_total += len(expected)
        print(f"{name:42} " + " ".join(f"{cell:>22}" for cell in row))
    print(
        f"{'all (exact URL and title)':42} "
        + " ".join(f"{totals[label]:>18}/{expected_total:<3}" for label in parsers)
    )
    url = "https://techwire.example/feed.xml"
    strict = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    lenient = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    trees: dict[str, Callable[[bytes], object]] = {
        "strict lxml (before)": lambda body: _tree(body, strict),
        "lxml recover": lambda body: _tree(body, lenient),
        "newsdedup": lambda body: _parse_xml(body, url, ("item", "entry")),
    }
    print()
    print(f"{'feeds/s, 500 items':42} " + " ".join(f"{name:>22}" for name in parsers))
    for broken in (False, True):
        body = _big(broken)
        kind = "50 bare '&'" if broken else "well-formed"
        cells = [
            _rate(trees[name], (body,), args.repeat) if name in trees else None for name in parsers
        ]
        print(f"{'bytes to tree, ' + kind:42} " + " ".join(_cell(c) for c in cells))
        cells = [
            None
            if name in ("strict lxml (before)", "lxml recover")
            else _rate(parse, (body, url), args.repeat)
            for name, parse in parsers.items()
        ]
        print(f"{'bytes to links, ' + kind:42} " + " ".join(_cell(c) for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
