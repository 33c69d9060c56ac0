"""CSRF tokens: every state-changing form carries its session's token, checked here.

Before login there is no session, so the login form uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets

from webapp.review.auth import Login
from webapp.review.errors import forbidden


def _same(a: str, b: str) -> bool:
    """Constant-time equality that also takes non-ASCII input (compared as UTF-8)."""
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def check_csrf(login: Login, submitted: str | None) -> None:
    """Raise a 403 page unless ``submitted`` equals the session's CSRF token."""
    if not submitted or not _same(submitted, login.csrf_token):
        raise forbidden("The form's security token is missing or wrong. Reload the page.")


def new_login_token() -> str:
    """A fresh token for the login form's double-submit cookie."""
    return secrets.token_urlsafe(32)


def check_login_csrf(cookie: str | None, submitted: str | None) -> None:
    """Raise a 403 page unless the login form's token matches its cookie."""
    if not cookie or not submitted or not _same(cookie, submitted):
        raise forbidden("The login form expired or was not sent from this site. Try again.")
