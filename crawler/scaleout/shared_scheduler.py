"""The scheduler of a worker of a shared crawl: scrapy-redis's, plus what makes a dead
worker lose nothing and lets every worker know when the crawl is over.

Redis keys under ``{base}`` (see :mod:`crawler.scaleout.config`): ``:requests`` the queue,
``:seen`` the fingerprints, ``:workers`` the registered workers, ``:alive:{w}`` a worker's
heartbeat (``busy``/``idle``, expiring after ``NEWSDEDUP_WORKER_TIMEOUT`` seconds) and
``:inflight:{w}`` the requests worker ``w`` popped and has not finished.

Invariants, each kept by one Lua script (atomic in Redis), so that no interleaving of
workers, pauses and kills can lose a request:

- **A popped request is always recorded.** Popping moves the request from the queue into
  the worker's in-flight hash, registers the worker in ``:workers`` and marks it ``busy``,
  in one script (:data:`_POP`). So every non-empty in-flight hash belongs to a registered
  worker, even one that another worker wrongly took for dead a moment before (a long
  pause on a loaded machine): its next pop registers it again.
- **A dead worker is reaped in one step.** A worker whose heartbeat key is gone gets its
  in-flight requests pushed back to the queue, its hash deleted and its registration
  removed in one script (:data:`_RELEASE`) that first checks, inside the script, that the
  heartbeat is still absent; a worker that beat in between is left alone. A live worker
  that was reaped anyway (paused longer than the timeout) only causes refetches: a page
  fetched twice is stored once.
- **A request is queued with its fingerprint.** Adding the fingerprint to the seen set and
  the request to the queue is one script (:data:`_ENQUEUE`): a request is never marked
  seen without being queued.
- **A request leaves the in-flight hash only once its work is durable:** every item its
  response yielded went through the pipeline (signals ``item_scraped``, ``item_dropped``
  or ``item_error``: the pipeline stores the page before it returns) and every request it
  yielded is in the shared queue (or was filtered as seen). Scrapy pulls a callback's
  output ahead of handling it (up to ``CONCURRENT_ITEMS`` outputs wait in a local
  queue), so the end of a callback's output is not enough (:class:`InflightMiddleware`).

Every ``NEWSDEDUP_WORKER_TIMEOUT / 3`` seconds a worker refreshes its heartbeat (and
registers itself again if another worker removed it) and the expiry of the seen set
(``NEWSDEDUP_SEEN_TTL``), and reaps workers whose heartbeat expired. A worker with nothing
to do stays open while the queue is not empty or another registered worker is busy or not
reaped yet; it closes when the queue is empty and every other registered worker is alive
and idle. A worker stopped gracefully (SIGTERM) pushes its own in-flight requests back.
"""

from __future__ import annotations

import logging
import time
import weakref
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
BUSY, IDLE = b"busy", b"idle"

# KEYS: queue, inflight hash, alive key, workers set; ARGV: worker, heartbeat ms.
# Moves the best request of the priority queue (a sorted set) into the in-flight hash,
# under "{sha1 of its encoding}|{its score}", registers the worker and marks it busy.
# Returns {field, encoded request} or nil.
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return nil end
redis.call('ZREM', KEYS[1], found[1])
local field = redis.sha1hex(found[1]) .. '|' .. found[2]
redis.call('HSET', KEYS[2], field, found[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SET', KEYS[3], 'busy', 'PX', ARGV[2])
return {field, found[1]}
"""

# KEYS: alive key, in-flight hash, queue, workers set; ARGV: worker, "1" to release only
# when the heartbeat is gone (reaping another worker), "0" to release unconditionally
# (the worker itself, stopping). Pushes every in-flight request back to the queue with the
# score recorded in its field, deletes the hash and the heartbeat, unregisters the worker.
# Returns the number of requests pushed back, or -1 when the worker is alive.
_RELEASE = """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local score = string.match(entries[i], '|([^|]+)$') or '0'
  redis.call('ZADD', KEYS[3], score, entries[i + 1])
end
redis.call('DEL', KEYS[2], KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #entries / 2
"""

# KEYS: seen set, queue; ARGV: fingerprint ("" when the request is not filtered), score,
# encoded request. Returns 1 when queued, 0 when the fingerprint was already seen.
_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: alive key, workers set; ARGV: worker, state, heartbeat ms.
# Returns 1 when the previous heartbeat was still alive, 0 when it had expired.
_BEAT = """
local was = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return was
"""


class _Owed:
    """What a response still owes before its request is done: outputs not yet handled
    (items not through the pipeline, requests not queued), and whether the callback's
    output has ended."""

    __slots__ = ("complete", "field", "outputs")

    def __init__(self, field: str) -> None:
        self.field = field  # not the request: the weak maps below are keyed by requests
        self.outputs = 0
        self.complete = False


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler with per-worker in-flight tracking and shared termination."""

    crawler: Any
    base: str
    worker: str
    timeout: float
    seen_ttl: int
    clock: Any
    _state: bytes
    _loop: LoopingCall | None
    _last_beat: float | None
    _owed: weakref.WeakKeyDictionary[Request, _Owed]
    _parent: weakref.WeakKeyDictionary[Request, _Owed]

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        instance: SharedScheduler = super().from_crawler(crawler)
        settings = crawler.settings
        instance.crawler = crawler
        instance.base = settings.get("NEWSDEDUP_SHARED_KEY")
        instance.worker = worker_id()
        instance.timeout = settings.getfloat("NEWSDEDUP_WORKER_TIMEOUT", 15.0)
        instance.seen_ttl = settings.getint("NEWSDEDUP_SEEN_TTL", 86400)
        instance.clock = None  # the reactor; tests give a twisted.internet.task.Clock
        instance._state = BUSY
        instance._loop = None
        instance._last_beat = None
        instance._owed = weakref.WeakKeyDictionary()
        instance._parent = weakref.WeakKeyDictionary()
        crawler.newsdedup_shared = instance
        crawler.signals.connect(instance._on_idle, signal=signals.spider_idle)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(instance._on_item_handled, signal=signal)
        crawler.signals.connect(instance._on_request_dropped, signal=signals.request_dropped)
        return instance

    # --- keys ---------------------------------------------------------------------

    def _workers(self) -> str:
        return f"{self.base}:workers"

    def _alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def _inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def _ttl_ms(self) -> int:
        return max(1, round(self.timeout * 1000))

    # --- lifecycle ----------------------------------------------------------------

    def open(self, spider: Any) -> Any:
        result = super().open(spider)
        self._beat()
        self._loop = LoopingCall(self._tick)
        if self.clock is not None:
            self._loop.clock = self.clock
        self._loop.start(max(0.2, self.timeout / 3), now=False)
        log.info("shared crawl %s: worker %s joined", self.base, self.worker)
        return result

    def close(self, reason: str) -> Any:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if reason == "finished":
            # Idle: nothing of this worker's is unfinished (what is left in its hash are
            # requests handled without a response, e.g. redirected or failed ones).
            self.server.delete(self._inflight(self.worker), self._alive(self.worker))
            self.server.srem(self._workers(), self.worker)
        else:
            moved = self._release(self.worker, only_if_dead=False)
            if moved:
                log.info("pushed %d unfinished request(s) back to the shared queue", moved)
        self.server.expire(self.df.key, self.seen_ttl)
        log.info("shared crawl %s: worker %s left (%s)", self.base, self.worker, reason)
        return super().close(reason)

    # --- queue --------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` unless its fingerprint is in the seen set; adding the
        fingerprint and queueing are one script (never seen without being queued)."""
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        keys = (self.df.key, self.queue.key)
        queued = bool(self.server.eval(_ENQUEUE, 2, *keys, fingerprint, -request.priority, data))
        parent = self._parent.pop(request, None)
        if parent is not None:
            self._settle(parent)
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """Pop the best request and record it in this worker's in-flight hash, atomically
        (one Lua script): a worker killed at any moment leaves no request unrecorded."""
        keys = (self.queue.key, self._inflight(self.worker), self._alive(self.worker))
        popped = self.server.eval(_POP, 4, *keys, self._workers(), self.worker, self._ttl_ms())
        if not popped:
            return None
        field, raw = popped
        request: Request = self.queue._decode_request(raw)
        request.meta[META_KEY] = field.decode() if isinstance(field, bytes) else field
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        self._state = BUSY  # the script marked the heartbeat busy
        self._last_beat = time.monotonic()
        return request

    def done(self, field: str) -> None:
        """The request recorded under ``field`` was handled (its items stored, its
        requests queued): it no longer needs re-queueing."""
        self.server.hdel(self._inflight(self.worker), field)

    # --- what a response owes -------------------------------------------------------

    def expect(self, response: Response) -> _Owed | None:
        """Start counting the outputs of ``response``'s callback (None: not ours)."""
        request = response.request
        field = request.meta.get(META_KEY) if request is not None else None
        if request is None or field is None:
            return None
        owed = _Owed(field)
        self._owed[request] = owed
        return owed

    def owe(self, owed: _Owed, output: Any) -> None:
        """``output`` of the response is about to be handed to Scrapy."""
        owed.outputs += 1
        if isinstance(output, Request):
            self._parent[output] = owed

    def complete(self, owed: _Owed) -> None:
        """The callback's output has ended."""
        owed.complete = True
        self._settle(owed, handled=0)

    def _settle(self, owed: _Owed, handled: int = 1) -> None:
        owed.outputs -= handled
        if owed.complete and owed.outputs == 0:
            owed.complete = False  # done once
            self.done(owed.field)

    def _on_item_handled(self, item: Any, response: Response | None, **_: Any) -> None:
        """An item went through the pipeline (stored), was dropped or failed there."""
        request = getattr(response, "request", None)
        owed = self._owed.get(request) if request is not None else None
        if owed is not None:
            self._settle(owed)

    def _on_request_dropped(self, request: Request, **_: Any) -> None:
        """A request a response yielded was dropped before reaching the queue."""
        parent = self._parent.pop(request, None)
        if parent is not None:
            self._settle(parent)

    # --- heartbeat, reaping, termination ----------------------------------------------

    def _beat(self) -> None:
        keys = (self._alive(self.worker), self._workers())
        was_alive = self.server.eval(_BEAT, 2, *keys, self.worker, self._state, self._ttl_ms())
        now = time.monotonic()
        if not was_alive and self._last_beat is not None:
            log.warning(
                "shared crawl %s: this worker's heartbeat lapsed (%.1f s since the last, "
                "NEWSDEDUP_WORKER_TIMEOUT is %g s); another worker may have pushed its "
                "in-flight requests back: they are fetched again and stored once",
                self.base,
                now - self._last_beat,
                self.timeout,
            )
        self._last_beat = now

    def _tick(self) -> None:
        try:
            self._beat()
            self.server.expire(self.df.key, self.seen_ttl)
            self.reap()
        except Exception:  # a Redis hiccup must not stop the heartbeat loop
            log.warning("shared crawl heartbeat failed; retrying", exc_info=True)

    def _others(self) -> list[str]:
        names = (
            r.decode() if isinstance(r, bytes) else str(r)
            for r in self.server.smembers(self._workers())
        )
        return [name for name in names if name != self.worker]

    def _release(self, worker: str, *, only_if_dead: bool) -> int:
        keys = (self._alive(worker), self._inflight(worker), self.queue.key, self._workers())
        return int(self.server.eval(_RELEASE, 4, *keys, worker, "1" if only_if_dead else "0"))

    def reap(self) -> int:
        """Push the in-flight requests of workers whose heartbeat expired back to the
        queue and unregister those workers; returns how many requests."""
        moved = 0
        for other in self._others():
            count = self._release(other, only_if_dead=True)
            if count < 0:
                continue
            moved += count
            log.warning(
                "worker %s stopped without finishing: %d request(s) it had in flight "
                "are back in the shared queue",
                other,
                count,
            )
        return moved

    def can_close(self) -> bool:
        """Whether the shared crawl is over for this (idle) worker: the queue is empty and
        every other registered worker is alive and idle. A registered worker without a
        heartbeat is dead and not reaped yet: its requests are still to come back."""
        if len(self.queue):
            return False
        return all(self.server.get(self._alive(other)) == IDLE for other in self._others())

    def _on_idle(self, spider: Any) -> None:
        if self._state != IDLE:
            self._state = IDLE
            self._beat()
        self.reap()
        if not self.can_close():
            raise DontCloseSpider


class InflightMiddleware:
    """Spider middleware: counts what each response's callback yields, so that the shared
    scheduler removes the request from the in-flight hash only once every yielded item
    went through the pipeline and every yielded request is in the shared queue.

    It must be the spider middleware nearest the engine (lowest order), so that it sees
    exactly the objects the engine schedules."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightMiddleware:
        return cls(crawler)

    def _scheduler(self) -> SharedScheduler | None:
        return getattr(self.crawler, "newsdedup_shared", None)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        scheduler = self._scheduler()
        owed = scheduler.expect(response) if scheduler is not None else None
        if scheduler is None or owed is None:
            yield from result
            return
        for out in result:
            scheduler.owe(owed, out)
            yield out
        scheduler.complete(owed)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        scheduler = self._scheduler()
        owed = scheduler.expect(response) if scheduler is not None else None
        async for out in result:
            if scheduler is not None and owed is not None:
                scheduler.owe(owed, out)
            yield out
        if scheduler is not None and owed is not None:
            scheduler.complete(owed)
