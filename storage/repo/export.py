"""Rows of the article export, streamed in batches (server-side cursor on PostgreSQL).

A row is one article with its source name, cluster, canonical flag and paragraph counts;
the canonical test is the ``canonical_articles`` view's (migration 0003), written inline so
one pass over ``articles`` computes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Article,
    ArticleVersion,
    Cluster,
    ClusterMember,
    DuplicateLink,
    Paragraph,
    Source,
)

EXPORT_COLUMNS = (
    "id",
    "source",
    "url",
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "updated_at",
    "language",
    "site_name",
    "credit",
    "credit_url",
    "version",
    "first_seen_at",
    "last_seen_at",
    "cluster_id",
    "is_canonical",
    "paragraph_count",
    "duplicate_paragraphs",
    "text",
)


def _canonical(member: Any, cluster: Any) -> ColumnElement[bool]:
    first_member = aliased(ClusterMember)
    smallest = (
        select(func.min(first_member.article_id))
        .where(first_member.cluster_id == member.cluster_id)
        .scalar_subquery()
    )
    return or_(
        member.article_id.is_(None),
        cluster.original_article_id == Article.id,
        and_(cluster.original_article_id.is_(None), Article.id == smallest),
    )


def export_query(
    *, since: datetime | None = None, canonical_only: bool = False
) -> Select[*tuple[Any, ...]]:
    """The export's SELECT, in article id order.

    Args:
        since: only articles first stored, or whose text changed, at or after this naive
            UTC time.
        canonical_only: only one article per story (see ``canonical_articles``).
    """
    member = aliased(ClusterMember)
    cluster = aliased(Cluster)
    canonical = _canonical(member, cluster)
    flagged = aliased(Paragraph)
    paragraph_count = (
        select(func.count()).where(Paragraph.article_id == Article.id).scalar_subquery()
    )
    duplicate_paragraphs = (
        select(func.count(func.distinct(DuplicateLink.paragraph_id)))
        .join(flagged, flagged.id == DuplicateLink.paragraph_id)
        .where(flagged.article_id == Article.id, DuplicateLink.review_state != "not_duplicate")
        .scalar_subquery()
    )
    query: Select[*tuple[Any, ...]] = (
        select(
            Article.id,
            Source.name.label("source"),
            Article.url,
            Article.canonical_url,
            Article.title,
            Article.authors,
            Article.published_at,
            Article.updated_at,
            Article.language,
            Article.site_name,
            Article.credit,
            Article.credit_url,
            Article.version,
            Article.first_seen_at,
            Article.last_seen_at,
            member.cluster_id.label("cluster_id"),
            case((canonical, True), else_=False).label("is_canonical"),
            paragraph_count.label("paragraph_count"),
            duplicate_paragraphs.label("duplicate_paragraphs"),
            Article.text,
        )
        .join(Source, Source.id == Article.source_id)
        .outerjoin(member, member.article_id == Article.id)
        .outerjoin(cluster, cluster.id == member.cluster_id)
        .order_by(Article.id)
    )
    if canonical_only:
        query = query.where(canonical)
    if since is not None:
        changed = exists(
            select(ArticleVersion.id).where(
                ArticleVersion.article_id == Article.id, ArticleVersion.replaced_at >= since
            )
        )
        query = query.where(or_(Article.first_seen_at >= since, changed))
    return query


def iter_export_rows(
    session: Session,
    *,
    since: datetime | None = None,
    canonical_only: bool = False,
    batch_size: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Export rows as dicts keyed by :data:`EXPORT_COLUMNS`, fetched ``batch_size`` at a
    time (memory stays flat whatever the number of articles)."""
    result = session.execute(
        export_query(since=since, canonical_only=canonical_only),
        execution_options={"yield_per": batch_size},
    )
    try:
        for row in result:
            values = row._asdict()
            values["authors"] = [str(a) for a in (values["authors"] or [])]
            values["is_canonical"] = bool(values["is_canonical"])
            yield values
    finally:
        result.close()
