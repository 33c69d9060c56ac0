"""Login throttling: per name and per address, HTTP 429 with Retry-After, a short lockout
that ends, and every failed login in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import AuditLog, LoginFailure, utcnow
from storage.repo import logins
from tests.webapp.review.conftest import csrf_of
from tests.webapp.review.seed import EDITOR, VIEWER


def attempt(client: TestClient, name: str, password: str) -> tuple[int, dict[str, str], str]:
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text)},
    )
    return response.status_code, dict(response.headers), response.text


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    client: TestClient, db: Session
) -> None:
    for _ in range(5):
        status, _headers, text = attempt(client, EDITOR[0], "wrong-password")
        assert status == 401 and "Wrong name or password" in text
    status, headers, text = attempt(client, EDITOR[0], EDITOR[1])
    assert status == 429
    assert 1 <= int(headers["retry-after"]) <= 300
    assert "Too many failed logins" in text
    assert "newsdedup_session=" not in headers.get("set-cookie", "")
    audit = db.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [a.action for a in audit] == ["login_failed"] * 6
    assert [a.details["reason"] for a in audit] == ["wrong password"] * 5 + ["throttled"]
    assert {a.details["name"] for a in audit} == {EDITOR[0]}
    assert audit[0].details["address"] == "testclient"
    assert audit[0].target_type == "user" and audit[0].target_id is not None


def test_other_accounts_are_not_locked_by_one_accounts_failures(client: TestClient) -> None:
    for _ in range(5):
        attempt(client, EDITOR[0], "wrong-password")
    status, _headers, _text = attempt(client, VIEWER[0], VIEWER[1])
    assert status == 303


def test_lockout_ends_and_a_good_login_clears_the_count(client: TestClient, db: Session) -> None:
    for _ in range(5):
        attempt(client, EDITOR[0], "wrong-password")
    assert attempt(client, EDITOR[0], EDITOR[1])[0] == 429
    # Six minutes later (the failures moved back in time), the lockout is over.
    db.execute(update(LoginFailure).values(at=utcnow() - timedelta(minutes=6)))
    db.commit()
    assert attempt(client, EDITOR[0], EDITOR[1])[0] == 303
    assert db.scalars(select(LoginFailure).where(LoginFailure.name == EDITOR[0])).all() == []


def test_one_address_trying_many_names_is_throttled(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDEDUP_LOGIN_MAX_FAILURES_PER_ADDRESS", "4")
    for index in range(4):
        assert attempt(client, f"nobody-{index}", "guess-guess")[0] == 401
    status, headers, _text = attempt(client, VIEWER[0], VIEWER[1])
    assert status == 429 and int(headers["retry-after"]) > 0


def test_unknown_names_are_recorded_without_a_user(client: TestClient, db: Session) -> None:
    attempt(client, "mallory", "guess-guess")
    audit = db.scalars(select(AuditLog)).one()
    assert audit.action == "login_failed" and audit.target_id is None
    assert audit.details == {"name": "mallory", "address": "testclient", "reason": "unknown name"}


def test_policy_counts_only_the_window(db: Session) -> None:
    policy = logins.ThrottlePolicy(
        max_per_name=2, window=timedelta(minutes=10), lockout=timedelta(minutes=1)
    )
    now = utcnow()
    logins.record_failure(db, "edna", "10.0.0.1", now - timedelta(minutes=12))
    logins.record_failure(db, "edna", "10.0.0.2", now - timedelta(seconds=30))
    assert logins.locked_for(db, "edna", "10.0.0.3", policy, now) is None
    logins.record_failure(db, "edna", "10.0.0.2", now - timedelta(seconds=20))
    assert logins.locked_for(db, "edna", "10.0.0.3", policy, now) == 40
    assert logins.locked_for(db, "edna", "10.0.0.3", policy, now + timedelta(seconds=41)) is None
    assert logins.purge(db, policy, now) == 1
