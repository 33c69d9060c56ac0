"""Every bad input leaves a record with its run: one crawl of a sample site whose feed links
a redirect loop, a page that hangs past the timeout, a missing page and real articles, and
whose sitemap is not XML. Each problem is stored once per URL with a reason, shown by
``newsdedup runs --errors RUN`` (text and JSON) and the hanging page costs one timeout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import serve_sample_site
from tests.ops.helpers import FEED, HOST, ROOT, crawl_command, env, runs, sources_file

pytestmark = pytest.mark.e2e

LOOP_A = f"http://{HOST}/a/loop-a"
LOOP_B = f"http://{HOST}/a/loop-b"
HANGS = f"http://{HOST}/a/hangs"
MISSING = f"http://{HOST}/a/missing"
SITEMAP = f"http://{HOST}/sitemap.xml"


def _rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Circuit'
        f"</title><link>http://{HOST}/</link><description>d</description>{items}"
        "</channel></rss>"
    ).encode()


def test_bad_inputs_are_recorded_once_per_url(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    with serve_sample_site() as site:
        real = [u for u in site.expected_article_urls if f"//{HOST}/" in u][:2]
        assert real, "the sample site has articles of circuitdaily"
        site.set_page(FEED, _rss([*real, LOOP_A, HANGS, MISSING]), "application/rss+xml")
        site.set_page(SITEMAP, b"\x89PNG this is no sitemap", "application/xml")
        site.redirect(LOOP_A, LOOP_B)
        site.redirect(LOOP_B, LOOP_A)
        site.hang(HANGS, 20.0)
        result = subprocess.run(
            crawl_command(db, sources_file(tmp_path, listing=False), site.proxy_url),
            cwd=ROOT,
            env={**env(), "NEWSDEDUP_DOWNLOAD_TIMEOUT": "2"},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        hang_requests = site.requests[HANGS]
    assert result.returncode == 0, result.stderr[-3000:]
    # quiet logs: the crawl's own lines, none of Scrapy's banner and dumps (those need -v)
    assert "crawling source circuitdaily" in result.stderr
    for banner in ("Overridden settings", "Enabled extensions", "Dumping Scrapy stats"):
        assert banner not in result.stderr
    run = runs(db)[-1]
    assert run.articles_new == len(real)

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "--database-url",
            db,
            "runs",
            "--errors",
            str(run.id),
            "--json",
        ],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    problems = json.loads(listed.stdout)
    by_url = {(p["url"], p["kind"]): p for p in problems}
    assert len(by_url) == len(problems), "each URL and kind once"
    assert (LOOP_A, "redirect_loop") in by_url
    assert "loop-b" in by_url[(LOOP_A, "redirect_loop")]["reason"]
    assert (HANGS, "timeout") in by_url
    assert by_url[(HANGS, "timeout")]["attempts"] == 1
    assert hang_requests == 1, "a hanging page is not retried by default"
    assert (MISSING, "http") in by_url and "404" in by_url[(MISSING, "http")]["reason"]
    assert (SITEMAP, "sitemap") in by_url
    assert {kind for _url, kind in by_url} == {"redirect_loop", "timeout", "http", "sitemap"}

    text = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "--database-url",
            db,
            "runs",
            "--errors",
            str(run.id),
        ],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert f"run {run.id}: 4 bad input(s)" in text
    assert "redirect_loop" in text and LOOP_A in text


def test_errors_of_an_unknown_run(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    from storage.migrate import upgrade

    upgrade(db)
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--database-url", db, "runs", "--errors", "99"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "no crawl run 99" in result.stderr


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("DownloadTimeoutError", "timeout"),
        ("DownloadConnectionRefusedError", "refused"),
        ("CannotResolveHostError", "dns"),
        ("ResponseDataLossError", "connection"),
    ],
)
def test_download_errors_are_named(error: str, kind: str) -> None:
    from scrapy import exceptions

    from crawler.fetch.problems import classify

    named = classify(getattr(exceptions, error)("boom"))
    assert named == (kind, "boom")


def test_skips_are_not_problems_but_loops_and_robots_are() -> None:
    from scrapy.exceptions import IgnoreRequest

    from crawler.fetch.problems import classify

    assert classify(IgnoreRequest("Filtered offsite request")) is None
    assert classify(IgnoreRequest("max redirections reached")) == (
        "redirect_loop",
        "max redirections reached",
    )
    assert classify(IgnoreRequest("Forbidden by robots.txt"))[0] == "robots_forbidden"  # type: ignore[index]
    assert classify(ValueError("odd")) == ("error", "ValueError: odd")


def test_unreadable_robots_txt_is_reported() -> None:
    from types import SimpleNamespace
    from typing import Any

    from twisted.internet.defer import Deferred

    from crawler.fetch.problems import ReportingRobotsTxtMiddleware, problem_found

    sent: list[dict[str, Any]] = []

    class Signals:
        def send_catch_log(self, signal: object, **kwargs: Any) -> None:
            assert signal is problem_found
            sent.append(kwargs)

    middleware = ReportingRobotsTxtMiddleware.__new__(ReportingRobotsTxtMiddleware)
    middleware.crawler = SimpleNamespace(  # type: ignore[assignment]
        signals=Signals(), spider=SimpleNamespace(source=SimpleNamespace(name="techwire"))
    )
    middleware._stats = SimpleNamespace(inc_value=lambda *_a, **_k: None)  # type: ignore[assignment]
    middleware._parsers = {"techwire.example": Deferred()}
    middleware._robots_error(ConnectionError("reset by peer"), "techwire.example")
    assert sent == [
        {
            "source": "techwire",
            "url": "//techwire.example/robots.txt",
            "kind": "robots",
            "reason": "ConnectionError: reset by peer",
        }
    ]
    assert middleware._parsers["techwire.example"] is None  # Scrapy's rule: allow all
