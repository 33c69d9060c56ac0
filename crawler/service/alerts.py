"""Alert hooks: POST a JSON message to configured webhook URLs when a run goes wrong.

Setting ``NEWSDEDUP_ALERT_WEBHOOKS`` holds the URLs (separated by commas or white space;
empty: no alerts). An alert is sent for

- a run that ``failed`` (no articles, failure share over the limit, Scrapy did not finish,
  a storage failure: the reason says which): event ``run_failed``;
- a source with no successful run for longer than ``NEWSDEDUP_ALERT_SILENT_PERIODS`` of its
  schedule periods (``newsdedup schedule`` checks at every poll, once per silence):
  event ``source_silent``.

The message (``Alert.payload``) carries ``event``, ``source``, ``run_id``, ``status``,
``reason``, ``at`` (UTC, ISO 8601), ``host`` and a one-line ``text`` (so chat webhooks
that read ``text`` show it as is). Each URL is tried up to ``NEWSDEDUP_ALERT_RETRIES``
more times with exponential backoff on a connection error, a timeout
(``NEWSDEDUP_ALERT_TIMEOUT`` seconds), 429 or 5xx; a 4xx other than 429 is not retried.
A webhook that cannot be reached is logged as an ERROR; the crawl is never stopped by it.

Plain Python (urllib): no Scrapy, no SQL.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

RUN_FAILED = "run_failed"
SOURCE_SILENT = "source_silent"


def parse_urls(value: str | None) -> list[str]:
    """Webhook URLs from a setting's text (commas or white space between them).

    Raises:
        ValueError: an entry is not an http(s) URL.

    Example:
        >>> parse_urls("http://a.example/hook, https://b.example/x")
        ['http://a.example/hook', 'https://b.example/x']
    """
    urls = [part for part in (value or "").replace(",", " ").split() if part]
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"NEWSDEDUP_ALERT_WEBHOOKS: {url!r} is not an http(s) URL")
    return urls


@dataclass(frozen=True)
class Alert:
    event: str
    source: str
    reason: str
    run_id: int | None = None
    status: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        run = f" run {self.run_id}" if self.run_id is not None else ""
        what = self.status or self.event
        return f"newsdedup: source {self.source}{run} {what}: {self.reason}"

    @property
    def payload(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "reason": self.reason,
            "at": self.at.astimezone(UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "text": self.text,
            "details": dict(self.details),
        }


class WebhookError(Exception):
    """A webhook did not take the alert after every try."""


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code == 429 or exc.code >= 500
    return isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError | OSError)


def post_json(
    url: str,
    payload: Mapping[str, Any],
    *,
    retries: int = 3,
    timeout: float = 5.0,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST ``payload`` as JSON to ``url``; the HTTP status of the answer that took it.

    Raises:
        WebhookError: every try failed (the last error is the cause).
    """
    body = json.dumps(payload).encode("utf-8")
    last: BaseException | None = None
    for attempt in range(retries + 1):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "newsdedup-alerts"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return int(answer.status)
        except Exception as exc:  # the kinds are sorted by _retryable
            last = exc
            if not _retryable(exc) or attempt == retries:
                break
            sleep(backoff * (2**attempt))
    raise WebhookError(f"webhook {url}: {last}") from last


class AlertSender:
    """Sends alerts to every configured webhook, each in a background thread.

    Args:
        urls: the webhook URLs (none: every call does nothing).
        retries, timeout: per URL, as for :func:`post_json`.
    """

    def __init__(self, urls: Sequence[str], *, retries: int = 3, timeout: float = 5.0) -> None:
        self.urls = list(urls)
        self.retries = retries
        self.timeout = timeout
        self._threads: list[threading.Thread] = []

    @classmethod
    def from_settings(cls, get: Callable[[str], Any]) -> AlertSender:
        """From ``NEWSDEDUP_ALERT_*`` settings read through ``get`` (a settings lookup)."""
        return cls(
            parse_urls(get("NEWSDEDUP_ALERT_WEBHOOKS")),
            retries=int(get("NEWSDEDUP_ALERT_RETRIES")),
            timeout=float(get("NEWSDEDUP_ALERT_TIMEOUT")),
        )

    def __bool__(self) -> bool:
        return bool(self.urls)

    def send(self, alert: Alert) -> None:
        """Post ``alert`` to every URL in the background (see :meth:`wait`)."""
        for url in self.urls:
            thread = threading.Thread(
                target=self._post, args=(url, alert), name="newsdedup-alert", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _post(self, url: str, alert: Alert) -> None:
        try:
            post_json(url, alert.payload, retries=self.retries, timeout=self.timeout)
            log.info("alert %s for source %s sent to %s", alert.event, alert.source, url)
        except WebhookError as exc:
            log.error("alert %s for source %s not delivered: %s", alert.event, alert.source, exc)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the alerts sent so far (at most ``timeout`` seconds in all)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        self._threads = [t for t in self._threads if t.is_alive()]


def run_alert(
    source: str, run_id: int, status: str, reason: str | None, details: Mapping[str, Any]
) -> Alert | None:
    """The alert a closed run calls for: one for a failed run, none otherwise."""
    if status != "failed":
        return None
    return Alert(RUN_FAILED, source, reason or "failed", run_id, status, details=details)


class SilenceWatch:
    """Alerts once when a source has had no successful run for ``periods`` schedule periods.

    Args:
        periods: how many of the source's schedule periods of silence make an alert.
        sender: where alerts go.
    """

    def __init__(self, periods: float, sender: AlertSender) -> None:
        self.periods = periods
        self.sender = sender
        self._alerted: set[str] = set()

    def check(
        self,
        now: datetime,
        last_success: Mapping[str, datetime | None],
        period_of: Mapping[str, timedelta],
        since: datetime,
    ) -> list[Alert]:
        """Alerts for sources silent too long at ``now`` (naive UTC).

        Args:
            last_success: source name -> finish time of its last ``ok`` run (None: never).
            period_of: source name -> its schedule period.
            since: when watching began (a source never run counts as silent from then).
        """
        alerts: list[Alert] = []
        for name, period in period_of.items():
            last = last_success.get(name) or since
            limit = period * self.periods
            if now - last <= limit:
                self._alerted.discard(name)  # heard from again: a later silence alerts anew
                continue
            if name in self._alerted:
                continue
            self._alerted.add(name)
            alert = Alert(
                SOURCE_SILENT,
                name,
                f"no successful run for {_duration(now - last)} "
                f"(more than {self.periods:g} schedule periods of {_duration(period)})",
                details={"last_success": last_success.get(name) and last.isoformat()},
            )
            self.sender.send(alert)
            alerts.append(alert)
        return alerts


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"
