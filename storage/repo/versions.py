"""Earlier versions of articles: kept when a later fetch changed an article's text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleVersion, utcnow


def keep_version(session: Session, article: Article) -> ArticleVersion:
    """Copy ``article``'s current version (text, blocks, title, dates) to article_versions.

    Call it before the article is overwritten. ``seen_from`` is when that version was
    first seen: the article's ``first_seen_at`` for version 1, else the time the version
    before it was replaced.
    """
    previous = session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    ).first()
    seen_from: datetime = previous.replaced_at if previous is not None else article.first_seen_at
    row = ArticleVersion(
        article_id=article.id,
        version=article.version or 1,
        title=article.title,
        text=article.text,
        text_sha256=article.text_sha256,
        blocks=[[p.kind, p.text] for p in article.paragraphs],
        published_at=article.published_at,
        updated_at=article.updated_at,
        seen_from=seen_from,
        replaced_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def article_versions(session: Session, article_id: int) -> list[ArticleVersion]:
    """The kept earlier versions of an article, oldest first."""
    return list(
        session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.version)
        )
    )
