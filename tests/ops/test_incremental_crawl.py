"""Incremental crawls of the sample site over loopback, each crawl in a subprocess:
conditional requests answered 304 store nothing new; a changed page becomes a new
version with the old one kept; a known URL whose feed lastmod did not move is not
requested at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.demo.server import serve_sample_site
from storage.db import make_engine
from storage.models import Article, ArticleVersion
from tests.ops.helpers import FEED, articles, counts, crawl, runs, sources_file

pytestmark = pytest.mark.e2e

CORRECTION = "Correction: the figures in this story were revised after publication."


def _change_first_paragraph(body: bytes) -> bytes:
    """Insert a sentence at the start of the article body's first paragraph."""
    start = max(body.find(b'class="story-body"'), body.find(b'class="post-content"'))
    assert start > 0, "article body container not found"
    at = body.index(b"<p>", start) + len(b"<p>")
    return body[:at] + CORRECTION.encode() + b" " + body[at:]


def test_second_crawl_is_conditional_and_a_changed_page_becomes_a_version(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    sources = sources_file(tmp_path, feeds=False, sitemaps=False)  # listing: no lastmod
    with serve_sample_site() as site:
        first = crawl(db, sources, site.proxy_url)
        assert first.returncode == 0, first.stderr[-3000:]
        after_first = counts(db)
        stored = articles(db)
        assert after_first["articles"] == len(stored) > 0

        second = crawl(db, sources, site.proxy_url)
        assert second.returncode == 0, second.stderr[-3000:]
        # Every stored article was asked for conditionally and answered 304.
        asked = {c.url: c for c in site.conditional}
        assert set(asked) == set(stored)
        for entry in asked.values():
            assert entry.if_none_match and entry.if_modified_since
            assert entry.status == 304
        assert counts(db) == after_first
        assert articles(db) == stored
        run = runs(db)[-1]
        assert (run.status, run.articles_new, run.articles_updated) == ("ok", 0, 0)
        assert run.articles_unchanged == len(stored)
        assert run.http_statuses.get("304") == len(stored)

        changed_url = sorted(stored)[0]
        site.set_page(changed_url, _change_first_paragraph(site.page(changed_url)))
        site.conditional.clear()
        third = crawl(db, sources, site.proxy_url)
        assert third.returncode == 0, third.stderr[-3000:]
        assert {c.url: c.status for c in site.conditional}[changed_url] == 200

    after_third = counts(db)
    assert after_third["articles"] == after_first["articles"]
    assert after_third["versions"] == 1
    run = runs(db)[-1]
    assert (run.articles_updated, run.articles_unchanged) == (1, len(stored) - 1)
    engine = make_engine(db)
    with Session(engine) as session:
        article = session.scalars(select(Article).where(Article.url == changed_url)).one()
        old = session.scalars(select(ArticleVersion)).one()
        assert article.version == 2 and CORRECTION in article.text
        assert old.article_id == article.id and old.version == 1
        assert old.text_sha256 == stored[changed_url][0] and CORRECTION not in old.text
        assert old.blocks and old.blocks[0][1] in old.text
        assert old.title == article.title and old.seen_from <= old.replaced_at
    engine.dispose()


def test_feed_lastmod_not_newer_skips_the_request(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    sources = sources_file(tmp_path, sitemaps=False, listing=False)  # feed: with dates
    with serve_sample_site() as site:
        site.fail(FEED, 503, retry_after="1", times=1)  # busy once: retried after the wait
        first = crawl(db, sources, site.proxy_url)
        assert first.returncode == 0, first.stderr[-3000:]
        assert site.requests[FEED] == 2
        stored = articles(db)
        assert stored
        fetched = {url: site.requests[url] for url in stored}
        second = crawl(db, sources, site.proxy_url)
        assert second.returncode == 0, second.stderr[-3000:]
        assert {url: site.requests[url] for url in stored} == fetched  # not requested again
        assert site.conditional == []
    run = runs(db)[-1]
    assert (run.status, run.articles_unchanged, run.pages_fetched) == ("ok", len(stored), 0)
