"""What incremental crawls need from stored pages: their validators, and "seen again"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Page, utcnow

#: url -> (lastmod, etag, last_modified) of a stored page.
Validators = tuple[str | None, str | None, str | None]


def known_pages(session: Session, source_id: int) -> dict[str, Validators]:
    """Every stored page of a source, by normalised URL: ``(lastmod, etag, last_modified)``.

    Only pages stored from a 200 response count (a page whose last fetch failed is fetched
    again in full).
    """
    rows = session.execute(
        select(Page.url, Page.lastmod, Page.etag, Page.last_modified).where(
            Page.source_id == source_id, Page.http_status == 200
        )
    )
    return {url: (lastmod, etag, last_modified) for url, lastmod, etag, last_modified in rows}


def mark_seen(
    session: Session, url: str, *, lastmod: str | None, run_id: int | None
) -> Article | None:
    """Record that a stored page was seen again unchanged (not modified).

    Updates the page's ``lastmod`` (when given) and the article's ``last_seen_at`` and
    ``run_id``. Returns the article, or None when the page has none (or is not stored).
    """
    page = session.scalars(select(Page).where(Page.url == url)).one_or_none()
    if page is None:
        return None
    if lastmod:
        page.lastmod = lastmod[:64]
    article = session.scalars(
        select(Article).where((Article.url == url) | (Article.page_id == page.id))
    ).first()
    if article is not None:
        article.last_seen_at = utcnow()
        article.run_id = run_id
    session.flush()
    return article
