"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

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


def _failed(db: DbSession, name: str, address: str, user_id: int | None, reason: str) -> None:
    """Audit a failed login (committed with the caller's session)."""
    append_audit(
        db,
        user_id=None,
        action="login_failed",
        target_type="user",
        target_id=user_id,
        details={"name": name, "address": address, "reason": reason},
    )


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
    wait = repo_logins.locked_for(db, name, address, policy)
    if wait is not None:
        _failed(db, name, address, None, "throttled")
        db.commit()
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
        repo_logins.purge(db, policy)
        repo_logins.record_failure(db, name, address)
        _failed(db, name, address, user.id if user else None, reason)
        db.commit()
        return _login_page(request, safe_next(next), "Wrong name or password.", 401)
    repo_logins.clear_name(db, name)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    repo_users.purge_expired_sessions(db)
    token, _row = start_session(db, user)
    db.commit()
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
