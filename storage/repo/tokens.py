"""Read-only API tokens for downstream tools. Only a token's SHA-256 is stored.

Example:
    >>> token = add_token(session, "newsletter")  # doctest: +SKIP
    >>> authenticate(session, token).name  # doctest: +SKIP
    'newsletter'
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ApiToken, utcnow

TOKEN_PREFIX = "ndt_"
NAME_MAX = 100
# last_used_at is written at most once per this interval per token (fewer writes).
LAST_USED_RESOLUTION = timedelta(seconds=60)


class TokenError(ValueError):
    """A token name is invalid, already taken, or unknown."""


def hash_token(token: str) -> str:
    """The SHA-256 (hex) stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_token(session: Session, name: str) -> str:
    """Create a token called ``name`` and return it (the only time it is visible).

    Raises:
        TokenError: the name is empty, too long, or already used (even by a revoked token).
    """
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(ch.isspace() or ch == "\x00" for ch in name):
        raise TokenError(f"token name must be 1-{NAME_MAX} characters without spaces: {name!r}")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenError(f"a token called {name!r} already exists")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=hash_token(token), created_at=utcnow()))
    session.flush()
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, revoked ones included, by name."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def revoke_token(session: Session, name: str) -> ApiToken:
    """Revoke the token called ``name`` (revoking twice keeps the first time).

    Raises:
        TokenError: no token has that name.
    """
    token = session.scalars(select(ApiToken).where(ApiToken.name == name)).one_or_none()
    if token is None:
        raise TokenError(f"no token called {name!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def live_token(session: Session, token: str) -> ApiToken | None:
    """The live (not revoked) token matching ``token``, or None. Reads only."""
    if not token or len(token) > 200:
        return None
    return session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    ).one_or_none()


def needs_touch(row: ApiToken, now: datetime | None = None) -> bool:
    """Whether the token's ``last_used_at`` is older than the resolution (a write is due)."""
    now = now or utcnow()
    return row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION


def touch_token(session: Session, token_id: int, now: datetime | None = None) -> None:
    """Set a token's ``last_used_at`` to ``now`` (flushed)."""
    row = session.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = now or utcnow()
        session.flush()


def authenticate(session: Session, token: str, now: datetime | None = None) -> ApiToken | None:
    """The live (not revoked) token matching ``token``, its ``last_used_at`` refreshed
    (at most once a minute); None if there is none."""
    row = live_token(session, token)
    if row is None:
        return None
    now = now or utcnow()
    if needs_touch(row, now):
        row.last_used_at = now
        session.flush()
    return row
