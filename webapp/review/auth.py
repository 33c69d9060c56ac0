"""Login sessions: a random cookie token whose SHA-256 keys a ``web_sessions`` row, and
the dependencies that require a login or the editor role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from storage.models import User, WebSession, utcnow
from storage.repo import users as repo_users
from webapp.deps import db_session
from webapp.review import settings
from webapp.review.errors import LoginRequired, forbidden


@dataclass(frozen=True)
class Login:
    """The logged-in user of a request and their session's CSRF token."""

    user_id: int
    name: str
    role: str
    csrf_token: str
    session_hash: str
    expires_at: datetime

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a cookie token: what ``web_sessions.id`` stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(db: Session, user: User) -> tuple[str, WebSession]:
    """Create a login session for ``user``; returns the cookie token and the row."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=settings.session_hours())
    row = repo_users.create_web_session(db, user, token_hash(token), secrets.token_hex(32), expires)
    return token, row


def set_session_cookie(response: Response, token: str) -> None:
    """Send the session cookie: HttpOnly, SameSite=Lax, Secure when configured."""
    response.set_cookie(
        settings.COOKIE_NAME,
        token,
        max_age=int(settings.session_hours() * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure(),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        settings.COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure(),
    )


def current_login(request: Request, db: Session) -> Login | None:
    """The login of this request, or None (no cookie, unknown, expired or disabled)."""
    token = request.cookies.get(settings.COOKIE_NAME)
    if not token or len(token) > 200:
        return None
    found = repo_users.live_web_session(db, token_hash(token))
    if found is None:
        return None
    web_session, user = found
    return Login(
        user_id=user.id,
        name=user.name,
        role=user.role,
        csrf_token=web_session.csrf_token,
        session_hash=web_session.id,
        expires_at=web_session.expires_at,
    )


def _here(request: Request) -> str:
    url = request.url.path
    if request.method == "GET" and request.url.query:
        url += "?" + request.url.query
    return url if request.method == "GET" else "/review"


DbSession = Annotated[Session, Depends(db_session)]


def require_login(request: Request, db: DbSession) -> Login:
    """Dependency: the login of this request; anonymous users go to the login page."""
    login = current_login(request, db)
    if login is None:
        raise LoginRequired(_here(request))
    request.state.login = login
    return login


def require_editor(login: Annotated[Login, Depends(require_login)]) -> Login:
    """Dependency: a logged-in editor; viewers get 403."""
    if not login.is_editor:
        raise forbidden(f"{login.name} is a viewer: only editors can record decisions.")
    return login


LoggedIn = Annotated[Login, Depends(require_login)]
Editor = Annotated[Login, Depends(require_editor)]
