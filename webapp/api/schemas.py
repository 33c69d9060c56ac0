"""Pydantic response models of the read API: they make the OpenAPI schema precise.

Every datetime is UTC and carries the ``Z`` suffix (the database stores naive UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

DuplicateStatus = Literal["canonical", "copy", "has_flags", "clean"]
RunStatus = Literal["running", "ok", "failed", "interrupted"]


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ArticleOut(_Model):
    """An article's metadata and duplicate status (without its text)."""

    id: int
    source: str = Field(description="the source's configured name")
    url: str
    canonical_url: str | None
    title: str | None
    authors: list[str]
    published_at: UtcDatetime | None
    updated_at: UtcDatetime | None
    language: str | None
    site_name: str | None
    credit: str | None = Field(description="the credit line naming the original publisher")
    credit_url: str | None
    version: int = Field(description="1, plus one for each change of the text")
    first_seen_at: UtcDatetime
    last_seen_at: UtcDatetime
    cluster_id: int | None = Field(description="the syndication cluster, if any")
    is_canonical: bool = Field(description="in no cluster, or its cluster's original")
    paragraph_count: int
    duplicate_paragraphs: int = Field(
        description="paragraphs with at least one flag not reviewed as not_duplicate"
    )


class FlagOut(_Model):
    """A duplicate flag: this paragraph repeats ``matched_paragraph_id`` (an earlier one)."""

    id: int
    kind: str = Field(description="exact_within | near_within | exact_cross | near_cross | ...")
    method: str
    score: float
    review_state: str = Field(description="pending | duplicate | not_duplicate | boilerplate")
    matched_paragraph_id: int
    matched_article_id: int
    matched_position: int


class ParagraphOut(_Model):
    id: int
    position: int
    kind: str = Field(description="paragraph | heading | list_item | ...")
    text: str
    flags: list[FlagOut]


class ArticleDetailOut(ArticleOut):
    """An article with its text and its paragraphs in reading order, with their flags."""

    text: str
    paragraphs: list[ParagraphOut]


class ClusterMemberOut(_Model):
    article_id: int
    source: str
    url: str
    title: str | None
    published_at: UtcDatetime | None
    share_matched: float = Field(description="share of the article's paragraphs matched")
    is_original: bool


class ClusterOut(_Model):
    """A syndication cluster: copies of one story and the chosen original."""

    id: int
    original_article_id: int | None
    original_reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    member_count: int


class ClusterDetailOut(ClusterOut):
    members: list[ClusterMemberOut]


class SourceOut(_Model):
    id: int
    name: str
    domains: list[str]
    created_at: UtcDatetime
    article_count: int


class RunOut(_Model):
    """One crawl of one source, with its counters."""

    id: int
    source: str
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    status: str
    message: str | None
    trigger: str
    pages_fetched: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    paragraphs: int
    duplicates: dict[str, int]
    errors: dict[str, int]
    http_statuses: dict[str, int]


class RunProblemOut(_Model):
    """A bad input a run met: one per URL and kind (a URL tried three times is one)."""

    url: str
    kind: str = Field(
        description="feed, sitemap, listing, robots, robots_forbidden, "
        "redirect_loop, timeout, refused, dns, connection, http or error"
    )
    reason: str
    attempts: int
    first_seen_at: UtcDatetime
    last_seen_at: UtcDatetime


class RunProblemList(_Model):
    run_id: int
    items: list[RunProblemOut]


class ArticlePage(_Model):
    items: list[ArticleOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")


class ClusterPage(_Model):
    items: list[ClusterOut]
    next_cursor: str | None


class SourcePage(_Model):
    items: list[SourceOut]
    next_cursor: str | None


class RunPage(_Model):
    items: list[RunOut]
    next_cursor: str | None


class ErrorOut(BaseModel):
    detail: str
