"""The review app's settings, read through :func:`crawler.settings.get` on each use."""

from __future__ import annotations

from datetime import timedelta

from crawler import settings
from storage.repo.logins import ThrottlePolicy

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


def _positive(name: str, default: float) -> float:
    try:
        value = float(settings.get(name))
    except ValueError:
        return default
    return value if 0 < value < 10**7 else default


def throttle_policy() -> ThrottlePolicy:
    """Login throttling from ``NEWSDEDUP_LOGIN_*`` (bad values: the defaults)."""
    return ThrottlePolicy(
        max_per_name=int(_positive("NEWSDEDUP_LOGIN_MAX_FAILURES", 5)),
        max_per_address=int(_positive("NEWSDEDUP_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)),
        window=timedelta(seconds=_positive("NEWSDEDUP_LOGIN_WINDOW", 900)),
        lockout=timedelta(seconds=_positive("NEWSDEDUP_LOGIN_LOCKOUT", 300)),
    )
