"""The one generic spider: crawls a configured source.

Callbacks only route: they hand bodies to :mod:`crawler.discovery.links` (feeds,
sitemaps, listings, and the sitemaps a robots.txt lists), log what had to be salvaged,
normalise and
filter the links, and request articles. An article response becomes a
:class:`~crawler.items.FetchedPage` with its body untouched; extraction happens
downstream. Run it with ``scrapy crawl source -a source=NAME`` (the source is read
from the file in setting ``NEWSDEDUP_SOURCES``) or pass a ``SourceConfig``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.config import ListingConfig, SourceConfig, load_sources
from crawler.discovery.links import (
    DiscoveredLink,
    DiscoveryError,
    parse_feed,
    parse_listing,
    parse_robots_sitemaps,
    parse_sitemap,
)
from crawler.discovery.urls import canonical_link, in_domains, normalize_url
from crawler.fetch.incremental import KnownPage, NotModified, conditional_headers, decide
from crawler.fetch.problems import report, report_failure
from crawler.items import FetchedPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

__all__ = ["KEPT_HEADERS", "SourceSpider", "source_settings"]

#: Response headers copied onto the item (lower-case names).
KEPT_HEADERS = ("content-type", "content-language", "etag", "last-modified", "date")


def source_settings(source: SourceConfig) -> dict[str, Any]:
    """The Scrapy settings a source overrides (concurrency, delay, user agent)."""
    values: dict[str, Any] = {
        "CONCURRENT_REQUESTS": source.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
    }
    if source.download_delay is not None:
        values["DOWNLOAD_DELAY"] = source.download_delay
    if source.user_agent is not None:
        values["USER_AGENT"] = source.user_agent
    return values


class SourceSpider(scrapy.Spider):
    """Discover and fetch the articles of one source.

    Article requests are deduplicated by normalised URL (a page's in-domain canonical
    URL counts as requested too) and capped at the source's ``max_pages``. The
    source's concurrency, download delay and user agent become this crawl's settings.

    Incremental: given ``known`` (what the database holds, loaded by the crawl runner),
    a stored URL whose feed/sitemap lastmod is not newer than the stored one is not
    requested, and another stored URL is requested conditionally (ETag, Last-Modified);
    both become :class:`~crawler.fetch.incremental.NotModified` items when unchanged.

    Args:
        source: the source, or its name to look up in setting ``NEWSDEDUP_SOURCES``
            (only through :meth:`from_crawler`).
        known: normalised URL -> validators of pages already stored; None or empty
            fetches everything.
    """

    name = "source"

    def __init__(
        self,
        source: SourceConfig,
        known: Mapping[str, KnownPage] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=self.name, **kwargs)
        self.source = source
        self.known: Mapping[str, KnownPage] = known or {}
        self.allowed_domains = list(source.domains)
        self._article_regex: re.Pattern[str] | None = source.article_regex()
        self._requested: set[str] = set()
        self._yielded: set[str] = set()
        self._limit_logged = False
        self._sitemaps_seen: set[str] = set()
        self.article_requests = 0
        if not source.enabled:
            self.logger.warning(
                "source %r is disabled in its config; crawling it anyway", source.name
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        source = kwargs.pop("source", None)
        if isinstance(source, str):
            path = crawler.settings.get("NEWSDEDUP_SOURCES") or "config/sources.toml"
            source = load_sources(path).get(source)
        if not isinstance(source, SourceConfig):
            raise ValueError("SourceSpider needs source=NAME or source=SourceConfig")
        for key, value in source_settings(source).items():
            crawler.settings.set(key, value, priority="spider")
        spider = cls(source, *args, **kwargs)
        spider._set_crawler(crawler)
        return spider

    # --- entry points -------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.feeds:
            yield self._entry(url, self.parse_feed)
        for url in self.source.sitemaps:
            self._sitemaps_seen.add(normalize_url(url))
            yield self._entry(url, self.parse_sitemap)
        for listing in self.source.listings:
            yield self._entry(listing.url, self.parse_listing, listing=listing)
        for url in self.source.robots_urls:
            yield scrapy.Request(
                url, callback=self.parse_robots, errback=self.on_robots_error, dont_filter=True
            )

    def _entry(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            dont_filter=True,
        )

    def _salvaged(self, kind: str, url: str, warnings: Iterable[str]) -> None:
        for warning in warnings:
            self.logger.warning("salvaged %s %s: %s", kind, url, warning)
            self._problem(url, kind, f"salvaged: {warning}")

    # --- routing callbacks ----------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request | NotModified]:
        try:
            result = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self.logger.warning("skipping feed: %s", exc)
            self._problem(response.url, "feed", str(exc))
            return
        self._salvaged("feed", response.url, result.warnings)
        yield from self._articles(result.links, response.url, self._article_regex)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | NotModified]:
        try:
            result = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            self.logger.warning("skipping sitemap: %s", exc)
            self._problem(response.url, "sitemap", str(exc))
            return
        self._salvaged("sitemap", response.url, result.warnings)
        yield from self._sitemaps(result.sitemaps, "child sitemap")
        yield from self._articles(result.links, response.url, self._article_regex)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the ``Sitemap:`` lines of a robots.txt (on the source's domains)."""
        links = parse_robots_sitemaps(response.body, response.url)
        self.logger.info("robots.txt %s lists %d sitemaps", response.url, len(links))
        yield from self._sitemaps(links, "sitemap from robots.txt")

    def _sitemaps(self, links: Iterable[DiscoveredLink], what: str) -> Iterator[scrapy.Request]:
        """Requests for sitemaps not requested before and on the source's domains."""
        for link in links:
            try:
                url = normalize_url(link.url)
            except ValueError:
                self.logger.info("invalid %s URL %r", what, link.url)
                continue
            if url in self._sitemaps_seen:
                continue
            if not in_domains(url, self.source.domains):
                self.logger.info("%s outside the domains: %s", what, url)
                continue
            self._sitemaps_seen.add(url)
            yield self._entry(url, self.parse_sitemap)

    def parse_listing(
        self, response: Response, listing: ListingConfig
    ) -> Iterator[scrapy.Request | NotModified]:
        try:
            links = parse_listing(response.body, response.url)
        except DiscoveryError as exc:
            self.logger.warning("skipping listing: %s", exc)
            self._problem(response.url, "listing", str(exc))
            return
        yield from self._articles(links, response.url, listing.pattern)

    def _articles(
        self, links: Iterable[DiscoveredLink], via: str, pattern: re.Pattern[str] | None
    ) -> Iterator[scrapy.Request | NotModified]:
        """Requests for new, in-domain links whose normalised URL matches ``pattern``.

        Stops at the source's ``max_pages`` article requests. A stored URL whose lastmod
        is not newer becomes a ``NotModified`` item instead of a request.
        """
        for link in links:
            try:
                url = normalize_url(link.url)
            except ValueError:
                self.logger.info("invalid link %r on %s", link.url, via)
                continue
            if url in self._requested:
                continue
            if not in_domains(url, self.source.domains):
                self.logger.debug("outside the domains: %s", url)
                continue
            if pattern is not None and not pattern.search(url):
                self.logger.debug("not an article link: %s", url)
                continue
            if self.article_requests >= self.source.max_pages:
                if not self._limit_logged:
                    self._limit_logged = True
                    self.logger.info(
                        "max_pages (%d) reached for %s; further article links are skipped",
                        self.source.max_pages,
                        self.source.name,
                    )
                return
            known = self.known.get(url)
            decision = decide(known, link.lastmod)
            if decision == "skip":
                self._requested.add(url)
                self._yielded.add(url)
                yield NotModified(self.source.name, url, "lastmod", link.lastmod, via)
                continue
            self._requested.add(url)
            self.article_requests += 1
            headers: dict[str, str] = {}
            meta: dict[str, Any] = {}
            if decision == "conditional" and known is not None:
                headers = conditional_headers(known)
                meta["handle_httpstatus_list"] = [304]
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.on_error,
                headers=headers,
                meta=meta,
                cb_kwargs={"via": via, "lastmod": link.lastmod, "discovered_as": url},
            )

    def parse_article(
        self, response: Response, via: str, lastmod: str | None, discovered_as: str
    ) -> Iterator[FetchedPage | NotModified]:
        url = discovered_as
        if response.status == 304:
            self._yielded.add(url)
            yield NotModified(self.source.name, url, "304", lastmod, via)
            return
        canonical = canonical_link(response.body, response.url)
        if canonical:
            try:
                normalized = normalize_url(canonical)
            except ValueError:
                normalized = url
            if normalized != url and in_domains(normalized, self.source.domains):
                self.logger.debug("canonical of %s is %s", url, normalized)
                url = normalized
                self._requested.add(url)  # do not fetch the canonical URL again
        if url in self._yielded:
            self.logger.info("already fetched under its canonical URL: %s", response.url)
            return
        self._yielded.add(url)
        headers: dict[str, str] = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        yield FetchedPage(
            source=self.source.name,
            url=url,
            final_url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            discovered_via=via,
            lastmod=lastmod,
        )

    def on_robots_error(self, failure: Failure) -> None:
        """A missing robots.txt only means no sitemaps from it: logged at INFO."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.logger.info("no sitemaps from %s: %s", url, failure.getErrorMessage())

    def _problem(self, url: str, kind: str, reason: str) -> None:
        report(getattr(self, "crawler", None), self.source.name, url, kind, reason)

    def on_error(self, failure: Failure) -> None:
        """Log the failed URL and the error, and report it (crawler.fetch.problems); the
        crawl goes on."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        error = failure.value
        named = report_failure(getattr(self, "crawler", None), self.source.name, failure)
        if isinstance(error, IgnoreRequest) and not isinstance(error, HttpError):
            # robots.txt, offsite or another middleware chose to skip it; a redirect loop
            # is a problem of the site's and is reported above
            level = (
                self.logger.warning if named and named[0] == "redirect_loop" else self.logger.info
            )
            level("request skipped: %s: %s", url, failure.getErrorMessage())
            return
        self.logger.warning(
            "request failed: %s: %s: %s",
            url,
            failure.type.__name__ if failure.type else "error",
            failure.getErrorMessage(),
        )
