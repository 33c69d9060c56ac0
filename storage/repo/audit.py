"""The audit log of editors' decisions: rows are only ever inserted, never changed.

This module deliberately offers no function that updates or deletes audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
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


def count_audit(session: Session) -> int:
    """How many audit rows there are."""
    return int(session.scalar(select(func.count()).select_from(AuditLog)) or 0)


def list_audit(session: Session, *, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Audit rows, newest first."""
    rows = session.execute(
        select(AuditLog, User.name)
        .outerjoin(User, AuditLog.user_id == User.id)
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
