"""Feeds, sitemaps and robots.txt as real sites serve them: salvaged, with a warning.

Each case is a fixture under tests/fixtures/discovery/ (raw bytes as served) beside a
JSON file with its URL, what is wrong with it and what must come out.
"""

from __future__ import annotations

import gzip
import json
import zlib
from hashlib import sha1
from pathlib import Path
from typing import Any

import pytest

from crawler.discovery.links import (
    MAX_DECOMPRESSED_BYTES,
    DiscoveryError,
    parse_feed,
    parse_robots_sitemaps,
    parse_sitemap,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discovery"


def _cases(prefix: str) -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob(f"{prefix}*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        body = (FIXTURES / meta["file"]).read_bytes()
        cases.append(pytest.param(meta, body, id=meta["file"]))
    return cases


def test_every_fixture_has_its_description() -> None:
    described = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in FIXTURES.glob("*.json")}
    served = {p.name for p in FIXTURES.iterdir() if p.suffix != ".json"}
    assert described == served


@pytest.mark.parametrize(("meta", "body"), _cases("feed_"))
def test_feed_is_salvaged_with_every_link_and_the_right_titles(
    meta: dict[str, Any], body: bytes
) -> None:
    result = parse_feed(body, meta["url"])
    assert [[link.url, link.title] for link in result.links] == meta["links"]
    if meta["warning"] is None:
        assert all("contradict" in w for w in result.warnings), result.warnings
    else:
        assert any(meta["warning"] in w for w in result.warnings), result.warnings


def test_unescaped_ampersand_keeps_the_url_whole() -> None:
    """libxml2's recover mode alone would drop the ``&`` and request ``?id=7lang=en``."""
    meta = json.loads((FIXTURES / "feed_unescaped_ampersand.json").read_text(encoding="utf-8"))
    result = parse_feed((FIXTURES / meta["file"]).read_bytes(), meta["url"])
    assert "https://techwire.example/news/2026/robots?id=7&lang=en" in [x.url for x in result.links]
    assert result.links[3].title == "Q&A: the open-source maintainers"  # CDATA untouched


def test_wrong_declaration_is_reported_and_a_bom_wins() -> None:
    meta = json.loads((FIXTURES / "feed_bom_wrong_declared.json").read_text(encoding="utf-8"))
    result = parse_feed((FIXTURES / meta["file"]).read_bytes(), meta["url"])
    assert result.links[0].title == "Café culture in the data centre"
    assert result.warnings == [
        "decoded as utf-8 (bom): the bytes contradict the declared iso-8859-1"
    ]


@pytest.mark.parametrize(("meta", "body"), _cases("sitemap_truncated"))
def test_truncated_sitemap_keeps_the_urls_before_the_cut(meta: dict[str, Any], body: bytes) -> None:
    result = parse_sitemap(body, meta["url"])
    urls = [link.url for link in result.links]
    assert urls == meta["all_urls"][: len(urls)]  # whole URLs, in order, none half-written
    if "kept" in meta:
        assert len(urls) == meta["kept"]
    else:
        assert meta["min_kept"] <= len(urls) < len(meta["all_urls"])
    assert len(result.warnings) == 1
    assert meta["warning"] in result.warnings[0]
    assert "kept the entries before" in result.warnings[0]


def test_truncated_gzip_loses_only_the_last_half_written_url() -> None:
    meta = json.loads((FIXTURES / "sitemap_truncated_gz.json").read_text(encoding="utf-8"))
    body = (FIXTURES / meta["file"]).read_bytes()
    before_the_cut = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body)
    assert len(parse_sitemap(body, meta["url"]).links) == before_the_cut.count(b"</url>")


def test_corrupt_gzip_is_refused_because_what_came_before_may_be_garbage() -> None:
    """Corrupt deflate data unpacks to wrong bytes before zlib notices (measured: URLs
    like ``/news/ae7b4rl>h/news/...``), unlike a cut, which only loses the tail."""
    urls = [
        f"https://techwire.example/news/{sha1(str(n).encode()).hexdigest()}" for n in range(2000)
    ]
    xml = "<urlset>" + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>"
    body = bytearray(gzip.compress(xml.encode("ascii"), mtime=0))
    middle = len(body) // 2
    body[middle : middle + 8] = b"\xff" * 8
    with pytest.raises(DiscoveryError, match=r"sitemap\.xml\.gz: broken gzip data: "):
        parse_sitemap(bytes(body), "https://techwire.example/sitemap.xml.gz")


def test_gzip_bomb_is_still_refused() -> None:
    body = gzip.compress(b"<urlset>" + b" " * (MAX_DECOMPRESSED_BYTES + 10) + b"</urlset>")
    with pytest.raises(DiscoveryError, match="exceeds"):
        parse_sitemap(body, "https://techwire.example/sitemap.xml.gz")


def test_gzip_cut_before_any_entry_is_an_error_naming_the_url() -> None:
    body = gzip.compress(b"<urlset><url><loc>https://techwire.example/a</loc></url></urlset>")
    with pytest.raises(DiscoveryError) as info:
        parse_sitemap(body[:20], "https://techwire.example/sitemap.xml.gz")
    assert str(info.value).startswith("https://techwire.example/sitemap.xml.gz: broken gzip")


def test_html_entities_in_a_sitemap_index() -> None:
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://techwire.example/sitemap.xml?part=1&year=2026</loc></sitemap>
<sitemap><loc>https://techwire.example/sitemap.xml?part=2&amp;year=2026</loc></sitemap>
</sitemapindex>"""
    result = parse_sitemap(body, "https://techwire.example/sitemap_index.xml")
    assert [link.url for link in result.sitemaps] == [
        "https://techwire.example/sitemap.xml?part=1&year=2026",
        "https://techwire.example/sitemap.xml?part=2&year=2026",
    ]
    assert result.warnings == ["repaired 1 unescaped '&' or HTML entities"]


def test_well_formed_input_has_no_warnings() -> None:
    body = b'<?xml version="1.0" encoding="UTF-8"?><rss><channel><item><title>Chips &amp; Caf\xc3\xa9</title><link>https://techwire.example/a</link></item></channel></rss>'
    result = parse_feed(body, "https://techwire.example/feed.xml")
    assert result.links[0].title == "Chips & Café"
    assert result.warnings == []


def test_robots_txt_sitemaps() -> None:
    meta = json.loads((FIXTURES / "robots.json").read_text(encoding="utf-8"))
    links = parse_robots_sitemaps((FIXTURES / meta["file"]).read_bytes(), meta["url"])
    assert [link.url for link in links] == meta["sitemaps"]
    assert parse_robots_sitemaps(b"User-agent: *\nDisallow: /\n", meta["url"]) == []
