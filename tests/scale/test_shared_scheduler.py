"""The shared scheduler's bookkeeping in Redis, driven step by step (no crawl, no reactor:
each worker's heartbeat loop runs on a fake clock that never advances). A worker's
heartbeat expiring is played by deleting its key, so every interleaving here is exact.

The first test is the race behind articles lost in the three-worker kill test on a loaded
machine: a worker paused longer than the timeout was taken for dead and unregistered; it
went on popping requests, and when it was killed for real nobody reaped them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import scrapy
from scrapy import Request, signals
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.task import Clock

from crawler.items import FetchedPage
from crawler.scaleout.config import crawl_key, scrapy_settings
from crawler.scaleout.shared_scheduler import META_KEY, InflightMiddleware, SharedScheduler

SITE = "http://wire.example"


class _Spider(scrapy.Spider):
    name = "wire"

    def parse(self, response: Response) -> Any:  # a sitemap
        return None

    def parse_article(self, response: Response) -> Any:
        return None


Worker = Callable[[], SharedScheduler]


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Any]:
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def worker(redis_url: str, redis_prefix: str) -> Iterator[Worker]:
    """Start a worker of one shared crawl (an open scheduler on a fake clock)."""
    base = crawl_key(redis_prefix, "test", "wire")
    opened: list[SharedScheduler] = []

    def start() -> SharedScheduler:
        settings = {**scrapy_settings(base, redis_url), "NEWSDEDUP_WORKER_TIMEOUT": 3}
        crawler = get_crawler(_Spider, settings)
        spider = _Spider.from_crawler(crawler)
        crawler.spider = spider
        scheduler = SharedScheduler.from_crawler(crawler)
        scheduler.clock = Clock()
        scheduler.open(spider)
        opened.append(scheduler)
        return scheduler

    yield start
    for scheduler in opened:
        if scheduler._loop is not None and scheduler._loop.running:
            scheduler._loop.stop()
        scheduler.server.close()


def _article(w: SharedScheduler, n: int, priority: int = 0) -> Request:
    return Request(f"{SITE}/a/{n}", callback=w.spider.parse_article, priority=priority)


def _dies(client: Any, w: SharedScheduler) -> None:
    """``w``'s heartbeat expires (it paused longer than the timeout, or it was killed)."""
    client.delete(w._alive(w.worker))


def _drain(w: SharedScheduler) -> list[str]:
    urls = []
    while (request := w.next_request()) is not None:
        urls.append(request.url)
        w.done(request.meta[META_KEY])
    return urls


def _inflight(client: Any, w: SharedScheduler) -> int:
    return int(client.hlen(w._inflight(w.worker)))


def test_worker_taken_for_dead_then_killed_loses_nothing(worker: Worker, redis_client: Any) -> None:
    a, b = worker(), worker()
    for n in range(3):
        assert a.enqueue_request(_article(a, n))
    first = a.next_request()
    assert first is not None
    _dies(redis_client, a)  # a pauses (a loaded machine) longer than the timeout
    assert b.reap() == 1  # b takes a for dead: a's request is back in the queue
    second = a.next_request()  # a was alive after all and goes on
    assert second is not None
    _dies(redis_client, a)  # a is killed for real
    assert b.reap() == 1  # the request a popped after it was taken for dead comes back
    assert sorted(_drain(b)) == [f"{SITE}/a/{n}" for n in range(3)]
    assert b.can_close()


def test_heartbeat_after_a_lapse_registers_again(
    worker: Worker, redis_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = worker(), worker()
    _dies(redis_client, a)
    assert b.reap() == 0
    assert a.worker.encode() not in redis_client.smembers(b._workers())
    with caplog.at_level(logging.WARNING):
        a._beat()
    assert a.worker.encode() in redis_client.smembers(b._workers())
    assert "heartbeat lapsed" in caplog.text
    assert not b.can_close()  # a is busy


def test_live_worker_is_not_reaped(worker: Worker, redis_client: Any) -> None:
    a, b = worker(), worker()
    a.enqueue_request(_article(a, 1))
    assert a.next_request() is not None
    assert b.reap() == 0
    assert _inflight(redis_client, a) == 1
    assert not b.can_close()  # a popped: the pop itself marked it busy


def test_response_stays_in_flight_until_its_requests_are_queued(
    worker: Worker, redis_client: Any
) -> None:
    a = worker()
    a.enqueue_request(Request(f"{SITE}/sitemap.xml", callback=a.spider.parse, dont_filter=True))
    sitemap = a.next_request()
    assert sitemap is not None
    response = HtmlResponse(sitemap.url, request=sitemap, body=b"<urlset/>")
    links = [_article(a, n) for n in range(3)]
    # Scrapy pulls a callback's output ahead of scheduling it (CONCURRENT_ITEMS at once):
    # the output has ended, none of the links is in the shared queue yet.
    outputs = list(InflightMiddleware(a.crawler).process_spider_output(response, iter(links)))
    assert outputs == links
    assert _inflight(redis_client, a) == 1  # a killed now: the sitemap is parsed again
    assert a.enqueue_request(outputs[0])
    assert not a.enqueue_request(_article(a, 0))  # seen: not queued twice
    assert a.enqueue_request(outputs[1])
    assert _inflight(redis_client, a) == 1
    assert a.enqueue_request(outputs[2])
    assert _inflight(redis_client, a) == 0
    assert len(a.queue) == 3


def test_response_stays_in_flight_until_its_items_went_through_the_pipeline(
    worker: Worker, redis_client: Any
) -> None:
    a = worker()
    a.enqueue_request(_article(a, 7))
    request = a.next_request()
    assert request is not None
    response = HtmlResponse(request.url, request=request, body=b"<p>text</p>")
    page = FetchedPage(source="wire", url=request.url, final_url=request.url, status=200)
    seen_link = _article(a, 8)
    a.enqueue_request(_article(a, 8))
    outputs = list(
        InflightMiddleware(a.crawler).process_spider_output(response, iter([page, seen_link]))
    )
    assert not a.enqueue_request(outputs[1])  # filtered as seen: settled all the same
    assert _inflight(redis_client, a) == 1  # the page is not stored yet
    a.crawler.signals.send_catch_log(
        signals.item_scraped, item=page, response=response, spider=a.spider
    )
    assert _inflight(redis_client, a) == 0


def test_dropped_request_settles_its_parent(worker: Worker, redis_client: Any) -> None:
    a = worker()
    a.enqueue_request(Request(f"{SITE}/list", callback=a.spider.parse, dont_filter=True))
    listing = a.next_request()
    assert listing is not None
    response = HtmlResponse(listing.url, request=listing, body=b"")
    link = _article(a, 1)
    list(InflightMiddleware(a.crawler).process_spider_output(response, iter([link])))
    assert _inflight(redis_client, a) == 1
    a.crawler.signals.send_catch_log(signals.request_dropped, request=link, spider=a.spider)
    assert _inflight(redis_client, a) == 0


def test_idle_worker_waits_for_a_dead_worker_not_reaped_yet(
    worker: Worker, redis_client: Any
) -> None:
    a, b = worker(), worker()
    a.enqueue_request(_article(a, 1))
    assert a.next_request() is not None
    _dies(redis_client, a)  # killed after b's last reap, before b looks at the others
    assert not b.can_close()  # registered without a heartbeat: its requests are to come
    assert b.reap() == 1
    assert not b.can_close()  # queued again
    assert _drain(b) == [f"{SITE}/a/1"]
    assert b.can_close()


def test_idle_workers_close_together(worker: Worker) -> None:
    a, b = worker(), worker()
    a._state = b._state = b"idle"
    a._beat()
    b._beat()
    assert a.can_close() and b.can_close()


def test_reaped_request_keeps_its_priority(worker: Worker, redis_client: Any) -> None:
    a, b = worker(), worker()
    a.enqueue_request(_article(a, 1, priority=5))
    a.enqueue_request(_article(a, 2, priority=0))
    assert a.next_request() is not None  # the priority 5 one
    _dies(redis_client, a)
    assert b.reap() == 1
    request = b.next_request()
    assert request is not None and (request.url, request.priority) == (f"{SITE}/a/1", 5)


def test_stopped_worker_pushes_its_requests_back(worker: Worker, redis_client: Any) -> None:
    a, b = worker(), worker()
    for n in range(2):
        a.enqueue_request(_article(a, n))
    assert a.next_request() is not None
    assert a.next_request() is not None
    a.close("shutdown")
    assert a.worker.encode() not in redis_client.smembers(b._workers())
    assert sorted(_drain(b)) == [f"{SITE}/a/0", f"{SITE}/a/1"]
