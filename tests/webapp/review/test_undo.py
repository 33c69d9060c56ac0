"""Undo of an editor's last decisions (single, story, bulk), recorded in the audit log."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, DuplicateLink, SuppressedPair
from tests.webapp.review.conftest import log_in
from tests.webapp.review.seed import Seeded
from webapp.app import create_app


def states(db: Session) -> dict[int, str]:
    db.rollback()
    return dict(db.execute(select(DuplicateLink.id, DuplicateLink.review_state)).all())


def undo_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'action="/review/undo/(\d+)"', html)]


def test_undo_a_single_not_duplicate_lifts_the_suppression(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    client.post(
        f"/review/pair/{ids.near_within}/decide",
        data={"csrf_token": csrf, "decision": "not_duplicate", "note": "different"},
    )
    assert len(db.scalars(select(SuppressedPair)).all()) == 1
    recent = undo_ids(client.get("/review").text)
    assert len(recent) == 1
    response = client.post(f"/review/undo/{recent[0]}", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert states(db)[ids.near_within] == "pending"
    link = db.get(DuplicateLink, ids.near_within)
    assert link is not None and link.reviewed_by is None and link.review_note is None
    assert db.scalars(select(SuppressedPair)).all() == []
    undo = db.scalars(select(AuditLog).where(AuditLog.action == "undo")).one()
    assert undo.target_id == recent[0] and undo.details["count"] == 1
    assert undo_ids(client.get("/review").text) == []  # nothing left to undo
    again = client.post(f"/review/undo/{recent[0]}", data={"csrf_token": csrf})
    assert again.status_code == 400 and "already undone" in again.text


def test_undo_a_story_and_a_bulk_decision(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    client.post(
        f"/review/story/{ids.herald_article}/{ids.wire_article}/decide",
        data={"csrf_token": csrf, "decision": "duplicate", "expected": "2"},
    )
    page = client.get("/review").text
    boiler = re.search(r'name="story" value="(\d+-\d+)"', page)
    assert boiler is not None
    keys = re.findall(r'name="story" value="(\d+-\d+)"', page)
    client.post(
        "/review/bulk",
        data={"csrf_token": csrf, "decision": "boilerplate", "story": keys, "expected": "3"},
    )
    assert set(states(db).values()) == {"duplicate", "boilerplate"}
    bulk_undo, story_undo = undo_ids(client.get("/review?state=all").text)[:2]
    client.post(f"/review/undo/{bulk_undo}", data={"csrf_token": csrf})
    now = states(db)
    assert now[ids.near_cross] == now[ids.exact_cross] == "duplicate"
    assert now[ids.hostile] == now[ids.near_within] == now[ids.boilerplate] == "pending"
    client.post(f"/review/undo/{story_undo}", data={"csrf_token": csrf})
    assert set(states(db).values()) == {"pending"}
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["decide_story:duplicate", "bulk:boilerplate", "undo", "undo"]
    audit = client.get("/review/audit").text
    assert "Undid decision" in audit and "3 paragraphs restored" in audit


def test_undo_leaves_what_someone_decided_since(
    editor: tuple[TestClient, str], ids: Seeded, db: Session, db_url: str
) -> None:
    client, csrf = editor
    client.post(
        f"/review/story/{ids.herald_article}/{ids.wire_article}/decide",
        data={"csrf_token": csrf, "decision": "duplicate", "expected": "2"},
    )
    first = undo_ids(client.get("/review").text)[0]
    client.post(
        f"/review/pair/{ids.exact_cross}/decide",
        data={"csrf_token": csrf, "decision": "boilerplate"},
    )
    client.post(f"/review/undo/{first}", data={"csrf_token": csrf})
    now = states(db)
    assert now[ids.near_cross] == "pending" and now[ids.exact_cross] == "boilerplate"
    undo = db.scalars(select(AuditLog).where(AuditLog.action == "undo")).one()
    assert undo.details["skipped"] == [ids.exact_cross]


def test_only_your_own_decisions_can_be_undone(
    editor: tuple[TestClient, str], ids: Seeded, db_url: str
) -> None:
    client, csrf = editor
    client.post(
        f"/review/pair/{ids.near_cross}/decide", data={"csrf_token": csrf, "decision": "duplicate"}
    )
    mine = undo_ids(client.get("/review").text)[0]
    from storage.db import make_engine, make_session_factory
    from storage.repo.users import add_user
    from webapp.review.passwords import hash_password

    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        add_user(session, "otto", hash_password("another-pass-9"), "editor")
        session.commit()
    engine.dispose()
    with TestClient(create_app(db_url), follow_redirects=False) as other:
        other_csrf = log_in(other, "otto", "another-pass-9")
        assert undo_ids(other.get("/review").text) == []
        refused = other.post(f"/review/undo/{mine}", data={"csrf_token": other_csrf})
        assert refused.status_code == 400
