"""The retry middleware waits Retry-After (capped) or backs off exponentially before a
retry on 429/5xx, with an asynchronous sleep (faked here: nothing really waits)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.fetch.retry import BackoffRetryMiddleware, backoff_delay, retry_after_seconds


def middleware(slept: list[float], **kwargs: Any) -> BackoffRetryMiddleware:
    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    settings = Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 2})
    settings.set("RETRY_HTTP_CODES", [429, 500, 503])
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2})
    crawler.spider = crawler._create_spider(name="t")
    mw = BackoffRetryMiddleware(settings, sleep=fake_sleep, **kwargs)
    mw.crawler = crawler
    return mw


def respond(mw: BackoffRetryMiddleware, request: Request, response: Response) -> Any:
    return asyncio.run(mw.process_response(request, response))


def test_retry_after_seconds_is_honoured() -> None:
    slept: list[float] = []
    mw = middleware(slept, base_delay=1.0, max_delay=60.0)
    request = Request("http://a.example/x")
    answer = respond(mw, request, Response(request.url, status=429, headers={"Retry-After": "7"}))
    assert isinstance(answer, Request) and answer.meta["retry_times"] == 1
    assert slept == [7.0]


def test_retry_after_is_capped_and_backoff_doubles() -> None:
    slept: list[float] = []
    mw = middleware(slept, base_delay=0.5, max_delay=10.0)
    request = Request("http://a.example/x")
    first = respond(mw, request, Response(request.url, status=503, headers={"Retry-After": "600"}))
    second = respond(mw, first, Response(request.url, status=500))
    assert slept == [10.0, 1.0]  # capped; then 0.5 * 2 for the second retry
    given_up = respond(mw, second, Response(request.url, status=500))
    assert isinstance(given_up, Response) and given_up.status == 500  # RETRY_TIMES reached
    assert len(slept) == 2


def test_other_statuses_and_dont_retry_pass_through() -> None:
    slept: list[float] = []
    mw = middleware(slept)
    request = Request("http://a.example/x")
    ok = Response(request.url, status=200)
    assert respond(mw, request, ok) is ok
    skip = Request("http://a.example/y", meta={"dont_retry": True})
    failed = Response(skip.url, status=503)
    assert respond(mw, skip, failed) is failed
    assert slept == []


def test_retry_after_http_date_and_garbage() -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now=now) == 30.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None
    assert backoff_delay(3, b"soon", base=2.0, cap=100.0) == 8.0
