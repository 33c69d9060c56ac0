"""Small builders of rows for the storage tests. Texts are written for these tests."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from storage.models import Article, Page, Source
from storage.repository import ArticleFields, get_or_create_source, save_article, upsert_page

HTML = b"<html><body><article><p>Placeholder body for a stored page.</p></article></body></html>"

BLOCKS_TEXT = [
    ("heading", "Harbour cranes learn to schedule themselves"),
    (
        "paragraph",
        "The port authority of Lowmere has switched its container cranes to a scheduler "
        "that plans the next four hours of lifts from the ships' manifests.",
    ),
    (
        "paragraph",
        "Operators say the queue of trucks at the gate has shortened since the change, "
        "although the union wants the planning rules published.",
    ),
    ("list_item", "Average truck wait fell from 41 to 27 minutes."),
]


def norm_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def blocks(items: list[tuple[str, str]] | None = None) -> list[tuple[str, str, str]]:
    return [(kind, text, norm_hash(text)) for kind, text in (items or BLOCKS_TEXT)]


def source(session: Session, name: str = "lowmere-ledger") -> Source:
    return get_or_create_source(session, name, [f"{name}.example"])


def page(
    session: Session,
    src: Source,
    url: str,
    *,
    status: str = "ok",
    body: bytes = HTML,
    run_id: int | None = None,
) -> Page:
    return upsert_page(
        session,
        source_id=src.id,
        url=url,
        final_url=url,
        http_status=200,
        content_type="text/html; charset=utf-8",
        etag='"abc"',
        last_modified=None,
        body=body,
        extraction_status=status,
        extraction_reason=None if status == "ok" else "no article body",
        run_id=run_id,
    )


def article(
    session: Session,
    src: Source,
    url: str,
    items: list[tuple[str, str]] | None = None,
    *,
    run_id: int | None = None,
) -> tuple[Article, str]:
    stored_page = page(session, src, url, run_id=run_id)
    return save_article(
        session,
        page=stored_page,
        source_id=src.id,
        url=url,
        fields=ArticleFields(title="Harbour cranes", authors=["R. Okafor"], language="en"),
        blocks=blocks(items),
        run_id=run_id,
    )
