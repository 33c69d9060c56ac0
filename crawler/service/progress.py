"""Live crawl progress: a Scrapy extension.

When stderr is a terminal it redraws one line per source in place (pages, articles,
duplicates, errors, rate); otherwise it logs a plain line every
``NEWSDEDUP_PROGRESS_INTERVAL`` seconds. Either way a last line is written when the
source's crawl closes. Off with ``NEWSDEDUP_PROGRESS_ENABLED=0``; the live line is off
with ``NEWSDEDUP_PROGRESS_LIVE=0`` (the scheduler's children share one terminal).

The numbers come from the crawl's stats (the ingest pipeline counts articles and
duplicates there), so the extension knows nothing of the database.

Example:
    >>> format_line("techwire", Progress(pages=12, articles=9, duplicates=2, errors=1,
    ...                                  elapsed=60.0))
    'techwire: 12 pages, 9 articles, 2 duplicates, 1 errors, 12.0 pages/min'
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.service.run_health import EXTRACTION_FAILURES

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["Progress", "ProgressExtension", "format_line", "progress_from_stats"]

log = logging.getLogger(__name__)

#: Seconds between redraws of the live line in a terminal.
LIVE_REDRAW = 0.5


@dataclass(frozen=True)
class Progress:
    """A snapshot of one source's crawl."""

    pages: int = 0
    articles: int = 0
    duplicates: int = 0
    errors: int = 0
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        """Pages per minute so far."""
        return self.pages * 60.0 / self.elapsed if self.elapsed > 0 else 0.0


# Requests Scrapy chose not to send (robots.txt, offsite): not errors of the source.
IGNORED = "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest"


def _sum(stats: Mapping[str, Any], prefix: str, keys: frozenset[str] | None = None) -> int:
    total = 0
    for key, value in stats.items():
        if key.startswith(prefix) and (keys is None or key[len(prefix) :] in keys):
            total += int(value)
    return total


def progress_from_stats(stats: Mapping[str, Any], elapsed: float) -> Progress:
    """A :class:`Progress` from a crawl's stats dict."""
    http_errors = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
        and k.rsplit("/", 1)[-1][:1] in ("4", "5")
    )
    errors = (
        int(stats.get("newsdedup/ingest_errors", 0))
        + _sum(stats, "newsdedup/extraction/", EXTRACTION_FAILURES)
        + int(stats.get("downloader/exception_count", 0))
        - int(stats.get(IGNORED, 0))
        + http_errors
    )
    return Progress(
        pages=int(stats.get("response_received_count", 0)),
        articles=_sum(stats, "newsdedup/articles/"),
        duplicates=_sum(stats, "newsdedup/duplicates/"),
        errors=errors,
        elapsed=elapsed,
    )


def format_line(source: str, progress: Progress) -> str:
    """The progress line of one source."""
    return (
        f"{source}: {progress.pages} pages, {progress.articles} articles, "
        f"{progress.duplicates} duplicates, {progress.errors} errors, "
        f"{progress.rate:.1f} pages/min"
    )


class ProgressExtension:
    """Show the progress of each source's crawl.

    Args:
        stats: the crawl's stats collector (``get_stats()``).
        interval: seconds between plain log lines.
        live: redraw one line in place on ``stream`` (a terminal) instead of logging.
        stream: where the live line goes.
        clock: monotonic seconds (a test passes a fake one).
    """

    def __init__(
        self,
        stats: Any,
        *,
        interval: float = 10.0,
        live: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stats = stats
        self.interval = interval
        self.live = live
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.source = "crawl"
        self._started = clock()
        self._task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = crawler.settings
        if not settings.getbool("NEWSDEDUP_PROGRESS_ENABLED", True):
            raise NotConfigured("NEWSDEDUP_PROGRESS_ENABLED is off")
        interval = settings.getfloat("NEWSDEDUP_PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured("NEWSDEDUP_PROGRESS_INTERVAL is not positive")
        stream = sys.stderr
        live = settings.getbool("NEWSDEDUP_PROGRESS_LIVE", True) and _isatty(stream)
        extension = cls(crawler.stats, interval=interval, live=live, stream=stream)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def snapshot(self) -> Progress:
        """The progress now."""
        stats: Mapping[str, Any] = self.stats.get_stats() if self.stats is not None else {}
        return progress_from_stats(stats, self.clock() - self._started)

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import task

        source = getattr(spider, "source", None)
        self.source = str(getattr(source, "name", None) or spider.name)
        self._started = self.clock()
        self._task = task.LoopingCall(self.tick)
        self._task.start(LIVE_REDRAW if self.live else self.interval, now=False)

    def tick(self) -> None:
        """Show the current line: redrawn in place, or logged."""
        line = format_line(self.source, self.snapshot())
        if self.live:
            self.stream.write("\r\x1b[2K" + line)
            self.stream.flush()
        else:
            log.info("progress %s", line)

    def spider_closed(self, spider: Spider) -> None:
        del spider
        if self._task is not None and self._task.running:
            self._task.stop()
        line = format_line(self.source, self.snapshot())
        if self.live:
            self.stream.write("\r\x1b[2K" + line + " (done)\n")
            self.stream.flush()
        else:
            log.info("progress %s (done)", line)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
