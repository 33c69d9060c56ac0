"""SQLAlchemy 2 typed models. Every change here needs an Alembic migration.

Times are stored as naive UTC datetimes. Scraped text is stored as given and only ever
bound as a parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Naive UTC now: the project's storage convention."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


class Source(Base):
    """A configured source (publisher). Rows mirror config/sources.toml by name."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    domains: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CrawlRun(Base):
    """One crawl of one source."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | ok | failed | interrupted
    status: Mapped[str] = mapped_column(String(20), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    pid: Mapped[int | None] = mapped_column(Integer)  # process that ran it
    host: Mapped[str | None] = mapped_column(String(255))  # machine of that process
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_updated: Mapped[int] = mapped_column(default=0)
    articles_unchanged: Mapped[int] = mapped_column(default=0)
    paragraphs: Mapped[int] = mapped_column(default=0)
    # counters by kind, e.g. {"near_within": 1}, {"no_article": 2}, {"200": 14}
    duplicates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    http_statuses: Mapped[dict[str, Any]] = mapped_column(default=dict)

    source: Mapped[Source] = relationship()


class CrawlProblem(Base):
    """A bad input met by a run: a feed, sitemap or robots.txt that could not be read, a
    redirect loop, a timeout, a refused request, an HTTP error. One row per (run, URL, kind):
    a URL retried three times is one problem, ``attempts`` counts the sightings."""

    __tablename__ = "crawl_problems"
    __table_args__ = (UniqueConstraint("run_id", "url", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    # feed | sitemap | listing | robots | redirect_loop | timeout | refused | dns | http | ...
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Page(Base):
    """A fetched URL, with its raw body (zlib-compressed) and extraction outcome."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # normalised
    final_url: Mapped[str | None] = mapped_column(String(2048))
    http_status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    lastmod: Mapped[str | None] = mapped_column(String(64))  # feed/sitemap lastmod last seen
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    extraction_status: Mapped[str] = mapped_column(String(20))
    extraction_reason: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)


class Article(Base):
    """An extracted article: one per page whose extraction succeeded."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    site_name: Mapped[str | None] = mapped_column(Text)
    credit: Mapped[str | None] = mapped_column(Text)
    credit_url: Mapped[str | None] = mapped_column(String(2048))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)

    source: Mapped[Source] = relationship()
    paragraphs: Mapped[list[Paragraph]] = relationship(
        back_populates="article", order_by="Paragraph.position", cascade="all, delete-orphan"
    )


class Paragraph(Base):
    """One body block of an article, in order. ``norm_hash`` is the exact-repeat key."""

    __tablename__ = "paragraphs"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # paragraph | heading | list_item | ...
    text: Mapped[str] = mapped_column(Text)
    norm_hash: Mapped[str] = mapped_column(String(64), index=True)

    article: Mapped[Article] = relationship(back_populates="paragraphs")


class DedupParamSet(Base):
    """The parameters that made a set of signatures (seed, num_perm, scheme, shingling)."""

    __tablename__ = "dedup_params"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    params: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ParagraphSignature(Base):
    """A paragraph's MinHash signature, tied to the parameters that made it."""

    __tablename__ = "paragraph_signatures"

    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), primary_key=True
    )
    params_id: Mapped[int] = mapped_column(ForeignKey("dedup_params.id"), index=True)
    hashvalues: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: too short, exact only


class DuplicateLink(Base):
    """Paragraph ``paragraph_id`` repeats ``matched_paragraph_id`` (the earlier one).

    kind: exact_within | near_within | exact_cross | near_cross | boilerplate
    """

    __tablename__ = "duplicate_links"
    __table_args__ = (
        UniqueConstraint("paragraph_id", "matched_paragraph_id"),
        Index("ix_duplicate_links_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey("paragraphs.id", ondelete="CASCADE"))
    matched_paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(50))
    score: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params_id: Mapped[int | None] = mapped_column(ForeignKey("dedup_params.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # pending | duplicate | not_duplicate | boilerplate
    review_state: Mapped[str] = mapped_column(
        String(20), default="pending", server_default="pending", index=True
    )
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(Text)


class Cluster(Base):
    """A verified group of syndicated copies of one story, with its chosen original."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    original_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    original_reason: Mapped[str | None] = mapped_column(Text)
    # set when an editor chose the original: automatic choice must not override it
    original_chosen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[ClusterMember]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan"
    )


class ClusterMember(Base):
    """An article in a cluster; ``share_matched`` is its share of paragraphs matched."""

    __tablename__ = "cluster_members"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    share_matched: Mapped[float] = mapped_column(Float)
    is_original: Mapped[bool] = mapped_column(Boolean, default=False)

    cluster: Mapped[Cluster] = relationship(back_populates="members")


class ClusterOriginalChange(Base):
    """One change of a cluster's original, automatic or by an editor: the new choice, the
    earlier one, the reason and the rule that decided. Append-only."""

    __tablename__ = "cluster_original_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    previous_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    previous_reason: Mapped[str | None] = mapped_column(Text)
    # only_member | canonical_link | credit_line | published_date | contains_copies |
    # stable_key | editor | merged
    rule: Mapped[str] = mapped_column(String(30))
    chosen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SiteBoilerplate(Base):
    """A paragraph that recurs on many pages of one source: that site's boilerplate."""

    __tablename__ = "site_boilerplate"
    __table_args__ = (UniqueConstraint("source_id", "norm_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    norm_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(default=0)  # on how many pages it was seen
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ArticleVersion(Base):
    """An earlier version of an article, kept when a later fetch changed its text."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    blocks: Mapped[list[str]] = mapped_column(default=list)  # [[kind, text], ...]
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    seen_from: Mapped[datetime] = mapped_column(DateTime)  # first_seen of that version
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ScheduleState(Base):
    """When the scheduler last started, and next owes, a crawl of a source."""

    __tablename__ = "schedule_state"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime)


class User(Base):
    """An account of the review web app. role: editor | viewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """A logged-in browser session; ``id`` is the SHA-256 of the cookie's token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AuditLog(Base):
    """Append-only record of every decision: who, when, what. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SuppressedPair(Base):
    """Two paragraph texts (by normalised hash, ``hash_a`` < ``hash_b``) judged not to be
    duplicates: later crawls never flag the pair again."""

    __tablename__ = "suppressed_pairs"
    __table_args__ = (UniqueConstraint("hash_a", "hash_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hash_a: Mapped[str] = mapped_column(String(64))
    hash_b: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    """A read-only API token for downstream tools; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed login, kept for throttling: by the name tried and the client's address.

    Rows older than the throttle window are deleted; the audit log keeps the record."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_name_at", "name", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
