"""Alert hooks: webhook delivery with retries, the failed-run alert of a real crawl, and the
silent-source check."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.demo.server import serve_sample_site
from crawler.service.alerts import (
    RUN_FAILED,
    SOURCE_SILENT,
    Alert,
    AlertSender,
    SilenceWatch,
    WebhookError,
    parse_urls,
    post_json,
    run_alert,
)
from tests.ops.helpers import LISTING, ROOT, crawl_command, env, runs, sources_file
from tests.ops.receiver import webhook_receiver


def test_parse_urls_splits_and_rejects_non_http() -> None:
    assert parse_urls(" http://a.example/x,https://b.example/y  ") == [
        "http://a.example/x",
        "https://b.example/y",
    ]
    assert parse_urls("") == []
    with pytest.raises(ValueError, match=r"ftp://c\.example"):
        parse_urls("http://a.example ftp://c.example")


def test_post_json_retries_a_503_then_delivers() -> None:
    waits: list[float] = []
    with webhook_receiver(script=[503, 503]) as hook:
        status = post_json(hook.url, {"event": "x"}, retries=3, backoff=0.01, sleep=waits.append)
    assert status == 204
    assert hook.attempts == 3 and hook.bodies == [{"event": "x"}]
    assert waits == [0.01, 0.02]  # exponential backoff between the tries


def test_post_json_does_not_retry_a_client_error() -> None:
    with webhook_receiver(script=[400]) as hook, pytest.raises(WebhookError, match="400"):
        post_json(hook.url, {"event": "x"}, retries=3, backoff=0.0, sleep=lambda _s: None)
    assert hook.attempts == 1


def test_post_json_gives_up_on_an_unreachable_hook() -> None:
    with webhook_receiver() as hook:
        url = hook.url
    # the receiver is gone: connection refused on every try
    with pytest.raises(WebhookError, match="webhook"):
        post_json(url, {"event": "x"}, retries=2, backoff=0.0, sleep=lambda _s: None)


def test_only_failed_runs_alert() -> None:
    assert run_alert("s", 1, "ok", None, {}) is None
    assert run_alert("s", 1, "interrupted", "SIGTERM", {}) is None
    alert = run_alert("s", 7, "failed", "the source yielded no articles", {"summary": "0 pages"})
    assert alert is not None and alert.event == RUN_FAILED
    payload = alert.payload
    assert payload["run_id"] == 7 and payload["status"] == "failed"
    assert payload["text"] == "newsdedup: source s run 7 failed: the source yielded no articles"


def test_silence_watch_alerts_once_per_silence() -> None:
    with webhook_receiver() as hook:
        sender = AlertSender([hook.url], retries=0, timeout=5)
        watch = SilenceWatch(3, sender)
        since = datetime(2026, 12, 1, 0, 0)
        period = {"quiet": timedelta(hours=1), "busy": timedelta(hours=1)}
        ok = {"quiet": since, "busy": since}
        assert watch.check(since + timedelta(hours=2), ok, period, since) == []
        first = watch.check(
            since + timedelta(hours=4), {**ok, "busy": since + timedelta(hours=3)}, period, since
        )
        assert [a.source for a in first] == ["quiet"]
        # still silent: no second alert
        assert (
            watch.check(
                since + timedelta(hours=5), ok | {"busy": since + timedelta(hours=5)}, period, since
            )
            == []
        )
        # heard from again, then silent again: a new alert
        assert (
            watch.check(
                since + timedelta(hours=6),
                {"quiet": since + timedelta(hours=6), "busy": since + timedelta(hours=6)},
                period,
                since,
            )
            == []
        )
        again = watch.check(
            since + timedelta(hours=10),
            {"quiet": since + timedelta(hours=6), "busy": since + timedelta(hours=9)},
            period,
            since,
        )
        assert [a.source for a in again] == ["quiet"]
        sender.wait(10)
    assert [b["event"] for b in hook.bodies] == [SOURCE_SILENT, SOURCE_SILENT]
    assert "no successful run for 4.0 h" in hook.bodies[0]["reason"]


def test_sender_without_urls_is_off() -> None:
    sender = AlertSender([])
    assert not sender
    sender.send(Alert(RUN_FAILED, "s", "x"))  # nothing to do, nothing raised
    sender.wait(1)


@pytest.mark.e2e
def test_failed_crawl_posts_an_alert(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    with webhook_receiver(script=[500]) as hook, serve_sample_site() as site:
        site.fail(LISTING, 500)
        result = subprocess.run(
            crawl_command(db, sources_file(tmp_path, feeds=False, sitemaps=False), site.proxy_url),
            cwd=ROOT,
            env={**env(), "NEWSDEDUP_ALERT_WEBHOOKS": hook.url, "NEWSDEDUP_ALERT_TIMEOUT": "5"},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert result.returncode == 1, result.stderr[-2000:]
    run = runs(db)[-1]
    assert run.status == "failed"
    assert hook.attempts == 2  # the first answer was a 500: retried once
    assert len(hook.bodies) == 1
    body = hook.bodies[0]
    assert body["event"] == RUN_FAILED and body["source"] == "circuitdaily"
    assert body["run_id"] == run.id and body["status"] == "failed"
    assert "no articles" in body["reason"]
    assert body["host"] == os.uname().nodename
