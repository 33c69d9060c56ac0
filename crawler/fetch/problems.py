"""Bad inputs met while fetching, named and reported once per URL.

Every component that meets a bad input (the spider's errback and discovery callbacks, the
robots.txt middleware) reports it through one Scrapy signal, :data:`problem_found`, with the
URL, a kind and a reason; the ingest pipeline stores it with the run
(:func:`storage.repo.problems.record_problem`), so ``newsdedup runs --errors RUN`` and the API
show it. Kinds:

========================  ===========================================================
``feed``                  a feed that could not be parsed
``sitemap``               a sitemap that could not be parsed (or was cut short)
``listing``               a listing page that could not be parsed
``robots``                robots.txt could not be fetched (the site is then crawled
                          as if it allowed everything, as Scrapy does)
``robots_forbidden``      a URL that robots.txt forbids
``redirect_loop``         a redirect loop, or more redirects than ``REDIRECT_MAX_TIMES``
``timeout``               no answer within ``DOWNLOAD_TIMEOUT``
``refused``               connection refused
``dns``                   the host name did not resolve
``connection``            the connection broke or no response came back
``http``                  an HTTP error status (4xx/5xx) after retries
``error``                 any other download error
========================  ===========================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

#: Sent as ``problem_found(url=..., kind=..., reason=..., source=...)``.
problem_found = object()


def classify(error: BaseException) -> tuple[str, str] | None:
    """(kind, reason) of a download failure; None for a request Scrapy chose to skip.

    Example:
        >>> classify(IgnoreRequest("max redirections reached"))
        ('redirect_loop', 'max redirections reached')
    """
    from scrapy import exceptions as sx
    from twisted.internet import error as tx
    from twisted.web._newclient import ResponseNeverReceived

    message = str(error) or type(error).__name__
    if isinstance(error, HttpError):
        status = getattr(getattr(error, "response", None), "status", None)
        return "http", f"HTTP {status}" if status is not None else message
    if isinstance(error, IgnoreRequest):
        if "redirect" in message.lower():
            return "redirect_loop", message
        if "robots.txt" in message:
            return "robots_forbidden", message
        return None  # offsite, filtered, max pages: a choice, not a problem
    if isinstance(error, sx.DownloadTimeoutError | tx.TimeoutError | tx.TCPTimedOutError):
        return "timeout", message
    if isinstance(error, sx.DownloadConnectionRefusedError | tx.ConnectionRefusedError):
        return "refused", message
    if isinstance(error, sx.CannotResolveHostError | tx.DNSLookupError):
        return "dns", message
    lost = (sx.ResponseDataLossError, tx.ConnectionLost, tx.ConnectionDone, ResponseNeverReceived)
    if isinstance(error, lost):
        return "connection", message
    return "error", f"{type(error).__name__}: {message}"


def report(crawler: Crawler | None, source: str, url: str, kind: str, reason: str) -> None:
    """Send :data:`problem_found` (nothing happens without a crawler, e.g. in unit tests)."""
    if crawler is None:
        return
    crawler.signals.send_catch_log(
        signal=problem_found, source=source, url=url, kind=kind, reason=reason
    )


def report_failure(
    crawler: Crawler | None, source: str, failure: Failure
) -> tuple[str, str] | None:
    """Classify a failed request's failure and report it; returns what was reported."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    if failure.value is None:
        return None
    named = classify(failure.value)
    if named is not None:
        report(crawler, source, url, *named)
    return named


class DroppedRedirects:
    """Scrapy extension: a redirect that lands on a URL already requested (a loop) is
    dropped by Scrapy's duplicate filter without a word; report it as ``redirect_loop``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DroppedRedirects:
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        return extension

    def request_dropped(self, request: Any, spider: Any = None) -> None:
        chain = request.meta.get("redirect_urls") or []
        if not chain:
            return
        source = getattr(getattr(spider, "source", None), "name", "?")
        hops = " -> ".join([*chain, request.url])
        report(self.crawler, source, chain[0], "redirect_loop", f"redirect loop: {hops}")


class ReportingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reporting a robots.txt that could not be fetched.

    Scrapy then crawls the site as if robots.txt allowed everything; the problem is
    recorded with the run instead of only being logged.
    """

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):
            spider: Any = getattr(self.crawler, "spider", None)
            source = getattr(getattr(spider, "source", None), "name", "?")
            report(
                self.crawler,
                source,
                f"//{netloc}/robots.txt",
                "robots",
                f"{type(exc).__name__}: {exc}",
            )
        super()._robots_error(exc, netloc)
