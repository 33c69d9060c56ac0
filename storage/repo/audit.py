"""The audit log of editors' decisions: rows are only ever inserted, never changed.

This module deliberately offers no function that updates or deletes audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from storage.models import AuditLog, User, utcnow


def append_audit(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Append one row to the audit log (flushed, not committed).

    Args:
        session: the session.
        user_id: who acted.
        action: what was done, e.g. ``"decide:not_duplicate"``.
        target_type: what it was done to, e.g. ``"duplicate_link"`` or ``"cluster"``.
        target_id: the id of the target.
        note: the editor's note, if any.
        details: anything else worth keeping (previous state, bulk filter...).
        at: when (default now, naive UTC).
    """
    row = AuditLog(
        at=at or utcnow(),
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        note=note,
        details=dict(details or {}),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class AuditEntry:
    """One audit row with the acting user's name."""

    id: int
    at: datetime
    user: str | None
    action: str
    target_type: str
    target_id: int | None
    note: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to show; None means any."""

    user: str | None = None  # the acting user's name
    action: str | None = None  # an action, or its prefix before ":" (e.g. "decide")
    day_from: date | None = None  # on or after (UTC day)
    day_to: date | None = None  # on or before (UTC day)


def _audit_conditions(f: AuditFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.user is not None:
        conds.append(User.name == f.user)
    if f.action is not None:
        conds.append(or_(AuditLog.action == f.action, AuditLog.action.startswith(f.action + ":")))
    if f.day_from is not None:
        conds.append(AuditLog.at >= datetime.combine(f.day_from, time.min))
    if f.day_to is not None and f.day_to < date.max:
        conds.append(AuditLog.at < datetime.combine(f.day_to + timedelta(days=1), time.min))
    return conds


def count_audit(session: Session, f: AuditFilter | None = None) -> int:
    """How many audit rows match ``f`` (all of them by default)."""
    stmt = (
        select(func.count(AuditLog.id))
        .outerjoin(User, AuditLog.user_id == User.id)
        .where(*_audit_conditions(f or AuditFilter()))
    )
    return int(session.scalar(stmt) or 0)


def audit_actions(session: Session) -> list[str]:
    """The distinct action groups recorded (before any ":"), for the filter."""
    actions = session.scalars(select(AuditLog.action).distinct()).all()
    return sorted({a.split(":", 1)[0] for a in actions} | set(actions))


def list_audit(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    f: AuditFilter | None = None,
) -> list[AuditEntry]:
    """Audit rows matching ``f``, newest first."""
    rows = session.execute(
        select(AuditLog, User.name)
        .outerjoin(User, AuditLog.user_id == User.id)
        .where(*_audit_conditions(f or AuditFilter()))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            user=name,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            note=row.note,
            details=dict(row.details or {}),
        )
        for row, name in rows
    ]
