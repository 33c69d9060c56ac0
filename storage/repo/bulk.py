"""The crawl's hot path as SQLAlchemy Core: one statement per table per page, no ORM objects.

The crawl writer stores a page, its new article with every paragraph and the page's
duplicate links for each fetched page; built as ORM objects that is a unit of work per
page (identity map, events, one flush per step). These functions write the same rows with
Core ``INSERT``s (``executemany`` for paragraphs and links, ``RETURNING`` for ids) and
return plain values. They write exactly what :func:`storage.repo.pages.upsert_page`,
:func:`storage.repo.articles.save_article` (new article) and
:func:`storage.repo.dedup.add_duplicate_link` write; the ORM functions stay for the other
callers and for the rare paths (a changed or unchanged article: versions, paragraph
replacement). Core statements do not autoflush: the caller flushes pending ORM changes
first when it mixes the two (:class:`crawler.ingest.ingestor.Ingestor` does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Article, DuplicateLink, Page, Paragraph, utcnow
from storage.repo.articles import ArticleFields, article_text, field_values, paragraph_values
from storage.repo.pages import page_values, write_page

_URL_MAX = 2048
_IN_CHUNK = 500

_PAGES = cast(Table, Page.__table__)
_ARTICLES = cast(Table, Article.__table__)
_PARAGRAPHS = cast(Table, Paragraph.__table__)
_LINKS = cast(Table, DuplicateLink.__table__)


@dataclass(frozen=True)
class BodyParagraph:
    """A stored paragraph, as the ingest layer needs it."""

    id: int
    kind: str
    text: str
    norm_hash: str


@dataclass(frozen=True)
class StoredArticle:
    """A stored article and its paragraphs in reading order; ``new``: inserted just now."""

    id: int
    source_id: int
    paragraphs: list[BodyParagraph]
    new: bool = False


def store_page(
    session: Session,
    *,
    source_id: int,
    url: str,
    final_url: str | None,
    http_status: int | None,
    content_type: str | None,
    etag: str | None,
    last_modified: str | None,
    lastmod: str | None,
    body: bytes,
    extraction_status: str,
    extraction_reason: str | None,
    run_id: int | None,
) -> StoredPage:
    """Insert the page, or update the row stored under ``url``.

    The same row as :func:`storage.repo.pages.upsert_page` (then ``lastmod`` set when
    given), in one ``INSERT ... ON CONFLICT (url) DO UPDATE ... RETURNING id``:
    ``first_seen_at`` is kept on update, and so is a stored ``lastmod`` when none is given.

    Raises:
        ValueError: ``url`` is longer than the column allows.
    """
    now = utcnow()
    values = page_values(
        url=url,
        source_id=source_id,
        final_url=final_url,
        http_status=http_status,
        content_type=content_type,
        etag=etag,
        last_modified=last_modified,
        body=body,
        extraction_status=extraction_status,
        extraction_reason=extraction_reason,
        fetched_at=now,
        run_id=run_id,
    )
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):  # other backends: the ORM way
        page = write_page(session, url, values, now)
        if lastmod:
            page.lastmod = lastmod[:64]
            session.flush()
        return StoredPage(page.id, page.first_seen_at == now)
    row = session.execute(
        _page_upsert(dialect, keep_lastmod=not lastmod),
        {"url": url, "first_seen_at": now, "lastmod": lastmod[:64] if lastmod else None, **values},
    ).one()
    # first_seen_at is only written by an insert: the row is new when it holds ours
    return StoredPage(int(row.id), row.first_seen_at == now)


@dataclass(frozen=True)
class StoredPage:
    """A page row written by :func:`store_page`; ``inserted``: it was not stored before."""

    id: int
    inserted: bool


_PAGE_COLUMNS = (
    "source_id",
    "final_url",
    "http_status",
    "content_type",
    "etag",
    "last_modified",
    "body_sha256",
    "raw",
    "extraction_status",
    "extraction_reason",
    "fetched_at",
    "run_id",
)


@cache
def _page_upsert(dialect: str, *, keep_lastmod: bool) -> Any:
    """The page upsert statement, built once per dialect (values bound at execution)."""
    make = sqlite_insert if dialect == "sqlite" else postgresql_insert
    stmt = make(_PAGES)
    excluded = stmt.excluded
    update: dict[str, Any] = {key: excluded[key] for key in _PAGE_COLUMNS}
    if not keep_lastmod:
        update["lastmod"] = excluded.lastmod
    return stmt.on_conflict_do_update(index_elements=[_PAGES.c.url], set_=update).returning(
        _PAGES.c.id, _PAGES.c.first_seen_at
    )


_FIND_ARTICLE = select(_ARTICLES.c.id, _ARTICLES.c.url).where(
    or_(_ARTICLES.c.url == bindparam("url"), _ARTICLES.c.page_id == bindparam("page_id"))
)
_INSERT_ARTICLE = insert(_ARTICLES).returning(_ARTICLES.c.id)
_INSERT_PARAGRAPHS = insert(_PARAGRAPHS).returning(_PARAGRAPHS.c.id, sort_by_parameter_order=True)
_INSERT_LINKS = insert(_LINKS)


def find_article(session: Session, url: str, page_id: int) -> int | None:
    """The id of the article stored under ``url``, else of the page's article, else None
    (the lookup :func:`storage.repo.articles.save_article` makes, in one query)."""
    rows = session.execute(_FIND_ARTICLE, {"url": url, "page_id": page_id}).all()
    if not rows:
        return None
    by_url = [row for row in rows if row.url == url]
    return int((by_url or rows)[0].id)


def insert_article(
    session: Session,
    *,
    page_id: int,
    source_id: int,
    url: str,
    fields: ArticleFields,
    blocks: Sequence[tuple[str, str, str]],
    run_id: int | None,
) -> StoredArticle:
    """Insert a new article and its paragraphs (the rows ``save_article`` makes for a new
    one): one ``INSERT ... RETURNING id`` and one ``executemany`` of the paragraphs, their
    ids returned in order (PostgreSQL: one statement; SQLite, which has no INSERT form
    that returns ids in the parameters' order: SQLAlchemy runs it a row at a time, 0.06 ms
    per 14-paragraph article more than a read-back would cost, bench/README.md).

    Raises:
        ValueError: ``url`` is longer than the column allows.
    """
    if len(url) > _URL_MAX:
        raise ValueError(f"article URL is {len(url)} characters long, over {_URL_MAX}: {url[:80]}…")
    text = article_text(blocks)
    now = utcnow()
    values = {
        "url": url,
        "page_id": page_id,
        "source_id": source_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "version": 1,
        "first_seen_at": now,
        "last_seen_at": now,
        "run_id": run_id,
        **field_values(fields),
    }
    article_id = int(session.execute(_INSERT_ARTICLE, values).scalar_one())
    rows = paragraph_values(blocks)
    if not rows:
        return StoredArticle(article_id, source_id, [], new=True)
    for row in rows:
        row["article_id"] = article_id
    ids = session.execute(_INSERT_PARAGRAPHS, rows).scalars()
    paragraphs = [
        BodyParagraph(int(pid), row["kind"], row["text"], row["norm_hash"])
        for pid, row in zip(ids, rows, strict=True)
    ]
    return StoredArticle(article_id, source_id, paragraphs, new=True)


def stored_article(article: Article, *, new: bool = False) -> StoredArticle:
    """The plain view of an ORM article (flushed: its paragraphs have ids)."""
    return StoredArticle(
        article.id,
        article.source_id,
        [BodyParagraph(p.id, p.kind, p.text, p.norm_hash) for p in article.paragraphs],
        new=new,
    )


@dataclass(frozen=True)
class LinkRow:
    """A duplicate link to store (see :func:`storage.repo.dedup.add_duplicate_link`)."""

    paragraph_id: int
    matched_paragraph_id: int
    kind: str
    method: str
    score: float
    scores: dict[str, Any]


def insert_duplicate_links(
    session: Session,
    links: Sequence[LinkRow],
    *,
    params_id: int | None,
    run_id: int | None,
    fresh: bool = False,
) -> list[bool]:
    """Store the links in one ``executemany``; returns, per link, whether it was stored
    (False: that pair was already linked, or repeated earlier in ``links``).

    Args:
        fresh: every ``paragraph_id`` was inserted in this transaction, so no stored link
            can start at it (the pairs are not looked up).

    Raises:
        ValueError: a paragraph linked to itself.
    """
    for link in links:
        if link.paragraph_id == link.matched_paragraph_id:
            raise ValueError(f"paragraph {link.paragraph_id} cannot be a duplicate of itself")
    existing: set[tuple[int, int]] = set()
    if not fresh and links:
        pairs = sorted({(link.paragraph_id, link.matched_paragraph_id) for link in links})
        for start in range(0, len(pairs), _IN_CHUNK):
            chunk = pairs[start : start + _IN_CHUNK]
            rows = session.execute(
                select(_LINKS.c.paragraph_id, _LINKS.c.matched_paragraph_id).where(
                    tuple_(_LINKS.c.paragraph_id, _LINKS.c.matched_paragraph_id).in_(chunk)
                )
            )
            existing.update((int(a), int(b)) for a, b in rows)
    created: list[bool] = []
    rows_out: list[dict[str, Any]] = []
    now = utcnow()
    for link in links:
        pair = (link.paragraph_id, link.matched_paragraph_id)
        if pair in existing:
            created.append(False)
            continue
        existing.add(pair)
        created.append(True)
        rows_out.append(
            {
                "paragraph_id": link.paragraph_id,
                "matched_paragraph_id": link.matched_paragraph_id,
                "kind": link.kind,
                "method": link.method,
                "score": float(link.score),
                "scores": dict(link.scores),
                "params_id": params_id,
                "run_id": run_id,
                "created_at": now,
                "review_state": "pending",
            }
        )
    if rows_out:
        session.execute(_INSERT_LINKS, rows_out)
    return created


def paragraph_facts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, int, int]]:
    """Map paragraph id -> (norm_hash, article id, source id) for the stored ones among
    ``ids`` (one query per 500 ids): what dedup needs of a page's candidates."""
    result: dict[int, tuple[str, int, int]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), _IN_CHUNK):
        rows = session.execute(
            select(
                _PARAGRAPHS.c.id,
                _PARAGRAPHS.c.norm_hash,
                _PARAGRAPHS.c.article_id,
                _ARTICLES.c.source_id,
            )
            .join(_ARTICLES, _PARAGRAPHS.c.article_id == _ARTICLES.c.id)
            .where(_PARAGRAPHS.c.id.in_(unique[start : start + _IN_CHUNK]))
        )
        result.update({int(i): (h, int(a), int(s)) for i, h, a, s in rows})
    return result
