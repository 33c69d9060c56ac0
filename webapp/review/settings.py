"""The review app's settings, read through :func:`crawler.settings.get` on each use."""

from __future__ import annotations

from crawler import settings

COOKIE_NAME = "newsdedup_session"
LOGIN_CSRF_COOKIE = "newsdedup_login_csrf"


def cookie_secure() -> bool:
    """Whether cookies carry the Secure flag (``NEWSDEDUP_COOKIE_SECURE``)."""
    value = settings.get("NEWSDEDUP_COOKIE_SECURE").strip().lower()
    return value in ("1", "true", "yes", "on")


def session_hours() -> float:
    """How long a login lasts (``NEWSDEDUP_SESSION_HOURS``, default 8; bad values: 8)."""
    try:
        hours = float(settings.get("NEWSDEDUP_SESSION_HOURS"))
    except ValueError:
        return 8.0
    return hours if 0 < hours <= 24 * 30 else 8.0
