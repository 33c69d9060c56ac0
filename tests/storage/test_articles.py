"""Articles: new, unchanged and updated versions, and what an update deletes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, DuplicateLink, Paragraph, ParagraphSignature
from storage.repository import (
    ArticleFields,
    add_duplicate_link,
    get_article,
    get_or_create_params,
    save_article,
    save_signature,
    start_run,
)
from tests.storage import factories

URL = "https://lowmere-ledger.example/2026/cranes"
COPY_URL = "https://quayside-wire.example/cranes-copy"


def _paragraph_ids(session: Session, article_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Paragraph.id).where(Paragraph.article_id == article_id).order_by(Paragraph.id)
        )
    )


def test_new_article(session: Session) -> None:
    src = factories.source(session)
    page = factories.page(session, src, URL)
    fields = ArticleFields(
        canonical_url=URL,
        title="Harbour cranes learn to schedule themselves",
        authors=["R. Okafor", "L. Brandt"],
        published_at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=2))),
        updated_at=datetime(2026, 3, 2, 10, 0),
        language="en",
        site_name="Lowmere Ledger",
        credit="First published by the Quayside Wire",
        credit_url="https://quayside-wire.example/",
    )
    article, status = save_article(
        session,
        page=page,
        source_id=src.id,
        url=URL,
        fields=fields,
        blocks=factories.blocks(),
        run_id=None,
    )
    assert status == "new"
    session.expire_all()
    stored = get_article(session, URL)
    assert stored is not None
    assert stored.id == article.id
    assert stored.page_id == page.id
    assert stored.version == 1
    assert stored.title == fields.title
    assert stored.authors == ["R. Okafor", "L. Brandt"]
    assert stored.published_at == datetime(2026, 3, 2, 7, 30)  # naive UTC
    assert stored.updated_at == datetime(2026, 3, 2, 10, 0)
    assert stored.credit_url == "https://quayside-wire.example/"
    assert stored.text == "\n".join(text for _, text in factories.BLOCKS_TEXT)
    assert [(p.position, p.kind, p.text) for p in stored.paragraphs] == [
        (i, kind, text) for i, (kind, text) in enumerate(factories.BLOCKS_TEXT)
    ]
    assert stored.paragraphs[1].norm_hash == factories.norm_hash(factories.BLOCKS_TEXT[1][1])
    assert get_article(session, URL + "?other") is None


def test_unchanged_article_keeps_paragraphs(session: Session) -> None:
    src = factories.source(session)
    article, status = factories.article(session, src, URL)
    assert status == "new"
    ids = _paragraph_ids(session, article.id)
    seen = article.last_seen_at
    run = start_run(session, src.id)
    again, status = factories.article(session, src, URL, run_id=run.id)
    assert status == "unchanged"
    assert again.id == article.id
    session.expire_all()
    stored = get_article(session, URL)
    assert stored is not None
    assert stored.version == 1
    assert stored.run_id == run.id
    assert stored.last_seen_at >= seen
    assert _paragraph_ids(session, article.id) == ids
    assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_updated_article_replaces_paragraphs_and_their_links(session: Session) -> None:
    src = factories.source(session)
    other = factories.source(session, "quayside-wire")
    article, _ = factories.article(session, src, URL)
    copy, _ = factories.article(session, other, COPY_URL)
    old_ids = _paragraph_ids(session, article.id)
    copy_ids = _paragraph_ids(session, copy.id)
    params = get_or_create_params(session, "f" * 64, {"num_perm": 128})
    for paragraph_id in old_ids + copy_ids:
        save_signature(session, paragraph_id, params.id, b"\x01\x02")
    assert add_duplicate_link(
        session,
        paragraph_id=copy_ids[1],
        matched_paragraph_id=old_ids[1],
        kind="exact_cross",
        method="norm_hash",
        score=1.0,
        scores={},
        params_id=params.id,
        run_id=None,
    )
    session.flush()

    edited = [*factories.BLOCKS_TEXT[:2], ("paragraph", "A correction was added on Tuesday.")]
    updated, status = factories.article(session, src, URL, edited)
    assert status == "updated"
    assert updated.id == article.id
    session.expire_all()
    stored = get_article(session, URL)
    assert stored is not None
    assert stored.version == 2
    assert [p.text for p in stored.paragraphs] == [text for _, text in edited]
    assert [p.position for p in stored.paragraphs] == [0, 1, 2]
    new_ids = _paragraph_ids(session, article.id)
    assert not set(new_ids) & set(old_ids)
    # The old paragraphs went, and with them their signatures and the link to them.
    assert session.scalar(select(func.count()).where(Paragraph.id.in_(old_ids))) == 0
    signed = set(session.scalars(select(ParagraphSignature.paragraph_id)))
    assert signed == set(copy_ids)
    assert session.scalar(select(func.count()).select_from(DuplicateLink)) == 0
    # The other article is untouched.
    assert _paragraph_ids(session, copy.id) == copy_ids

    again, status = factories.article(session, src, URL, edited)
    assert status == "unchanged"
    assert again.version == 2


def test_article_found_by_page_when_url_changes(session: Session) -> None:
    src = factories.source(session)
    page = factories.page(session, src, URL)
    first, _ = save_article(
        session,
        page=page,
        source_id=src.id,
        url=URL,
        fields=ArticleFields(),
        blocks=factories.blocks(),
        run_id=None,
    )
    moved, status = save_article(
        session,
        page=page,
        source_id=src.id,
        url=URL + "-renamed",
        fields=ArticleFields(),
        blocks=factories.blocks(),
        run_id=None,
    )
    assert moved.id == first.id
    assert status == "unchanged"
    assert moved.url == URL + "-renamed"


def test_overlong_metadata_urls_are_dropped(session: Session) -> None:
    src = factories.source(session)
    page = factories.page(session, src, URL)
    article, _ = save_article(
        session,
        page=page,
        source_id=src.id,
        url=URL,
        fields=ArticleFields(
            canonical_url="https://x.example/" + "c" * 3000,
            language="en-GB-x-" + "q" * 40,
            published_at=datetime(2026, 1, 5, tzinfo=UTC),
        ),
        blocks=[],
        run_id=None,
    )
    session.flush()
    assert article.canonical_url is None
    assert article.language is not None
    assert len(article.language) == 16
    assert article.text == ""
    assert article.paragraphs == []
