"""What the database knows for monitoring, as plain data (rendered as Prometheus metrics
by :mod:`crawler.service.metrics`). A handful of aggregate queries: cheap enough to run at
every scrape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (
    Article,
    CrawlProblem,
    CrawlRun,
    DuplicateLink,
    Page,
    ParagraphSignature,
    Source,
)


@dataclass
class MetricsSnapshot:
    articles: int = 0
    pages_by_extraction: dict[str, int] = field(default_factory=dict)
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)  # editors' "no" left out
    index_paragraphs: int = 0
    runs_by_source_status: dict[tuple[str, str], int] = field(default_factory=dict)
    last_success: dict[str, datetime] = field(default_factory=dict)
    last_duration: dict[str, float] = field(default_factory=dict)  # seconds, last finished run
    problems_by_kind: dict[str, int] = field(default_factory=dict)


def last_success(session: Session) -> dict[str, datetime]:
    """Source name -> finish time of its last ``ok`` run (sources never ok left out)."""
    return {
        str(name): when
        for name, when in session.execute(
            select(Source.name, func.max(CrawlRun.finished_at))
            .join(CrawlRun, CrawlRun.source_id == Source.id)
            .where(CrawlRun.status == "ok")
            .group_by(Source.name)
        )
        if when is not None
    }


def metrics_snapshot(session: Session) -> MetricsSnapshot:
    """Counts for monitoring: articles, pages by extraction status, live duplicate flags by
    kind, indexed paragraphs, runs by source and status, each source's last success and
    last run duration, recorded bad inputs by kind."""
    snap = MetricsSnapshot()
    snap.articles = int(session.scalar(select(func.count()).select_from(Article)) or 0)
    snap.pages_by_extraction = {
        str(status): int(n)
        for status, n in session.execute(
            select(Page.extraction_status, func.count()).group_by(Page.extraction_status)
        )
    }
    snap.duplicates_by_kind = {
        str(kind): int(n)
        for kind, n in session.execute(
            select(DuplicateLink.kind, func.count())
            .where(DuplicateLink.review_state != "not_duplicate")
            .group_by(DuplicateLink.kind)
        )
    }
    snap.index_paragraphs = int(
        session.scalar(select(func.count()).select_from(ParagraphSignature)) or 0
    )
    runs = select(Source.name, CrawlRun.status, func.count()).join(
        CrawlRun, CrawlRun.source_id == Source.id
    )
    snap.runs_by_source_status = {
        (str(name), str(status)): int(n)
        for name, status, n in session.execute(runs.group_by(Source.name, CrawlRun.status))
    }
    snap.last_success = last_success(session)
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .where(CrawlRun.finished_at.is_not(None))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    for name, started, finished in session.execute(
        select(Source.name, CrawlRun.started_at, CrawlRun.finished_at)
        .join(latest, latest.c.run_id == CrawlRun.id)
        .join(Source, Source.id == CrawlRun.source_id)
    ):
        if started is not None and finished is not None:
            snap.last_duration[str(name)] = max(0.0, (finished - started).total_seconds())
    snap.problems_by_kind = {
        str(kind): int(n)
        for kind, n in session.execute(
            select(CrawlProblem.kind, func.count()).group_by(CrawlProblem.kind)
        )
    }
    return snap
