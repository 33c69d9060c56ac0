"""Serve the sample site on 127.0.0.1 as an HTTP forward proxy for its ``.example`` hosts.

Scrapy, given ``meta["proxy"]`` (setting ``NEWSDEDUP_PROXY``), sends absolute-form
requests such as ``GET http://techwire.example/feed.xml HTTP/1.1`` to the proxy; the
handler routes them by host to that publisher's pages. Unknown hosts and paths get 404.

Example:
    >>> with serve_sample_site() as site:  # doctest: +SKIP
    ...     print(site.proxy_url)
    http://127.0.0.1:54321

Run ``python -m crawler.demo.server`` to serve it in the foreground.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from crawler.demo.content import ARTICLES, DISALLOWED, PUBLISHERS, SEED_LIKE, SYNDICATED
from crawler.demo.pages import Routes, article_url, build_routes

__all__ = ["ConditionalRequest", "SampleSite", "sample_sources_toml", "serve_sample_site"]

_LAST_MODIFIED = "Fri, 20 Nov 2026 08:00:00 GMT"


def _url_of(publisher: str, slug: str) -> str:
    for article in ARTICLES:
        if article.publisher == publisher and article.slug == slug:
            return article_url(article)
    raise KeyError((publisher, slug))


def sample_sources_toml() -> str:
    """A sources file for the three sample publishers (all enabled, no delay)."""
    parts = [
        "# Sources for the bundled sample site (crawler/demo). Generated; see\n"
        "# config/sources.toml for what each key means.\n\n"
        "[defaults]\n"
        'schedule = "*/30 * * * *"\n'
        "max_pages = 50\n"
        "concurrency = 4\n"
        "download_delay = 0.0\n"
    ]
    for publisher in PUBLISHERS:
        host = publisher.host
        escaped = host.replace(".", r"\.")
        prefix = publisher.article_prefix
        sitemap = "/sitemap_index.xml" if publisher.sitemap_layout == "index" else "/sitemap.xml"
        pattern = f"^http://{escaped}{prefix}[a-z0-9-]+$"
        parts.append(
            "\n[[sources]]\n"
            f'name = "{publisher.key}"\n'
            f'domains = ["{host}"]\n'
            f'feeds = ["http://{host}{publisher.feed_path}"]\n'
            f'sitemaps = ["http://{host}{sitemap}"]\n'
            f"article_pattern = '{pattern}'\n"
            "\n[[sources.listings]]\n"
            f'url = "http://{host}{publisher.listing_path}"\n'
            f"article_pattern = '{pattern}'\n"
        )
    return "".join(parts)


@dataclass(frozen=True)
class ConditionalRequest:
    """A request that carried If-None-Match or If-Modified-Since, and the status answered."""

    url: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: str | None
    times: int | None  # None: every time


def etag_of(body: bytes) -> str:
    """The strong ETag the sample site sends for a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@dataclass
class SampleSite:
    """A running sample site.

    Attributes:
        host: the address the server listens on (127.0.0.1).
        port: its port (chosen by the OS).
        routes: host -> path -> (content type, body) of every page served.
        requests: count of requests served, keyed by absolute URL (path + query).
        delay: seconds every answer waits (to make a crawl slow enough to interrupt).
        conditional: every conditional request (If-None-Match / If-Modified-Since) and
            the status it got (304 when the page did not change).

    Pages carry an ETag (hash of the body) and a Last-Modified date; a conditional
    request for an unchanged page gets 304 Not Modified. Tests change a page with
    :meth:`set_page` and break one with :meth:`fail`.
    """

    host: str
    port: int
    routes: Routes
    requests: Counter[str] = field(default_factory=Counter)
    delay: float = 0.0
    conditional: list[ConditionalRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _modified: dict[str, str] = field(default_factory=dict, repr=False)
    _failures: dict[str, _Failure] = field(default_factory=dict, repr=False)
    _redirects: dict[str, str] = field(default_factory=dict, repr=False)
    _hangs: dict[str, float] = field(default_factory=dict, repr=False)

    def set_page(
        self, url: str, body: bytes, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        """Serve ``body`` at ``url`` (absolute, ``http://host/path``) from now on, with a new
        ETag and a Last-Modified of now."""
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        with self._lock:
            self.routes.setdefault(host, {})[path] = (content_type, body)
            self._modified[f"http://{host}{path}"] = format_datetime(datetime.now(UTC), usegmt=True)

    def page(self, url: str) -> bytes:
        """The body served at ``url`` (absolute)."""
        parts = urlsplit(url)
        return self.routes[(parts.hostname or "").lower()][parts.path or "/"][1]

    def fail(
        self,
        url: str,
        status: int = 500,
        *,
        retry_after: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer ``url`` (absolute, or ``http://host/*`` for a whole host) with ``status``,
        every time or the next ``times`` times, with an optional Retry-After header."""
        with self._lock:
            self._failures[url] = _Failure(status, retry_after, times)

    def redirect(self, url: str, to: str) -> None:
        """Answer ``url`` (absolute) with a 302 to ``to`` from now on (two calls make a loop)."""
        with self._lock:
            self._redirects[url] = to

    def hang(self, url: str, seconds: float) -> None:
        """Hold every answer for ``url`` (absolute) ``seconds`` before sending it."""
        with self._lock:
            self._hangs[url] = seconds

    def _failure_for(self, url: str, host: str) -> _Failure | None:
        with self._lock:
            for key in (url, f"http://{host}/*"):
                failure = self._failures.get(key)
                if failure is None:
                    continue
                if failure.times is not None:
                    if failure.times <= 0:
                        continue
                    self._failures[key] = _Failure(
                        failure.status, failure.retry_after, failure.times - 1
                    )
                return failure
        return None

    def _last_modified(self, url: str) -> str:
        with self._lock:
            return self._modified.get(url, _LAST_MODIFIED)

    def _note_conditional(self, entry: ConditionalRequest) -> None:
        with self._lock:
            self.conditional.append(entry)

    @property
    def proxy_url(self) -> str:
        """The proxy to give Scrapy (setting ``NEWSDEDUP_PROXY``)."""
        return f"http://{self.host}:{self.port}"

    def sources_toml(self) -> str:
        """A sources config for the three publishers."""
        return sample_sources_toml()

    @property
    def source_names(self) -> list[str]:
        """The sources in :meth:`sources_toml`."""
        return [p.key for p in PUBLISHERS]

    @property
    def expected_article_urls(self) -> list[str]:
        """Every article a crawl must fetch (robots.txt-disallowed ones excluded)."""
        return [article_url(a) for a in ARTICLES if (a.publisher, a.slug) != DISALLOWED]

    @property
    def disallowed_urls(self) -> list[str]:
        """Article URLs linked from a listing but disallowed by robots.txt."""
        return [_url_of(*DISALLOWED)]

    @property
    def seed_like_url(self) -> str:
        """The article whose intro comes back paraphrased, followed by teasers."""
        return _url_of(*SEED_LIKE)

    @property
    def syndicated(self) -> dict[str, str]:
        """Republished copy URL -> original URL."""
        copy, original = SYNDICATED
        return {_url_of(*copy): _url_of(*original)}

    def record(self, url: str) -> None:
        with self._lock:
            self.requests[url] += 1


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "newsdedup-sample/1.0"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_CONNECT(self) -> None:
        self._send(501, "text/plain", b"CONNECT (https) is not supported by the sample site\n")

    def _answer(self, with_body: bool) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            path = parts.path or "/"
            query = parts.query
        else:
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            path, _, query = target.partition("?")
        site = self.server.site
        site.record(f"http://{host}{path}" + (f"?{query}" if query else ""))
        if site.delay > 0:
            time.sleep(site.delay)  # the slow-site option: this is the server, not a test
        url = f"http://{host}{path}"
        with site._lock:
            hang = site._hangs.get(url, 0.0)
            redirect = site._redirects.get(url)
        if hang > 0:
            time.sleep(hang)  # the hanging-page option: this is the server, not a test
        if redirect is not None:
            self._send(302, "text/plain", b"moved\n", with_body, extra={"Location": redirect})
            return
        failure = site._failure_for(url, host)
        if failure is not None:
            extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            self._send(failure.status, "text/plain", b"failure\n", with_body, extra=extra)
            return
        page = site.routes.get(host, {}).get(path)
        if page is None:
            self._send(404, "text/plain; charset=utf-8", b"not found\n", with_body)
            return
        content_type, body = page
        etag = etag_of(body)
        last_modified = site._last_modified(url)
        extra = {"ETag": etag, "Last-Modified": last_modified}
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_none_match or if_modified_since:
            fresh = _not_modified(etag, last_modified, if_none_match, if_modified_since)
            site._note_conditional(
                ConditionalRequest(url, if_none_match, if_modified_since, 304 if fresh else 200)
            )
            if fresh:
                self.send_response(304)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                return
        self._send(200, content_type, body, with_body, extra=extra)

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        with_body: bool = True,
        *,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        headers = {"Last-Modified": _LAST_MODIFIED, **(extra or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the site keeps its own request counts."""


def _not_modified(
    etag: str, last_modified: str, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    if if_none_match:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    try:
        since = parsedate_to_datetime(if_modified_since or "")
        modified = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError):
        return False
    return modified <= since


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: SampleSite) -> None:
        super().__init__((site.host, site.port), _Handler)
        self.site = site


@contextmanager
def serve_sample_site(
    host: str = "127.0.0.1", port: int = 0, *, delay: float = 0.0
) -> Iterator[SampleSite]:
    """Serve the sample site in a background thread; stop it on exit.

    Args:
        host: address to bind (loopback by default).
        port: port to bind; 0 lets the OS choose a free one.
        delay: seconds every answer waits (a slow site).
    """
    site = SampleSite(host=host, port=port, routes=build_routes(), delay=delay)
    server = _Server(site)
    site.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground and print the proxy URL.

    Args:
        argv: command-line arguments; ``--write-sources PATH`` also writes the sample
            sources file there.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.server",
        description="Serve the sample site as an HTTP proxy on 127.0.0.1 (free port).",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free)")
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds every answer waits (a slow site)"
    )
    parser.add_argument(
        "--write-sources", metavar="PATH", help="write a sources file for the sample site"
    )
    args = parser.parse_args(argv)
    with serve_sample_site(port=args.port, delay=args.delay) as site:
        if args.write_sources:
            with open(args.write_sources, "w", encoding="utf-8") as handle:
                handle.write(site.sources_toml())
        print(site.proxy_url, flush=True)
        print(
            f"sample site for {', '.join(site.source_names)}; set NEWSDEDUP_PROXY to the URL "
            "above. Ctrl-C stops.",
            file=sys.stderr,
            flush=True,
        )
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
