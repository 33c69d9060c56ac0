"""Site boilerplate rows: paragraphs that recur on many pages of one source."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, SiteBoilerplate, utcnow


def site_boilerplate(session: Session, source_id: int) -> list[SiteBoilerplate]:
    """Every recurring paragraph recorded for the source, most pages first."""
    query = (
        select(SiteBoilerplate)
        .where(SiteBoilerplate.source_id == source_id)
        .order_by(SiteBoilerplate.pages.desc(), SiteBoilerplate.id)
    )
    return list(session.scalars(query))


def record_occurrence(
    session: Session, source_id: int, norm_hash: str, text: str, pages: int = 1
) -> SiteBoilerplate:
    """Record one more page of the source on which the paragraph occurs.

    A new row starts at ``pages``: the caller passes 2 for a first repeat (the stored page
    and the new one); an existing row grows by one page."""
    row = session.scalars(
        select(SiteBoilerplate).where(
            SiteBoilerplate.source_id == source_id, SiteBoilerplate.norm_hash == norm_hash
        )
    ).one_or_none()
    if row is None:
        row = SiteBoilerplate(source_id=source_id, norm_hash=norm_hash, text=text, pages=pages)
        session.add(row)
    else:
        row.pages += 1
        row.last_seen_at = utcnow()
    session.flush()
    return row


def source_article_count(session: Session, source_id: int) -> int:
    """How many articles of the source are stored."""
    query = select(func.count()).select_from(Article).where(Article.source_id == source_id)
    return int(session.scalar(query) or 0)
