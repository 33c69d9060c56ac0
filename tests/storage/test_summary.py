"""The database summary."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.repository import (
    SourceSummary,
    Summary,
    add_duplicate_link,
    finish_run,
    start_run,
    summary,
)
from tests.storage import factories


def test_summary_of_empty_database(session: Session) -> None:
    assert summary(session) == Summary()


def test_summary_counts(session: Session) -> None:
    ledger = factories.source(session, "lowmere-ledger")
    wire = factories.source(session, "quayside-wire")
    factories.source(session, "silent-gazette")
    run = start_run(session, ledger.id)
    finish_run(session, run, "ok")
    start_run(session, wire.id)
    original, _ = factories.article(session, ledger, "https://ledger.example/a")
    copy, _ = factories.article(session, wire, "https://wire.example/a")
    factories.page(session, wire, "https://wire.example/", status="no_article")
    pairs = [
        (copy.paragraphs[1].id, original.paragraphs[1].id, "exact_cross"),
        (copy.paragraphs[2].id, original.paragraphs[2].id, "near_cross"),
        (original.paragraphs[3].id, original.paragraphs[1].id, "near_within"),
    ]
    for paragraph_id, matched_id, kind in pairs:
        add_duplicate_link(
            session,
            paragraph_id=paragraph_id,
            matched_paragraph_id=matched_id,
            kind=kind,
            method="test",
            score=0.9,
            scores={},
            params_id=None,
            run_id=None,
        )
    result = summary(session)
    n = len(factories.BLOCKS_TEXT)
    assert result == Summary(
        sources=3,
        runs=2,
        runs_by_status={"ok": 1, "running": 1},
        pages=3,
        pages_by_status={"no_article": 1, "ok": 2},
        articles=2,
        paragraphs=2 * n,
        duplicate_links=3,
        duplicates_by_kind={"exact_cross": 1, "near_cross": 1, "near_within": 1},
        per_source=[
            SourceSummary("lowmere-ledger", articles=1, paragraphs=n, duplicates=1),
            SourceSummary("quayside-wire", articles=1, paragraphs=n, duplicates=2),
            SourceSummary("silent-gazette"),
        ],
    )
    data = result.to_dict()
    assert data["per_source"][1] == {
        "name": "quayside-wire",
        "articles": 1,
        "paragraphs": n,
        "duplicates": 2,
    }


def test_rejected_flags_are_not_counted_as_duplicates(session: Session) -> None:
    """A flag an editor judged "not a duplicate" leaves the duplicate counts (the demo's
    summary and ``newsdedup stats``) and is counted apart."""
    from storage.repo.flags import list_flags

    ledger = factories.source(session, "lowmere-ledger")
    wire = factories.source(session, "quayside-wire")
    original, _ = factories.article(session, ledger, "https://ledger.example/a")
    copy, _ = factories.article(session, wire, "https://wire.example/a")
    links = [
        add_duplicate_link(
            session,
            paragraph_id=copy.paragraphs[i].id,
            matched_paragraph_id=original.paragraphs[i].id,
            kind="near_cross",
            method="test",
            score=0.9,
            scores={},
            params_id=None,
            run_id=None,
        )
        for i in (1, 2)
    ]
    assert summary(session).duplicate_links == 2
    session.flush()
    from sqlalchemy import select

    from storage.models import DuplicateLink

    rejected = session.scalars(select(DuplicateLink).order_by(DuplicateLink.id)).first()
    assert rejected is not None and len(links) == 2
    rejected.review_state = "not_duplicate"
    session.flush()
    after = summary(session)
    assert after.duplicate_links == 1 and after.duplicates_rejected == 1
    assert after.duplicates_by_kind == {"near_cross": 1}
    assert sum(s.duplicates for s in after.per_source) == 1
    assert rejected.id not in {f.id for f in list_flags(session)}
    assert rejected.id in {f.id for f in list_flags(session, include_rejected=True)}
