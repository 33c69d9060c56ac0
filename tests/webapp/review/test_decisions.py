"""Decisions over HTTP: stored with who and when, audited, suppressed when "not a
duplicate"; refused for viewers (403), without a valid CSRF token (403) and anonymously."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, Cluster, ClusterMember, DuplicateLink, SuppressedPair
from tests.webapp.review.seed import Seeded


def decide(client: TestClient, link: int, csrf: str | None, decision: str, **extra: str) -> int:
    data = {"decision": decision, "next": "/review", **extra}
    if csrf is not None:
        data["csrf_token"] = csrf
    status: int = client.post(f"/review/pair/{link}/decide", data=data).status_code
    return status


@pytest.mark.parametrize("decision", ["duplicate", "not_duplicate", "boilerplate"])
def test_decision_is_stored_audited_and_leaves_pending_queue(
    editor: tuple[TestClient, str], ids: Seeded, db: Session, decision: str
) -> None:
    client, csrf = editor
    assert decide(client, ids.near_cross, csrf, decision, note="checked <b>by hand</b>") == 303
    link = db.get(DuplicateLink, ids.near_cross)
    assert link is not None
    assert link.review_state == decision and link.reviewed_by == ids.editor_id
    assert link.reviewed_at is not None and link.review_note == "checked <b>by hand</b>"
    audit = db.scalars(select(AuditLog)).all()
    assert [(a.action, a.target_type, a.target_id, a.user_id) for a in audit] == [
        (f"decide:{decision}", "duplicate_link", ids.near_cross, ids.editor_id)
    ]
    assert audit[0].details["previous"] == "pending"
    assert f'id="row-{ids.near_cross}"' not in client.get("/review?view=paragraphs").text
    paragraphs = client.get(f"/review?state={decision}&view=paragraphs").text
    assert f'id="row-{ids.near_cross}"' in paragraphs
    suppressed = db.scalars(select(SuppressedPair)).all()
    assert len(suppressed) == (1 if decision == "not_duplicate" else 0)
    page = client.get("/review/audit").text
    assert f"decide:{decision}" in page and "checked &lt;b&gt;by hand&lt;/b&gt;" in page


def test_changing_not_duplicate_lifts_suppression_and_audit_keeps_both(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    decide(client, ids.near_cross, csrf, "not_duplicate")
    decide(client, ids.near_cross, csrf, "duplicate")
    assert db.scalars(select(SuppressedPair)).all() == []
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["decide:not_duplicate", "decide:duplicate"]


def test_viewer_gets_403_on_every_decision(
    viewer: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = viewer
    assert decide(client, ids.near_cross, csrf, "duplicate") == 403
    bulk = client.post(
        "/review/bulk", data={"csrf_token": csrf, "decision": "duplicate", "expected": "5"}
    )
    assert bulk.status_code == 403
    original = client.post(
        f"/review/clusters/{ids.cluster}/original",
        data={"csrf_token": csrf, "article_id": str(ids.herald_article)},
    )
    assert original.status_code == 403
    assert db.scalars(select(AuditLog)).all() == []
    link = db.get(DuplicateLink, ids.near_cross)
    assert link is not None and link.review_state == "pending"


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_missing_or_wrong_csrf_is_403(
    editor: tuple[TestClient, str], ids: Seeded, db: Session, token: str | None
) -> None:
    client, _ = editor
    assert decide(client, ids.near_cross, token, "duplicate") == 403
    data = {"decision": "duplicate", "expected": "5"}
    if token is not None:
        data["csrf_token"] = token
    assert client.post("/review/bulk", data=data).status_code == 403
    data = {"article_id": str(ids.herald_article)}
    if token is not None:
        data["csrf_token"] = token
    assert client.post(f"/review/clusters/{ids.cluster}/original", data=data).status_code == 403
    assert db.scalars(select(AuditLog)).all() == []


def test_csrf_token_of_another_session_is_refused(
    editor: tuple[TestClient, str], client: TestClient, ids: Seeded, db_url: str
) -> None:
    from tests.webapp.review.conftest import log_in
    from tests.webapp.review.seed import EDITOR
    from webapp.app import create_app

    _, first_token = editor
    with TestClient(create_app(db_url), follow_redirects=False) as other:
        second_token = log_in(other, *EDITOR)
        assert second_token != first_token
        assert decide(other, ids.near_cross, first_token, "duplicate") == 403


def test_anonymous_post_goes_to_login(client: TestClient, ids: Seeded) -> None:
    response = client.post(f"/review/pair/{ids.near_cross}/decide", data={"decision": "duplicate"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/review/login")


def test_bad_decision_and_unknown_pair_are_400(editor: tuple[TestClient, str], ids: Seeded) -> None:
    client, csrf = editor
    assert decide(client, ids.near_cross, csrf, "maybe") == 400
    assert decide(client, 99999, csrf, "duplicate") == 400


def test_bulk_decides_the_selected_stories_after_a_preview(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    page = client.get("/review?kind=syndicated").text
    assert '<span class="count" id="queue-total">3</span>' in page
    herald = f"{ids.herald_article}-{ids.wire_article}"
    hostile = re.search(r'name="story" value="(\d+-\d+)"', page)
    assert hostile is not None and f'value="{herald}"' in page
    picked = [herald, hostile.group(1)]
    form = {"csrf_token": csrf, "decision": "duplicate", "kind": "syndicated", "story": picked}
    preview = client.post("/review/bulk/preview", data={**form, "note": "wire copies"})
    assert preview.status_code == 200
    assert "for <strong>3</strong> paragraphs of <strong>2</strong> stories" in preview.text
    assert db.scalars(select(AuditLog)).all() == []  # the preview changes nothing
    db.rollback()  # end the read transaction, to see what the app commits next
    stale = client.post("/review/bulk", data={**form, "expected": "2"})
    assert stale.status_code == 409
    response = client.post("/review/bulk", data={**form, "expected": "3", "note": "wire copies"})
    assert response.status_code == 303
    states = dict(db.execute(select(DuplicateLink.id, DuplicateLink.review_state)).all())
    assert states[ids.near_cross] == states[ids.exact_cross] == states[ids.hostile] == "duplicate"
    assert states[ids.near_within] == states[ids.boilerplate] == "pending"
    audit = db.scalars(select(AuditLog)).one()  # one row for the whole action
    assert audit.action == "bulk:duplicate" and audit.note == "wire copies"
    assert audit.details["count"] == 3 and sorted(audit.details["stories"]) == sorted(picked)
    assert {r["id"] for r in audit.details["links"]} == {
        ids.near_cross,
        ids.exact_cross,
        ids.hostile,
    }
    nothing = client.post("/review/bulk", data={"csrf_token": csrf, "decision": "duplicate"})
    assert nothing.status_code == 400


def test_choose_another_original(editor: tuple[TestClient, str], ids: Seeded, db: Session) -> None:
    client, csrf = editor
    page = client.get(f"/review/pair/{ids.near_cross}").text
    assert "Earliest first seen; credited by the copy." in page
    response = client.post(
        f"/review/clusters/{ids.cluster}/original",
        data={
            "csrf_token": csrf,
            "article_id": str(ids.herald_article),
            "note": "herald broke it",
            "next": f"/review/pair/{ids.near_cross}",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/review/pair/{ids.near_cross}"
    cluster = db.get(Cluster, ids.cluster)
    assert cluster is not None
    assert cluster.original_article_id == ids.herald_article
    assert cluster.original_chosen_by == ids.editor_id
    assert cluster.original_reason == "chosen by editor edna: herald broke it"
    members = {m.article_id: m.is_original for m in db.scalars(select(ClusterMember))}
    assert members == {ids.herald_article: True, ids.wire_article: False}
    audit = db.scalars(select(AuditLog)).one()
    assert (audit.action, audit.target_type, audit.target_id) == (
        "choose_original",
        "cluster",
        ids.cluster,
    )
    bad = client.post(
        f"/review/clusters/{ids.cluster}/original",
        data={"csrf_token": csrf, "article_id": "99999"},
    )
    assert bad.status_code == 400


def test_decision_keys_go_to_next_pair(editor: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = editor
    page = client.get(f"/review/pair/{ids.hostile}").text
    assert f'name="next" value="/review/pair/{ids.boilerplate}"' in page
    assert 'data-key="y"' in page and 'data-key="n"' in page and 'data-key="b"' in page
