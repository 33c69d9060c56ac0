"""Failed logins of the review app, for throttling by account name and by address.

A name (or an address) with ``limit`` failures inside the window is locked until
``lockout`` after its latest failure; one more failure after that locks it again. A
successful login clears the failures of its name. Every failure is also audited by the
caller (:mod:`storage.repo.audit`); rows here are only working state and are purged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import LoginFailure, utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures lock a name or an address, within which window, for how long."""

    max_per_name: int = 5
    max_per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=5)


def locked_for(
    session: Session,
    name: str,
    address: str,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> int | None:
    """Seconds until ``name`` and ``address`` may try again, or None if neither is locked.

    Example: with the default policy, five failures for "edna" within 15 minutes lock
    "edna" (from any address) for 5 minutes after the fifth.
    """
    now = now or utcnow()
    since = now - policy.window
    waits: list[float] = []
    checks = (
        (LoginFailure.name, name, policy.max_per_name),
        (LoginFailure.address, address, policy.max_per_address),
    )
    for column, value, limit in checks:
        count, latest = session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                column == value, LoginFailure.at >= since
            )
        ).one()
        if latest is None or int(count) < limit:
            continue
        remaining = (latest + policy.lockout - now).total_seconds()
        if remaining > 0:
            waits.append(remaining)
    return math.ceil(max(waits)) if waits else None


def record_failure(
    session: Session, name: str, address: str, now: datetime | None = None
) -> LoginFailure:
    """Store one failed login (flushed, not committed)."""
    row = LoginFailure(at=now or utcnow(), name=name[:100], address=address[:64])
    session.add(row)
    session.flush()
    return row


def clear_name(session: Session, name: str) -> None:
    """Forget the failures of ``name`` (after it logged in)."""
    session.execute(delete(LoginFailure).where(LoginFailure.name == name))


def purge(session: Session, policy: ThrottlePolicy, now: datetime | None = None) -> int:
    """Delete failures older than the window; returns how many."""
    before = (now or utcnow()) - policy.window - policy.lockout
    result = session.execute(delete(LoginFailure).where(LoginFailure.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
