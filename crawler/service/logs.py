"""Quiet logs: at the default level a crawl says one line per source start and end, plus
progress and what went wrong; Scrapy's start-up banner, settings dump, component lists,
per-minute stats and closing stats dump appear only with ``-v``."""

from __future__ import annotations

import logging

#: Loggers whose INFO records are Scrapy's banner and bookkeeping, not news.
BANNER_LOGGERS = (
    "scrapy.utils.log",  # "Scrapy N started", versions
    "scrapy.addons",  # enabled add-ons
    "scrapy.crawler",  # overridden settings
    "scrapy.middleware",  # enabled extensions, middlewares, pipelines
    "scrapy.extensions.telnet",
    "scrapy.extensions.logstats",  # "Crawled N pages" (newsdedup's progress says more)
    "scrapy.extensions.remote_control",
    "scrapy.statscollectors",  # the closing stats dump
    "scrapy.core.engine",  # spider opened / closing / closed (the runner says it per source)
)


class QuietBanner(logging.Filter):
    """Drop INFO (and lower) records of :data:`BANNER_LOGGERS`; warnings always pass.

    Example:
        >>> record = logging.LogRecord("scrapy.crawler", logging.INFO, "", 0, "x", None, None)
        >>> QuietBanner().filter(record)
        False
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == quiet or name.startswith(quiet + ".") for quiet in BANNER_LOGGERS)


def quiet_banner() -> None:
    """Install :class:`QuietBanner` on the root logger's handlers (the CLI, without ``-v``)."""
    quiet = QuietBanner()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, QuietBanner) for f in handler.filters):
            handler.addFilter(quiet)
