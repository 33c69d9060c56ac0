"""Helpers for the operations tests: sources files for one sample publisher, crawl
subprocesses (a Twisted reactor cannot restart inside the test process), row counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import (
    Article,
    ArticleVersion,
    CrawlRun,
    DuplicateLink,
    Page,
    Paragraph,
)

ROOT = Path(__file__).resolve().parents[2]
HOST = "circuitdaily.example"
PATTERN = r"^http://circuitdaily\.example/a/[a-z0-9-]+$"
FEED = f"http://{HOST}/index.rdf"
SITEMAP = f"http://{HOST}/sitemap.xml"
LISTING = f"http://{HOST}/stories/"

#: Fast retries in tests: backoff waits (real asynchronous sleeps) capped at 0.1 s.
FAST_ENV = {"NEWSDEDUP_RETRY_MAX_DELAY": "0.1", "NEWSDEDUP_PROGRESS_INTERVAL": "1"}


def sources_file(
    directory: Path,
    *,
    feeds: bool = True,
    sitemaps: bool = True,
    listing: bool = True,
    concurrency: int = 2,
    extra: str = "",
) -> Path:
    """A sources file with the one source ``circuitdaily`` of the sample site."""
    lines = [
        "[[sources]]",
        'name = "circuitdaily"',
        f'domains = ["{HOST}"]',
        f"feeds = {[FEED] if feeds else []}".replace("'", '"'),
        f"sitemaps = {[SITEMAP] if sitemaps else []}".replace("'", '"'),
        # no sitemaps means none: not even the one the sample site's robots.txt lists
        "" if sitemaps else "robots_sitemaps = false",
        f"article_pattern = '{PATTERN}'",
        f"concurrency = {concurrency}",
        "download_delay = 0.0",
        'schedule = "*/5 * * * *"',
        extra,
    ]
    if listing:
        lines += ["[[sources.listings]]", f'url = "{LISTING}"', f"article_pattern = '{PATTERN}'"]
    path = directory / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl_command(db_url: str, sources: Path, proxy: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "--database-url",
        db_url,
        "crawl",
        "circuitdaily",
        "--sources",
        str(sources),
        "--proxy",
        proxy,
    ]


def env() -> dict[str, str]:
    return dict(os.environ, **FAST_ENV)


def crawl(db_url: str, sources: Path, proxy: str) -> subprocess.CompletedProcess[str]:
    """Run ``newsdedup crawl circuitdaily`` in a subprocess and wait for it."""
    return subprocess.run(
        crawl_command(db_url, sources, proxy),
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def counts(db_url: str) -> dict[str, int]:
    """Rows per table that a crawl fills."""
    tables = {
        "pages": Page,
        "articles": Article,
        "paragraphs": Paragraph,
        "links": DuplicateLink,
        "versions": ArticleVersion,
    }
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in tables.items()
            }
    finally:
        engine.dispose()


def runs(db_url: str) -> list[CrawlRun]:
    """Every crawl run, oldest first (detached, attributes loaded)."""
    engine = make_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    finally:
        engine.dispose()


def articles(db_url: str) -> dict[str, tuple[str, int]]:
    """url -> (text hash, version) of every stored article."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(Article.url, Article.text_sha256, Article.version))
            return {url: (digest, version) for url, digest, version in rows}
    finally:
        engine.dispose()
