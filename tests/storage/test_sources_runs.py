"""Sources and crawl runs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import CrawlRun, Source
from storage.repository import bump, finish_run, get_or_create_source, get_source, start_run


def test_get_or_create_source_is_idempotent_and_updates_domains(session: Session) -> None:
    first = get_or_create_source(session, "quayside-wire", ["quayside.example"])
    again = get_or_create_source(session, "quayside-wire", ["quayside.example"])
    assert again.id == first.id
    moved = get_or_create_source(
        session, "quayside-wire", ["quayside.example", "news.quayside.example"]
    )
    assert moved.id == first.id
    session.flush()
    session.expire_all()
    stored = get_source(session, "quayside-wire")
    assert stored is not None
    assert stored.domains == ["quayside.example", "news.quayside.example"]
    assert session.scalar(select(func.count()).select_from(Source)) == 1
    assert get_source(session, "nobody") is None


def test_start_and_finish_run(session: Session) -> None:
    source = get_or_create_source(session, "quayside-wire", ["quayside.example"])
    run = start_run(session, source.id)
    assert run.id is not None
    assert run.status == "running"
    assert run.finished_at is None
    assert run.pages_fetched == 0
    assert run.duplicates == {}
    finish_run(session, run, "ok", "12 pages")
    session.expire_all()
    stored = session.get(CrawlRun, run.id)
    assert stored is not None
    assert stored.status == "ok"
    assert stored.message == "12 pages"
    assert stored.finished_at is not None
    assert stored.finished_at >= stored.started_at


def test_finish_run_rejects_unknown_status(session: Session) -> None:
    source = get_or_create_source(session, "quayside-wire", ["quayside.example"])
    run = start_run(session, source.id)
    with pytest.raises(ValueError, match="unknown run status 'done'"):
        finish_run(session, run, "done")


def test_bump_persists_int_and_json_counters(session: Session) -> None:
    source = get_or_create_source(session, "quayside-wire", ["quayside.example"])
    run = start_run(session, source.id)
    bump(run, "pages_fetched")
    bump(run, "pages_fetched", n=4)
    bump(run, "http_statuses", "200", 3)
    bump(run, "http_statuses", "404")
    bump(run, "duplicates", "near_within")
    session.flush()
    bump(run, "duplicates", "near_within")  # a second change after a flush
    bump(run, "errors", "no_article", 2)
    session.flush()
    session.expire_all()
    stored = session.get(CrawlRun, run.id)
    assert stored is not None
    assert stored.pages_fetched == 5
    assert stored.http_statuses == {"200": 3, "404": 1}
    assert stored.duplicates == {"near_within": 2}
    assert stored.errors == {"no_article": 2}


def test_bump_rejects_bad_fields() -> None:
    run = CrawlRun(pages_fetched=0, duplicates={})
    with pytest.raises(ValueError, match="unknown run counter 'status'"):
        bump(run, "status")
    with pytest.raises(ValueError, match="needs a key"):
        bump(run, "duplicates")
    with pytest.raises(ValueError, match="takes no key"):
        bump(run, "pages_fetched", "x")
