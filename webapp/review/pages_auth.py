"""Login and logout pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from storage.db import is_busy_error, retrying
from storage.models import User
from storage.repo import logins as repo_logins
from storage.repo import users as repo_users
from storage.repo.audit import append_audit
from webapp.review import settings
from webapp.review.auth import (
    DbSession,
    LoggedIn,
    clear_session_cookie,
    current_login,
    set_session_cookie,
    start_session,
)
from webapp.review.csrf import check_csrf, check_login_csrf, new_login_token
from webapp.review.errors import HtmlRoute
from webapp.review.filters import safe_next
from webapp.review.passwords import hash_password, needs_rehash, verify_password
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)


def _login_page(
    request: Request,
    next_url: str,
    error: str | None,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response:
    token = new_login_token()
    response = render(
        request,
        "review/login.html",
        {"login": None, "csrf_token": token, "next": next_url, "error": error},
        status_code=status,
    )
    response.set_cookie(
        settings.LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/review/login",
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure(),
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _address(request: Request) -> str:
    """The client's address as the server sees it (a proxy in front: the proxy's)."""
    return (request.client.host if request.client else "") or "unknown"


def _failed(db: Session, name: str, address: str, user_id: int | None, reason: str) -> None:
    """Audit a failed login (committed with the caller's session)."""
    append_audit(
        db,
        user_id=None,
        action="login_failed",
        target_type="user",
        target_id=user_id,
        details={"name": name, "address": address, "reason": reason},
    )


def _write(factory: Any, work: Callable[[Session], object]) -> str | None:
    """Run ``work`` through :func:`storage.db.retrying`; a message when SQLite stays busy."""
    try:
        retrying(factory, work)
    except DBAPIError as exc:
        if not is_busy_error(exc):
            raise
        return "The database is busy: try again."
    return None


@router.get("/review/login", response_model=None)
def login_form(request: Request, db: DbSession, next: str = "/review") -> Response:
    """The login form (already logged in: straight on to ``next``)."""
    if current_login(request, db) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next), None, 200)


@router.post("/review/login", response_model=None)
def login_submit(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:
    """Check the password; on success start a session and go on to ``next``."""
    check_login_csrf(request.cookies.get(settings.LOGIN_CSRF_COOKIE), csrf_token)
    name, address = username.strip()[:100], _address(request)
    policy = settings.throttle_policy()
    factory = request.app.state.session_factory
    wait = repo_logins.locked_for(db, name, address, policy)
    if wait is not None:
        db.rollback()  # the request's session only read; the writes take the lock up front
        busy = _write(factory, lambda s: _failed(s, name, address, None, "throttled"))
        if busy is not None:
            return _login_page(request, safe_next(next), busy, 503)
        minutes = max(1, -(-wait // 60))
        message = (
            "Too many failed logins for this name or from this address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        return _login_page(request, safe_next(next), message, 429, {"Retry-After": str(wait)})
    user = repo_users.get_user(db, name)
    valid = verify_password(user.password_hash if user else None, password[:1024])
    if user is None or not valid or user.disabled:
        reason = "unknown name" if user is None else "disabled" if valid else "wrong password"
        failed_id = user.id if user else None
        db.rollback()

        def fail(session: Session) -> None:
            repo_logins.purge(session, policy)
            repo_logins.record_failure(session, name, address)
            _failed(session, name, address, failed_id, reason)

        busy = _write(factory, fail)
        if busy is not None:
            return _login_page(request, safe_next(next), busy, 503)
        return _login_page(request, safe_next(next), "Wrong name or password.", 401)
    rehashed = hash_password(password) if needs_rehash(user.password_hash) else None
    user_id = user.id
    db.rollback()  # the request's session only read; the writes take the lock up front

    def write(session: Session) -> str:
        repo_logins.clear_name(session, name)
        row = session.get(User, user_id)
        assert row is not None
        if rehashed is not None:
            row.password_hash = rehashed
        repo_users.purge_expired_sessions(session)
        return start_session(session, row)[0]

    try:
        token = retrying(factory, write)
    except DBAPIError as exc:
        if not is_busy_error(exc):
            raise
        return _login_page(request, safe_next(next), "The database is busy: try again.", 503)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token)
    response.delete_cookie(settings.LOGIN_CSRF_COOKIE, path="/review/login")
    return response


@router.post("/review/logout", response_model=None)
def logout(login: LoggedIn, db: DbSession, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    check_csrf(login, csrf_token)
    repo_users.end_web_session(db, login.session_hash)
    db.commit()
    response = RedirectResponse("/review/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/", response_model=None)
def home() -> Response:
    """The site's front page is the review queue."""
    return RedirectResponse("/review", status_code=303)
