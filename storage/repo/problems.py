"""Bad inputs a crawl run met (feeds, sitemaps, robots.txt, redirect loops, timeouts,
refused requests), one row per (run, URL, kind)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import CrawlProblem, utcnow

#: Longest reason kept; the rest is cut (reasons are error messages, not documents).
MAX_REASON = 2000


@dataclass(frozen=True)
class ProblemView:
    run_id: int
    url: str
    kind: str
    reason: str
    attempts: int
    first_seen_at: datetime
    last_seen_at: datetime


def record_problem(session: Session, run_id: int, url: str, kind: str, reason: str) -> bool:
    """Record that run ``run_id`` met ``kind`` at ``url``; True when it is new for the run.

    The same URL and kind seen again in the same run only bumps ``attempts`` and keeps the
    latest reason, so every problem counts once per URL.
    """
    reason = reason[:MAX_REASON]
    row = session.scalars(
        select(CrawlProblem).where(
            CrawlProblem.run_id == run_id, CrawlProblem.url == url, CrawlProblem.kind == kind
        )
    ).first()
    now = utcnow()
    if row is not None:
        row.attempts += 1
        row.reason = reason
        row.last_seen_at = now
        session.flush()
        return False
    session.add(
        CrawlProblem(
            run_id=run_id,
            url=url[:2048],
            kind=kind[:40],
            reason=reason,
            attempts=1,
            first_seen_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return True


def run_problems(session: Session, run_id: int, kind: str | None = None) -> list[ProblemView]:
    """The problems of a run, in the order they were first met."""
    query = select(CrawlProblem).where(CrawlProblem.run_id == run_id)
    if kind is not None:
        query = query.where(CrawlProblem.kind == kind)
    rows = session.scalars(query.order_by(CrawlProblem.first_seen_at, CrawlProblem.id))
    return [
        ProblemView(r.run_id, r.url, r.kind, r.reason, r.attempts, r.first_seen_at, r.last_seen_at)
        for r in rows
    ]


def problem_counts(session: Session, run_id: int) -> dict[str, int]:
    """Distinct problem URLs of a run, by kind."""
    rows = session.execute(
        select(CrawlProblem.kind, func.count())
        .where(CrawlProblem.run_id == run_id)
        .group_by(CrawlProblem.kind)
    )
    return {kind: int(n) for kind, n in rows}
