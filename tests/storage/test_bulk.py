"""The crawl's Core writes (storage/repo/bulk.py) write what the ORM functions write."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, DuplicateLink, Page, Paragraph
from storage.repo import boilerplate as repo_bp
from storage.repo import bulk
from storage.repo.articles import ArticleFields
from tests.storage.factories import blocks, source


def _store(session: Session, source_id: int, url: str, **changes: object) -> bulk.StoredPage:
    values: dict[str, object] = {
        "source_id": source_id,
        "url": url,
        "final_url": url,
        "http_status": 200,
        "content_type": "text/html",
        "etag": '"v1"',
        "last_modified": None,
        "lastmod": "2026-11-01",
        "body": b"<html><p>first</p></html>",
        "extraction_status": "ok",
        "extraction_reason": None,
        "run_id": None,
    }
    values.update(changes)
    return bulk.store_page(session, **values)  # type: ignore[arg-type]


def test_store_page_inserts_then_updates_keeping_first_seen_and_lastmod(session: Session) -> None:
    src = source(session)
    first = _store(session, src.id, "https://lowmere.example/a/1")
    assert first.inserted
    row = session.execute(select(Page).where(Page.id == first.id)).scalar_one()
    seen, lastmod = row.first_seen_at, row.lastmod
    assert zlib.decompress(row.raw or b"") == b"<html><p>first</p></html>"
    session.expunge_all()
    again = _store(session, src.id, "https://lowmere.example/a/1", lastmod=None, body=b"<p>2</p>")
    assert again.id == first.id and not again.inserted
    row = session.execute(select(Page).where(Page.id == first.id)).scalar_one()
    assert row.first_seen_at == seen and row.lastmod == lastmod == "2026-11-01"
    assert zlib.decompress(row.raw or b"") == b"<p>2</p>"


def test_insert_article_and_links(session: Session) -> None:
    src = source(session)
    page = _store(session, src.id, "https://lowmere.example/a/2")
    body = blocks([("paragraph", "One two three."), ("heading", "Four"), ("paragraph", "Five.")])
    fields = ArticleFields(title="T", authors=["A"], language="en-x-" + "y" * 40)
    stored = bulk.insert_article(
        session,
        page_id=page.id,
        source_id=src.id,
        url="https://lowmere.example/a/2",
        fields=fields,
        blocks=body,
        run_id=None,
    )
    assert bulk.find_article(session, "https://lowmere.example/a/2", page.id) == stored.id
    article = session.get(Article, stored.id)
    assert (
        article is not None and article.authors == ["A"] and article.language == "en-x-yyyyyyyyyyy"
    )
    rows = session.scalars(
        select(Paragraph).where(Paragraph.article_id == stored.id).order_by(Paragraph.position)
    ).all()
    assert [(p.id, p.kind, p.text) for p in rows] == [
        (p.id, p.kind, p.text) for p in stored.paragraphs
    ]
    first, _, last = stored.paragraphs
    link = bulk.LinkRow(last.id, first.id, "near_within", "minhash+jaccard", 0.7, {"j": 0.7})
    assert bulk.insert_duplicate_links(session, [link, link], params_id=None, run_id=None) == [
        True,
        False,
    ]
    assert bulk.insert_duplicate_links(session, [link], params_id=None, run_id=None) == [False]
    stored_links = session.scalars(select(DuplicateLink)).all()
    assert [(x.paragraph_id, x.review_state, x.scores) for x in stored_links] == [
        (last.id, "pending", {"j": 0.7})
    ]
    with pytest.raises(ValueError, match="itself"):
        bulk.insert_duplicate_links(
            session,
            [bulk.LinkRow(first.id, first.id, "k", "m", 1.0, {})],
            params_id=None,
            run_id=None,
        )
    facts = bulk.paragraph_facts(session, [first.id, 10**9])
    assert facts == {first.id: (first.norm_hash, stored.id, src.id)}


def test_record_occurrences_counts_pages_like_record_occurrence(session: Session) -> None:
    src = source(session)
    assert repo_bp.record_occurrences(session, src.id, {"h1": "a", "h2": "b"}) == {"h1": 2, "h2": 2}
    assert repo_bp.record_occurrences(session, src.id, {"h1": "a", "h3": "c"}) == {"h1": 3, "h3": 2}
    assert repo_bp.site_evidence(session, src.id) == {"h1": 3, "h2": 2, "h3": 2}
