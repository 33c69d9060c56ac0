"""Accounts of the review web app and their login sessions.

Passwords arrive here already hashed (see :mod:`webapp.review.passwords`); session
tokens arrive as their SHA-256, never as the token itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import User, WebSession, utcnow

ROLES = ("editor", "viewer")


class UserError(ValueError):
    """A user operation that cannot be done, with a message naming what and why."""


def get_user(session: Session, name: str) -> User | None:
    """The account called ``name``, or None."""
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def require_user(session: Session, name: str) -> User:
    """The account called ``name``.

    Raises:
        UserError: there is no such account.
    """
    user = get_user(session, name)
    if user is None:
        raise UserError(f"no user called {name!r}")
    return user


def add_user(session: Session, name: str, password_hash: str, role: str) -> User:
    """Create an account.

    Args:
        session: the session (flushed, not committed).
        name: the login name (1-100 characters, no surrounding spaces).
        password_hash: the encoded password hash.
        role: ``editor`` (may decide) or ``viewer`` (may read).

    Raises:
        UserError: the name is empty, too long or taken, or the role is unknown.
    """
    if not name or name != name.strip() or len(name) > 100:
        raise UserError(f"invalid user name {name!r}: 1-100 characters, no surrounding spaces")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    if get_user(session, name) is not None:
        raise UserError(f"a user called {name!r} already exists")
    user = User(name=name, password_hash=password_hash, role=role, disabled=False)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by name."""
    return list(session.scalars(select(User).order_by(User.name)).all())


def set_password_hash(session: Session, user: User, password_hash: str) -> None:
    """Replace the user's password hash and end all of their sessions."""
    user.password_hash = password_hash
    end_user_sessions(session, user.id)
    session.flush()


def set_disabled(session: Session, user: User, disabled: bool) -> None:
    """Disable (ending all of their sessions) or re-enable an account."""
    user.disabled = disabled
    if disabled:
        end_user_sessions(session, user.id)
    session.flush()


def create_web_session(
    session: Session, user: User, token_hash: str, csrf_token: str, expires_at: datetime
) -> WebSession:
    """Store a login session keyed by the SHA-256 of its cookie token."""
    row = WebSession(
        id=token_hash,
        user_id=user.id,
        csrf_token=csrf_token,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def live_web_session(
    session: Session, token_hash: str, now: datetime | None = None
) -> tuple[WebSession, User] | None:
    """The unexpired session with this token hash and its enabled user, or None."""
    now = now or utcnow()
    row = session.execute(
        select(WebSession, User)
        .join(User, WebSession.user_id == User.id)
        .where(WebSession.id == token_hash, WebSession.expires_at > now, User.disabled.is_(False))
    ).one_or_none()
    if row is None:
        return None
    web_session, user = row
    return web_session, user


def end_web_session(session: Session, token_hash: str) -> None:
    """Delete one login session (logout)."""
    session.execute(delete(WebSession).where(WebSession.id == token_hash))


def end_user_sessions(session: Session, user_id: int) -> None:
    """Delete every login session of a user."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired_sessions(session: Session, now: datetime | None = None) -> int:
    """Delete expired login sessions; returns how many."""
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)
