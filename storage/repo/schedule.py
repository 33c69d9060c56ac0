"""Scheduler state: when a source's crawl was last started and when the next is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ScheduleState


def schedule_states(session: Session) -> dict[int, ScheduleState]:
    """Every source's schedule state, by source id."""
    return {row.source_id: row for row in session.scalars(select(ScheduleState))}


def save_schedule_state(
    session: Session,
    source_id: int,
    *,
    next_due_at: datetime | None,
    last_started_at: datetime | None = None,
) -> ScheduleState:
    """Set a source's next due time, and its last start when given (flushed)."""
    row = session.get(ScheduleState, source_id)
    if row is None:
        row = ScheduleState(source_id=source_id)
        session.add(row)
    row.next_due_at = next_due_at
    if last_started_at is not None:
        row.last_started_at = last_started_at
    session.flush()
    return row
