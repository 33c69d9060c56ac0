"""Retries with backoff on 429 and 5xx answers, honouring ``Retry-After``.

Replaces Scrapy's ``RetryMiddleware`` (same settings: ``RETRY_ENABLED``,
``RETRY_TIMES``, ``RETRY_HTTP_CODES``, meta ``dont_retry``/``max_retry_times``). For a
retryable status it waits before handing back the retry request: the server's
``Retry-After`` (seconds or an HTTP date) if given, else ``base * 2 ** (attempt - 1)``,
never more than the cap. The wait is an asynchronous sleep (the reactor keeps running
other requests), never ``time.sleep``. Connection errors are retried as Scrapy does, except
timeouts: a request that got no answer within ``DOWNLOAD_TIMEOUT`` is tried again only
``NEWSDEDUP_RETRY_TIMEOUTS`` times (default 0), so a page that hangs costs one timeout.

Example:
    >>> backoff_delay(1, None, base=1.0, cap=60.0), backoff_delay(3, None, base=1.0, cap=60.0)
    (1.0, 4.0)
    >>> backoff_delay(1, b"120", base=1.0, cap=60.0)
    60.0
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep as async_sleep
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

__all__ = ["BackoffRetryMiddleware", "backoff_delay", "retry_after_seconds"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    Returns None when the header is missing or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(
    attempt: int, retry_after: bytes | str | None, *, base: float, cap: float
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first retry).

    ``Retry-After`` wins when readable; else exponential backoff from ``base``. Both are
    capped at ``cap``.
    """
    wanted = retry_after_seconds(retry_after)
    if wanted is None:
        wanted = base * 2 ** max(0, attempt - 1)
    return float(min(max(0.0, wanted), cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, with a backoff wait before an HTTP-status retry.

    Args:
        settings: Scrapy settings (``RETRY_*`` as for Scrapy's middleware).
        base_delay: the first backoff wait in seconds (``NEWSDEDUP_RETRY_BASE_DELAY``).
        max_delay: the cap on every wait (``NEWSDEDUP_RETRY_MAX_DELAY``).
        timeout_retries: how often a timed-out request is tried again
            (``NEWSDEDUP_RETRY_TIMEOUTS``).
        sleep: the asynchronous sleep (a test passes a fake one).
    """

    def __init__(
        self,
        settings: BaseSettings,
        *,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        timeout_retries: int = 0,
        sleep: Sleep = async_sleep,
    ) -> None:
        super().__init__(settings)
        self.timeout_retries = timeout_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        settings = crawler.settings
        middleware = cls(
            settings,
            base_delay=settings.getfloat("NEWSDEDUP_RETRY_BASE_DELAY", 1.0),
            max_delay=settings.getfloat("NEWSDEDUP_RETRY_MAX_DELAY", 60.0),
            timeout_retries=settings.getint("NEWSDEDUP_RETRY_TIMEOUTS", 0),
        )
        middleware.crawler = crawler
        return middleware

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        from scrapy.exceptions import DownloadTimeoutError
        from twisted.internet.error import TCPTimedOutError
        from twisted.internet.error import TimeoutError as ConnectTimeout

        timed_out = isinstance(exception, DownloadTimeoutError | ConnectTimeout | TCPTimedOutError)
        if timed_out and int(request.meta.get("retry_times", 0)) >= self.timeout_retries:
            return None  # the errback reports it: one timeout, one problem
        return super().process_exception(request, exception)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry: Any = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        attempt = int(retry.meta.get("retry_times", 1))
        delay = backoff_delay(
            attempt,
            response.headers.get("Retry-After"),
            base=self.base_delay,
            cap=self.max_delay,
        )
        if delay > 0:
            log.info(
                "HTTP %d from %s: retry %d in %.1f s", response.status, request.url, attempt, delay
            )
            await self._sleep(delay)
        return retry  # type: ignore[no-any-return]
