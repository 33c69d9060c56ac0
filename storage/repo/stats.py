"""Counts over the whole database, for ``newsdedup stats`` and the demo's summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, DuplicateLink, Page, Paragraph, Source


@dataclass(frozen=True)
class SourceSummary:
    """Counts for one source. ``duplicates``: links from its paragraphs to earlier ones."""

    name: str
    articles: int = 0
    paragraphs: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class Summary:
    """Totals over the database."""

    sources: int = 0
    runs: int = 0
    runs_by_status: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    pages_by_status: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    paragraphs: int = 0
    duplicate_links: int = 0
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    per_source: list[SourceSummary] = field(default_factory=list)
    duplicates_rejected: int = 0  # flags editors judged "not a duplicate" (not counted above)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data."""
        return asdict(self)


def summary(session: Session) -> Summary:
    """Count sources, runs, pages by extraction status, articles, paragraphs, duplicate
    links by kind, and per source (by name) its articles, paragraphs and duplicates.

    Flags that editors judged "not a duplicate" are not counted as duplicates; their
    number is ``duplicates_rejected``."""
    runs_by_status = _grouped(session, CrawlRun.status)
    pages_by_status = _grouped(session, Page.extraction_status)
    live = DuplicateLink.review_state != "not_duplicate"
    duplicates_by_kind = _grouped(session, DuplicateLink.kind, live)
    rejected = int(session.scalar(select(func.count(DuplicateLink.id)).where(~live)) or 0)

    articles_by_source = _pairs(
        session.execute(
            select(Article.source_id, func.count(Article.id)).group_by(Article.source_id)
        )
    )
    paragraphs_by_source = _pairs(
        session.execute(
            select(Article.source_id, func.count(Paragraph.id))
            .join(Paragraph, Paragraph.article_id == Article.id)
            .group_by(Article.source_id)
        )
    )
    duplicates_by_source = _pairs(
        session.execute(
            select(Article.source_id, func.count(DuplicateLink.id))
            .join(Paragraph, Paragraph.id == DuplicateLink.paragraph_id)
            .join(Article, Article.id == Paragraph.article_id)
            .where(live)
            .group_by(Article.source_id)
        )
    )
    per_source = [
        SourceSummary(
            name=name,
            articles=articles_by_source.get(source_id, 0),
            paragraphs=paragraphs_by_source.get(source_id, 0),
            duplicates=duplicates_by_source.get(source_id, 0),
        )
        for source_id, name in session.execute(select(Source.id, Source.name).order_by(Source.name))
    ]
    return Summary(
        sources=len(per_source),
        runs=sum(runs_by_status.values()),
        runs_by_status=runs_by_status,
        pages=sum(pages_by_status.values()),
        pages_by_status=pages_by_status,
        articles=_count(session, Article.id),
        paragraphs=_count(session, Paragraph.id),
        duplicate_links=sum(duplicates_by_kind.values()),
        duplicates_by_kind=duplicates_by_kind,
        per_source=per_source,
        duplicates_rejected=rejected,
    )


def _pairs(rows: Any) -> dict[int, int]:
    return {int(key): int(value) for key, value in rows}


def _count(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.count(column))) or 0)


def _grouped(session: Session, column: Any, *where: Any) -> dict[str, int]:
    stmt = select(column, func.count()).where(*where).group_by(column).order_by(column)
    rows = session.execute(stmt)
    return {str(key): int(count) for key, count in rows}
