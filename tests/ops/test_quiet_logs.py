"""Quiet logs: Scrapy's banner and bookkeeping only with -v; warnings always."""

from __future__ import annotations

import logging

import pytest

from crawler.service.logs import BANNER_LOGGERS, QuietBanner


def _record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "message", None, None)


@pytest.mark.parametrize("name", BANNER_LOGGERS)
def test_banner_info_is_dropped_and_its_warnings_kept(name: str) -> None:
    quiet = QuietBanner()
    assert not quiet.filter(_record(name, logging.INFO))
    assert quiet.filter(_record(name, logging.WARNING))
    assert quiet.filter(_record(name, logging.ERROR))


def test_the_crawls_own_lines_pass() -> None:
    quiet = QuietBanner()
    for name in ("crawler.service.runner", "crawler.service.progress", "scrapy.core.scraper.x"):
        assert quiet.filter(_record(name, logging.INFO))
    # a logger whose name only starts like a quiet one is not quiet
    assert quiet.filter(_record("scrapy.crawlers", logging.INFO))
