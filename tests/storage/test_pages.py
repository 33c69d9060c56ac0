"""Pages: upsert by URL, compressed body."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Page
from storage.repository import get_page, page_body, start_run, upsert_page
from tests.storage import factories

URL = "https://lowmere-ledger.example/2026/cranes"


def test_upsert_page_stores_compressed_body(session: Session) -> None:
    src = factories.source(session)
    body = b"<html>" + b"harbour cranes " * 200 + b"</html>"
    page = factories.page(session, src, URL, body=body)
    assert page.id is not None
    assert page.raw is not None
    assert len(page.raw) < len(body)
    assert page.body_sha256 == hashlib.sha256(body).hexdigest()
    session.expire_all()
    stored = get_page(session, URL)
    assert stored is not None
    assert page_body(stored) == body
    assert stored.extraction_status == "ok"
    assert get_page(session, URL + "/other") is None


def test_same_page_twice_is_one_row(session: Session) -> None:
    src = factories.source(session)
    run = start_run(session, src.id)
    first = factories.page(session, src, URL, body=b"<html>first</html>")
    first_seen = first.first_seen_at
    second = factories.page(
        session, src, URL, body=b"<html>second</html>", status="no_article", run_id=run.id
    )
    assert second.id == first.id
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Page)) == 1
    stored = get_page(session, URL)
    assert stored is not None
    assert page_body(stored) == b"<html>second</html>"
    assert stored.extraction_status == "no_article"
    assert stored.extraction_reason == "no article body"
    assert stored.run_id == run.id
    assert stored.first_seen_at == first_seen
    assert stored.fetched_at >= first_seen


def test_long_values(session: Session) -> None:
    src = factories.source(session)
    with pytest.raises(ValueError, match="page URL is 2100 characters long"):
        factories.page(session, src, "https://x.example/" + "a" * 2082)
    page = upsert_page(
        session,
        source_id=src.id,
        url=URL,
        final_url="https://x.example/" + "b" * 3000,
        http_status=200,
        content_type="text/html; " + "x" * 300,
        etag=None,
        last_modified=None,
        body=b"",
        extraction_status="empty",
        extraction_reason="empty body",
        run_id=None,
    )
    assert page.final_url is None
    assert page.content_type is not None
    assert len(page.content_type) == 200
    assert page_body(page) == b""


def test_page_body_reports_corrupt_data() -> None:
    page = Page(id=7, url=URL, raw=b"not zlib")
    with pytest.raises(ValueError, match=r"page 7 .* stored body is corrupt"):
        page_body(page)
