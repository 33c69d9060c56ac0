"""Articles and their paragraphs, versioned by the hash of their text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Page, Paragraph, utcnow
from storage.repo.versions import keep_version

STATUS_NEW = "new"
STATUS_UPDATED = "updated"
STATUS_UNCHANGED = "unchanged"

_URL_MAX = 2048
_LANGUAGE_MAX = 16
_KIND_MAX = 20


@dataclass(frozen=True)
class ArticleFields:
    """An article's metadata as extracted. Unknown values are None.

    Datetimes may be naive (taken as UTC) or aware (converted to naive UTC on save).
    """

    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    credit: str | None = None
    credit_url: str | None = None


def get_article(session: Session, url: str) -> Article | None:
    """The article stored under ``url``, or None."""
    return session.scalars(select(Article).where(Article.url == url)).one_or_none()


def article_text(blocks: Sequence[tuple[str, str, str]]) -> str:
    """The article text stored for ``blocks``: their texts, one per line."""
    return "\n".join(text for _kind, text, _hash in blocks)


def save_article(
    session: Session,
    *,
    page: Page,
    source_id: int,
    url: str,
    fields: ArticleFields,
    blocks: Sequence[tuple[str, str, str]],
    run_id: int | None,
) -> tuple[Article, str]:
    """Store the article extracted from ``page``, keyed by ``url``.

    Args:
        session: the session (flushed, not committed).
        page: the stored page the article comes from.
        source_id: the article's source.
        url: the article's normalised URL (its key).
        fields: the extracted metadata.
        blocks: the body as ``(kind, text, norm_hash)`` in reading order.
        run_id: the crawl run, if any.

    Returns:
        The article (flushed, paragraphs with ids) and its status: ``"new"``;
        ``"updated"`` when the text changed (the old version's text, blocks, title and
        dates kept in article_versions, version bumped, old paragraphs deleted with
        their signatures and duplicate links, new ones stored); ``"unchanged"`` when the
        text hash is the same (paragraphs and their ids kept; metadata, last_seen_at and
        run_id refreshed).

    Raises:
        ValueError: ``url`` is longer than the column allows.
    """
    if len(url) > _URL_MAX:
        raise ValueError(f"article URL is {len(url)} characters long, over {_URL_MAX}: {url[:80]}…")
    text = article_text(blocks)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    now = utcnow()
    article = get_article(session, url)
    if article is None:
        article = session.scalars(select(Article).where(Article.page_id == page.id)).one_or_none()
    if article is None:
        article = Article(
            url=url,
            page_id=page.id,
            source_id=source_id,
            text=text,
            text_sha256=digest,
            version=1,
            first_seen_at=now,
            last_seen_at=now,
            run_id=run_id,
            paragraphs=_paragraphs(blocks),
        )
        _apply_fields(article, fields)
        session.add(article)
        session.flush()
        return article, STATUS_NEW

    changed = article.text_sha256 != digest
    if changed:
        keep_version(session, article)  # before anything of the old version is overwritten
    article.url = url
    article.page_id = page.id
    article.source_id = source_id
    article.last_seen_at = now
    article.run_id = run_id
    _apply_fields(article, fields)
    if not changed:
        session.flush()
        return article, STATUS_UNCHANGED

    # Delete the old paragraphs first: the new ones reuse their (article_id, position).
    article.paragraphs.clear()
    session.flush()
    article.paragraphs.extend(_paragraphs(blocks))
    article.text = text
    article.text_sha256 = digest
    article.version = (article.version or 1) + 1
    session.flush()
    return article, STATUS_UPDATED


def _paragraphs(blocks: Sequence[tuple[str, str, str]]) -> list[Paragraph]:
    return [Paragraph(**values) for values in paragraph_values(blocks)]


def paragraph_values(blocks: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The paragraph rows of ``blocks`` (position, kind cut to its column, text, hash),
    without ``article_id``: shared by the ORM and Core writers."""
    return [
        {"position": position, "kind": kind[:_KIND_MAX], "text": text, "norm_hash": norm_hash}
        for position, (kind, text, norm_hash) in enumerate(blocks)
    ]


def field_values(fields: ArticleFields) -> dict[str, Any]:
    """The article columns set from extracted metadata (URLs that do not fit dropped,
    language cut, datetimes naive UTC): shared by the ORM and Core writers."""
    return {
        "canonical_url": _url_or_none(fields.canonical_url),
        "title": fields.title,
        "authors": list(fields.authors),
        "published_at": _naive_utc(fields.published_at),
        "updated_at": _naive_utc(fields.updated_at),
        "language": fields.language[:_LANGUAGE_MAX] if fields.language else None,
        "site_name": fields.site_name,
        "credit": fields.credit,
        "credit_url": _url_or_none(fields.credit_url),
    }


def _apply_fields(article: Article, fields: ArticleFields) -> None:
    for key, value in field_values(fields).items():
        setattr(article, key, value)


def _url_or_none(url: str | None) -> str | None:
    """A scraped URL, or None if it does not fit the column (a cut URL would be wrong)."""
    return url if url and len(url) <= _URL_MAX else None


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
