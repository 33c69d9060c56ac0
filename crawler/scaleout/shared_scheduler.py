"""The scheduler of a worker of a shared crawl: scrapy-redis's, plus what makes a dead
worker lose nothing and lets every worker know when the crawl is over.

- Each request a worker pops from the shared queue is written, in the same Lua script, to
  the worker's in-flight hash (``{base}:inflight:{worker}``, SHA-1 of the encoded request
  -> encoded request), and removed when its page's item went through the pipeline (signal
  ``item_scraped``: the page is committed) or, for a response without items (feed,
  sitemap, listing), when its links are queued (:class:`InflightMiddleware`).
- Every ``NEWSDEDUP_WORKER_TIMEOUT / 3`` seconds a worker refreshes its heartbeat
  (``{base}:alive:{worker}``, expiring after ``NEWSDEDUP_WORKER_TIMEOUT`` seconds, valued
  ``busy`` or ``idle``) and the expiry of the seen set (``NEWSDEDUP_SEEN_TTL``), and looks
  for workers whose heartbeat expired: it takes over their in-flight hash with an atomic
  RENAME (so only one survivor does it) and pushes its requests back to the queue.
- A worker with nothing to do stays open while the queue is not empty or another live
  worker is busy (it may still discover links); it closes when the queue is empty and
  every other live worker is idle. A worker stopped gracefully (SIGTERM) pushes its own
  in-flight requests back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]
from twisted.internet.task import LoopingCall

from crawler.scaleout.config import worker_id

log = logging.getLogger(__name__)

META_KEY = "newsdedup_inflight"
# Pop the first request of the priority queue (a sorted set) into the in-flight hash, under
# the SHA-1 of its encoding; returns {field, encoded request} or nil.
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return nil end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(found[1])
redis.call('HSET', KEYS[2], field, found[1])
return {field, found[1]}
"""
BUSY, IDLE = b"busy", b"idle"


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler with per-worker in-flight tracking and shared termination."""

    crawler: Any
    base: str
    worker: str
    timeout: float
    seen_ttl: int
    _state: bytes
    _loop: LoopingCall | None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        instance: SharedScheduler = super().from_crawler(crawler)
        settings = crawler.settings
        instance.crawler = crawler
        instance.base = settings.get("NEWSDEDUP_SHARED_KEY")
        instance.worker = worker_id()
        instance.timeout = settings.getfloat("NEWSDEDUP_WORKER_TIMEOUT", 15.0)
        instance.seen_ttl = settings.getint("NEWSDEDUP_SEEN_TTL", 86400)
        instance._state = BUSY
        instance._loop = None
        crawler.newsdedup_shared = instance
        crawler.signals.connect(instance._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(instance._on_item_scraped, signal=signals.item_scraped)
        return instance

    # --- keys ---------------------------------------------------------------------

    def _workers(self) -> str:
        return f"{self.base}:workers"

    def _alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def _inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    # --- lifecycle ----------------------------------------------------------------

    def open(self, spider: Any) -> Any:
        result = super().open(spider)
        self.server.sadd(self._workers(), self.worker)
        self._beat()
        self._loop = LoopingCall(self._tick)
        self._loop.start(max(0.2, self.timeout / 3), now=False)
        log.info("shared crawl %s: worker %s joined", self.base, self.worker)
        return result

    def close(self, reason: str) -> Any:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if reason != "finished":
            moved = self._requeue(self._inflight(self.worker))
            if moved:
                log.info("pushed %d unfinished request(s) back to the shared queue", moved)
        self.server.delete(self._inflight(self.worker), self._alive(self.worker))
        self.server.srem(self._workers(), self.worker)
        self.server.expire(self.df.key, self.seen_ttl)
        log.info("shared crawl %s: worker %s left (%s)", self.base, self.worker, reason)
        return super().close(reason)

    def next_request(self) -> Request | None:
        """Pop the best request and record it in this worker's in-flight hash, atomically
        (one Lua script): a worker killed at any moment leaves no request unrecorded."""
        popped = self.server.eval(_POP, 2, self.queue.key, self._inflight(self.worker))
        if not popped:
            return None
        field, raw = popped
        request: Request = self.queue._decode_request(raw)
        request.meta[META_KEY] = field
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        if self._state != BUSY:
            self._state = BUSY
            self._beat()
        return request

    def done(self, request: Request) -> None:
        """The request was handled (its items stored): it no longer needs re-queueing."""
        field = request.meta.get(META_KEY)
        if field is not None:
            self.server.hdel(self._inflight(self.worker), field)

    # --- heartbeat, takeover, termination -------------------------------------------

    def _beat(self) -> None:
        ttl = max(1, round(self.timeout * 1000))
        self.server.set(self._alive(self.worker), self._state, px=ttl)

    def _tick(self) -> None:
        try:
            self._beat()
            self.server.expire(self.df.key, self.seen_ttl)
            self.reap()
        except Exception:  # a Redis hiccup must not stop the heartbeat loop
            log.warning("shared crawl heartbeat failed; retrying", exc_info=True)

    def reap(self) -> int:
        """Push the in-flight requests of workers whose heartbeat expired back to the
        queue; returns how many."""
        moved = 0
        for raw in self.server.smembers(self._workers()):
            other = raw.decode() if isinstance(raw, bytes) else str(raw)
            if other == self.worker or self.server.exists(self._alive(other)):
                continue
            taken = f"{self._inflight(other)}:taken-by:{self.worker}"
            try:
                self.server.rename(self._inflight(other), taken)
            except Exception:  # no such key: nothing in flight, or another survivor took it
                taken = ""
            if taken:
                count = self._requeue(taken)
                moved += count
                log.warning(
                    "worker %s stopped without finishing: %d request(s) it had in flight "
                    "are back in the shared queue",
                    other,
                    count,
                )
            self.server.srem(self._workers(), other)
        return moved

    def _requeue(self, key: str) -> int:
        encoded = list(self.server.hvals(key))
        for raw in encoded:
            request = self.queue._decode_request(raw)
            request.dont_filter = True  # already in the seen set
            self.queue.push(request)
        self.server.delete(key)
        return len(encoded)

    def _others_busy(self) -> bool:
        for raw in self.server.smembers(self._workers()):
            other = raw.decode() if isinstance(raw, bytes) else str(raw)
            if other != self.worker and self.server.get(self._alive(other)) == BUSY:
                return True
        return False

    def _on_item_scraped(self, item: Any, response: Response | None, spider: Any) -> None:
        """An item went through the pipeline (the page is committed): its request is done."""
        if response is not None and response.request is not None:
            self.done(response.request)

    def _on_idle(self, spider: Any) -> None:
        if self._state != IDLE:
            self._state = IDLE
            self._beat()
        self.reap()
        if len(self.queue) or self._others_busy():
            raise DontCloseSpider


class InflightMiddleware:
    """Spider middleware: tells the shared scheduler when a response that yielded no item
    (a sitemap, feed or listing page: its requests are queued) has been handled. A
    response that yielded items is done when they went through the pipeline
    (``item_scraped``), which is when the page was committed."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightMiddleware:
        return cls(crawler)

    def _done(self, response: Response) -> None:
        scheduler = getattr(self.crawler, "newsdedup_shared", None)
        if scheduler is not None and response.request is not None:
            scheduler.done(response.request)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any
    ) -> Iterable[Any]:
        items = 0
        for out in result:
            items += not isinstance(out, Request)
            yield out
        if not items:
            self._done(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any
    ) -> AsyncIterator[Any]:
        items = 0
        async for out in result:
            items += not isinstance(out, Request)
            yield out
        if not items:
            self._done(response)
