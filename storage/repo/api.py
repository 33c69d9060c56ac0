"""Read queries of the downstream API: articles, clusters, sources and runs, in pages.

Pages are keyset pages in id order: ``after_id`` is the last id of the previous page, and
each function fetches one row more than ``limit`` to know whether another page follows.
"Canonical" means what the ``canonical_articles`` view (migration 0003) says: an article
in no cluster, or its cluster's original. A flag counts unless an editor reviewed it as
``not_duplicate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, column, exists, func, or_, select, table
from sqlalchemy.orm import Session, aliased

from storage.models import (
    Article,
    Cluster,
    ClusterMember,
    CrawlRun,
    DuplicateLink,
    Paragraph,
    Source,
)
from storage.repo.search import matches

DUPLICATE_STATUSES = ("canonical", "copy", "has_flags", "clean")
NOT_DUPLICATE = "not_duplicate"

canonical_articles = table("canonical_articles", column("article_id"))

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and whether more follow."""

    items: list[T]
    has_more: bool


@dataclass(frozen=True)
class ArticleFilter:
    """Filters of the article list; None means no filter.

    Args:
        source: the source's name.
        published_since: published at or after (naive UTC).
        published_until: published before (naive UTC).
        language: the language code as stored, e.g. ``en``.
        status: one of :data:`DUPLICATE_STATUSES`.
        q: full-text query on title and text.
    """

    source: str | None = None
    published_since: datetime | None = None
    published_until: datetime | None = None
    language: str | None = None
    status: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class ArticleSummary:
    id: int
    source: str
    url: str
    canonical_url: str | None
    title: str | None
    authors: list[str]
    published_at: datetime | None
    updated_at: datetime | None
    language: str | None
    site_name: str | None
    credit: str | None
    credit_url: str | None
    version: int
    first_seen_at: datetime
    last_seen_at: datetime
    cluster_id: int | None
    is_canonical: bool
    paragraph_count: int
    duplicate_paragraphs: int


@dataclass(frozen=True)
class FlagInfo:
    id: int
    kind: str
    method: str
    score: float
    review_state: str
    matched_paragraph_id: int
    matched_article_id: int
    matched_position: int


@dataclass(frozen=True)
class ParagraphInfo:
    id: int
    position: int
    kind: str
    text: str
    flags: list[FlagInfo] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleDetail:
    article: ArticleSummary
    text: str
    paragraphs: list[ParagraphInfo]


@dataclass(frozen=True)
class ClusterMemberInfo:
    article_id: int
    source: str
    url: str
    title: str | None
    published_at: datetime | None
    share_matched: float
    is_original: bool


@dataclass(frozen=True)
class ClusterInfo:
    id: int
    original_article_id: int | None
    original_reason: str | None
    created_at: datetime
    updated_at: datetime
    member_count: int
    members: list[ClusterMemberInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    domains: list[str]
    created_at: datetime
    article_count: int


def live_flag() -> ColumnElement[bool]:
    """Flags that count: every review state but ``not_duplicate``."""
    return DuplicateLink.review_state != NOT_DUPLICATE


def is_canonical() -> ColumnElement[bool]:
    """True for the articles the ``canonical_articles`` view lists: in no cluster, or the
    cluster's original (its member with the smallest id while none is chosen).

    Written as correlated EXISTS tests (index lookups per article) rather than an IN over
    the view, so a filtered page stops after ``limit`` rows on large databases.
    """
    member, cluster, first = aliased(ClusterMember), aliased(Cluster), aliased(ClusterMember)
    smallest = (
        select(func.min(first.article_id))
        .where(first.cluster_id == member.cluster_id)
        .scalar_subquery()
    )
    original = exists(
        select(member.article_id)
        .join(cluster, cluster.id == member.cluster_id)
        .where(
            member.article_id == Article.id,
            or_(
                cluster.original_article_id == Article.id,
                and_(cluster.original_article_id.is_(None), Article.id == smallest),
            ),
        )
    )
    return ~in_cluster() | original


def in_cluster() -> ColumnElement[bool]:
    """True for articles that are members of a cluster."""
    return exists(select(ClusterMember.article_id).where(ClusterMember.article_id == Article.id))


def has_flags() -> ColumnElement[bool]:
    """True for articles with at least one live flag on one of their paragraphs."""
    return exists(
        select(DuplicateLink.id)
        .join(Paragraph, Paragraph.id == DuplicateLink.paragraph_id)
        .where(Paragraph.article_id == Article.id, live_flag())
    )


def filter_articles(query: Select[*Ts], dialect: str, filters: ArticleFilter) -> Select[*Ts]:
    """``query`` (over ``articles``) narrowed by ``filters``.

    Raises:
        ValueError: an unknown status; :class:`~storage.repo.search.SearchQueryError` for
            an unusable full-text query.
    """
    if filters.source is not None:
        query = query.where(
            Article.source_id.in_(select(Source.id).where(Source.name == filters.source))
        )
    if filters.published_since is not None:
        query = query.where(Article.published_at >= filters.published_since)
    if filters.published_until is not None:
        query = query.where(Article.published_at < filters.published_until)
    if filters.language is not None:
        query = query.where(Article.language == filters.language)
    if filters.status is not None:
        query = query.where(_status_condition(filters.status))
    if filters.q is not None:
        query = query.where(matches(dialect, filters.q))
    return query


def _status_condition(status: str) -> ColumnElement[bool]:
    if status == "canonical":
        return is_canonical()
    if status == "copy":
        return in_cluster() & ~is_canonical()
    if status == "has_flags":
        return has_flags()
    if status == "clean":
        return ~has_flags()
    raise ValueError(f"unknown duplicate status {status!r}; expected one of {DUPLICATE_STATUSES}")


def list_articles(
    session: Session, filters: ArticleFilter, *, after_id: int | None, limit: int
) -> Page[ArticleSummary]:
    """A page of articles matching ``filters``, in id order after ``after_id``."""
    query = select(Article, Source.name).join(Source, Source.id == Article.source_id)
    query = filter_articles(query, session.get_bind().dialect.name, filters)
    if after_id is not None:
        query = query.where(Article.id > after_id)
    rows = list(session.execute(query.order_by(Article.id).limit(limit + 1)))
    return Page(_summaries(session, rows[:limit]), len(rows) > limit)


def _summaries(session: Session, rows: Sequence[tuple[Article, str]]) -> list[ArticleSummary]:
    ids = [article.id for article, _ in rows]
    if not ids:
        return []
    canonical = set(
        session.scalars(
            select(canonical_articles.c.article_id).where(canonical_articles.c.article_id.in_(ids))
        )
    )
    clusters = dict(
        session.execute(
            select(ClusterMember.article_id, ClusterMember.cluster_id).where(
                ClusterMember.article_id.in_(ids)
            )
        ).all()
    )
    paragraphs = dict(
        session.execute(
            select(Paragraph.article_id, func.count())
            .where(Paragraph.article_id.in_(ids))
            .group_by(Paragraph.article_id)
        ).all()
    )
    flagged = dict(
        session.execute(
            select(Paragraph.article_id, func.count(func.distinct(DuplicateLink.paragraph_id)))
            .join(Paragraph, Paragraph.id == DuplicateLink.paragraph_id)
            .where(Paragraph.article_id.in_(ids), live_flag())
            .group_by(Paragraph.article_id)
        ).all()
    )
    return [
        ArticleSummary(
            id=a.id,
            source=source,
            url=a.url,
            canonical_url=a.canonical_url,
            title=a.title,
            authors=[str(x) for x in (a.authors or [])],
            published_at=a.published_at,
            updated_at=a.updated_at,
            language=a.language,
            site_name=a.site_name,
            credit=a.credit,
            credit_url=a.credit_url,
            version=a.version,
            first_seen_at=a.first_seen_at,
            last_seen_at=a.last_seen_at,
            cluster_id=clusters.get(a.id),
            is_canonical=a.id in canonical,
            paragraph_count=int(paragraphs.get(a.id, 0)),
            duplicate_paragraphs=int(flagged.get(a.id, 0)),
        )
        for a, source in rows
    ]


def get_article_detail(session: Session, article_id: int) -> ArticleDetail | None:
    """One article with its paragraphs in order, each with its flags (all review states)."""
    row = session.execute(
        select(Article, Source.name)
        .join(Source, Source.id == Article.source_id)
        .where(Article.id == article_id)
    ).first()
    if row is None:
        return None
    article, source = row
    summary = _summaries(session, [(article, source)])[0]
    matched = aliased(Paragraph)
    flags: dict[int, list[FlagInfo]] = {}
    for link, m_article, m_position in session.execute(
        select(DuplicateLink, matched.article_id, matched.position)
        .join(Paragraph, Paragraph.id == DuplicateLink.paragraph_id)
        .join(matched, matched.id == DuplicateLink.matched_paragraph_id)
        .where(Paragraph.article_id == article_id)
        .order_by(DuplicateLink.id)
    ):
        flags.setdefault(link.paragraph_id, []).append(
            FlagInfo(
                id=link.id,
                kind=link.kind,
                method=link.method,
                score=float(link.score),
                review_state=link.review_state,
                matched_paragraph_id=link.matched_paragraph_id,
                matched_article_id=int(m_article),
                matched_position=int(m_position),
            )
        )
    paragraphs = [
        ParagraphInfo(p.id, p.position, p.kind, p.text, flags.get(p.id, []))
        for p in session.scalars(
            select(Paragraph).where(Paragraph.article_id == article_id).order_by(Paragraph.position)
        )
    ]
    return ArticleDetail(summary, article.text, paragraphs)


def list_cluster_page(session: Session, *, after_id: int | None, limit: int) -> Page[ClusterInfo]:
    """A page of clusters in id order (members left out; see :func:`get_cluster`)."""
    counts = (
        select(ClusterMember.cluster_id, func.count().label("n"))
        .group_by(ClusterMember.cluster_id)
        .subquery()
    )
    query = select(Cluster, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.cluster_id == Cluster.id
    )
    if after_id is not None:
        query = query.where(Cluster.id > after_id)
    rows = list(session.execute(query.order_by(Cluster.id).limit(limit + 1)))
    items = [_cluster_info(cluster, int(n), []) for cluster, n in rows[:limit]]
    return Page(items, len(rows) > limit)


def get_cluster(session: Session, cluster_id: int) -> ClusterInfo | None:
    """One cluster with its members (oldest article first)."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        return None
    members = [
        ClusterMemberInfo(
            article_id=a.id,
            source=name,
            url=a.url,
            title=a.title,
            published_at=a.published_at,
            share_matched=float(m.share_matched),
            is_original=bool(m.is_original),
        )
        for m, a, name in session.execute(
            select(ClusterMember, Article, Source.name)
            .join(Article, Article.id == ClusterMember.article_id)
            .join(Source, Source.id == Article.source_id)
            .where(ClusterMember.cluster_id == cluster_id)
            .order_by(Article.id)
        )
    ]
    return _cluster_info(cluster, len(members), members)


def _cluster_info(cluster: Cluster, count: int, members: list[ClusterMemberInfo]) -> ClusterInfo:
    return ClusterInfo(
        id=cluster.id,
        original_article_id=cluster.original_article_id,
        original_reason=cluster.original_reason,
        created_at=cluster.created_at,
        updated_at=cluster.updated_at,
        member_count=count,
        members=members,
    )


def list_source_page(session: Session, *, after_id: int | None, limit: int) -> Page[SourceInfo]:
    """A page of sources in id order, with their article counts."""
    counts = (
        select(Article.source_id, func.count().label("n")).group_by(Article.source_id).subquery()
    )
    query = select(Source, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.source_id == Source.id
    )
    if after_id is not None:
        query = query.where(Source.id > after_id)
    rows = list(session.execute(query.order_by(Source.id).limit(limit + 1)))
    items = [
        SourceInfo(s.id, s.name, [str(d) for d in (s.domains or [])], s.created_at, int(n))
        for s, n in rows[:limit]
    ]
    return Page(items, len(rows) > limit)


def list_run_page(
    session: Session,
    *,
    after_id: int | None,
    limit: int,
    source: str | None = None,
    status: str | None = None,
) -> Page[tuple[CrawlRun, str]]:
    """A page of crawl runs (with their source's name) in id order, optionally filtered."""
    query = select(CrawlRun, Source.name).join(Source, Source.id == CrawlRun.source_id)
    if source is not None:
        query = query.where(Source.name == source)
    if status is not None:
        query = query.where(CrawlRun.status == status)
    if after_id is not None:
        query = query.where(CrawlRun.id > after_id)
    rows = [
        (run, name) for run, name in session.execute(query.order_by(CrawlRun.id).limit(limit + 1))
    ]
    return Page(rows[:limit], len(rows) > limit)
