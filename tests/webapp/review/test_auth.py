"""Login, logout, cookies, session expiry, disabled accounts and the login form's CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import WebSession, utcnow
from storage.repo import users as repo_users
from tests.webapp.review.conftest import csrf_of, log_in
from tests.webapp.review.seed import EDITOR
from webapp.app import create_app
from webapp.review.auth import token_hash


def test_login_sets_hardened_cookie_and_stores_only_token_hash(
    client: TestClient, db: Session
) -> None:
    form = client.get("/review/login?next=/review/audit")
    response = client.post(
        "/review/login",
        data={
            "username": EDITOR[0],
            "password": EDITOR[1],
            "csrf_token": csrf_of(form.text),
            "next": "/review/audit",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/review/audit"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("newsdedup_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Max-Age=28800" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    stored = db.scalars(select(WebSession.id)).all()
    assert stored == [token_hash(token)] and token not in stored


def test_secure_flag_and_session_hours_follow_settings(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDEDUP_COOKIE_SECURE", "1")
    monkeypatch.setenv("NEWSDEDUP_SESSION_HOURS", "2")
    with TestClient(
        create_app(db_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        form = client.get("/review/login")
        response = client.post(
            "/review/login",
            data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf_of(form.text)},
        )
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("newsdedup_session=")
    )
    assert "Secure" in cookie and "Max-Age=7200" in cookie


def test_wrong_password_is_refused(client: TestClient) -> None:
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": EDITOR[0], "password": "nope-nope", "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401 and "Wrong name or password" in response.text
    assert client.get("/review").status_code == 303


def test_unknown_user_is_refused_the_same_way(client: TestClient) -> None:
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": "ghost", "password": "whatever1", "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401 and "Wrong name or password" in response.text


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_login_without_matching_csrf_is_403(client: TestClient, token: str) -> None:
    client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token},
    )
    assert response.status_code == 403


def test_open_redirect_is_refused(client: TestClient) -> None:
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={
            "username": EDITOR[0],
            "password": EDITOR[1],
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/review"


def test_expired_session_goes_back_to_login(client: TestClient, db: Session) -> None:
    log_in(client, *EDITOR)
    assert client.get("/review").status_code == 200
    db.execute(update(WebSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert client.get("/review").status_code == 303


def test_disabled_user_loses_session_and_cannot_log_in(client: TestClient, db: Session) -> None:
    log_in(client, *EDITOR)
    user = repo_users.require_user(db, EDITOR[0])
    repo_users.set_disabled(db, user, True)
    db.commit()
    assert client.get("/review").status_code == 303
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf_of(form.text)},
    )
    assert response.status_code == 401


def test_logout_needs_csrf_and_ends_session(editor: tuple[TestClient, str], db: Session) -> None:
    client, csrf = editor
    assert client.post("/review/logout", data={"csrf_token": "wrong"}).status_code == 403
    response = client.post("/review/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/review/login"
    assert db.scalars(select(WebSession)).all() == []
    assert client.get("/review").status_code == 303
