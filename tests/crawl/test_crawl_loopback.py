"""One real crawl of the sample site over loopback, in a subprocess (Twisted's reactor
cannot restart inside the test process)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import serve_sample_site

HELPER = Path(__file__).with_name("crawl_helper.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_crawl_fetches_every_article_once_and_obeys_robots(tmp_path: Path) -> None:
    with serve_sample_site() as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.sources_toml(), encoding="utf-8")
        out = tmp_path / "items.jsonl"
        command = [sys.executable, str(HELPER), str(sources), site.proxy_url, str(out)]
        result = subprocess.run(
            [*command, *site.source_names],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        requests = Counter(site.requests)

    items: list[dict[str, Any]] = [json.loads(line) for line in out.read_text().splitlines()]
    expected = set(site.expected_article_urls)
    assert Counter(item["url"] for item in items) == Counter({url: 1 for url in expected})
    for url in expected:
        assert requests[url] == 1, (url, requests[url])
    for url in site.disallowed_urls:
        assert requests[url] == 0
    article_requests = [u for u in requests if "?" in u and "utm_" in u]
    assert article_requests == []
    for host in ("techwire.example", "bytebeat.example", "circuitdaily.example"):
        assert requests[f"http://{host}/robots.txt"] == 1
    assert requests["http://bytebeat.example/sitemaps/pages.xml.gz"] == 1
    assert "http://techwire.example/about" not in requests
    for item in items:
        assert item["status"] == 200
        assert item["body_start"] == "<!DOCTYPE html>"
        assert item["headers"]["content-type"].startswith("text/html")
        assert item["discovered_via"]
        assert item["source"] == item["url"].split("/")[2].split(".")[0]
    assert {item["source"] for item in items} == set(site.source_names)
