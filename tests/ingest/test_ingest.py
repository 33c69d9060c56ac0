"""The ingest layer on a real SQLite database: extraction, dedup, clusters, suppression,
idempotency and parameter rebuilds, with pages from the bundled sample site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.dedup import DedupParams
from crawler.demo.content import ARTICLES, SEED_LIKE, SYNDICATED
from crawler.demo.pages import article_url, render_article
from crawler.ingest.ingestor import Ingestor, parse_when
from crawler.items import FetchedPage
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_session_factory
from storage.models import (
    Article,
    ClusterMember,
    DuplicateLink,
    Page,
    Paragraph,
    ParagraphSignature,
)
from storage.repo.suppressed import suppress_pair


def sample(publisher: str, slug: str) -> FetchedPage:
    article = next(a for a in ARTICLES if (a.publisher, a.slug) == (publisher, slug))
    url = article_url(article)
    return FetchedPage(
        source=publisher,
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=render_article(article),
    )


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'ingest.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def source_id(factory: sessionmaker[Session], name: str) -> int:
    with factory() as session:
        row = repo.get_or_create_source(session, name, [f"{name}.example"])
        session.commit()
        return row.id


def ingest(ingestor: Ingestor, factory: sessionmaker[Session], page: FetchedPage) -> None:
    ingestor.ingest(page, source_id=source_id(factory, page.source))


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_like_article_flags_its_repeated_intro_only(factory: sessionmaker[Session]) -> None:
    ingestor = Ingestor.open(factory)
    page = sample(*SEED_LIKE)
    outcome = ingestor.ingest(page, source_id=source_id(factory, page.source))
    assert outcome.extraction_status == "ok" and outcome.article_status == "new"
    assert outcome.duplicates == {"near_within": 1}
    with factory() as session:
        link = session.scalars(select(DuplicateLink)).one()
        later = session.get(Paragraph, link.paragraph_id)
        earlier = session.get(Paragraph, link.matched_paragraph_id)
        assert later is not None and earlier is not None
        assert earlier.position < later.position
        assert earlier.article_id == later.article_id
        assert link.params_id == ingestor.params_id and link.scores


def test_syndicated_copy_links_to_original_and_credit_picks_it(
    factory: sessionmaker[Session],
) -> None:
    ingestor = Ingestor.open(factory)
    copy_key, original_key = SYNDICATED
    # The copy is crawled first: first-seen alone would pick the wrong original.
    ingest(ingestor, factory, sample(*copy_key))
    ingest(ingestor, factory, sample(*original_key))
    with factory() as session:
        copy = session.scalars(select(Article).where(Article.source_id == 1)).one()
        original = session.scalars(select(Article).where(Article.id != copy.id)).one()
        members = {m.article_id: m for m in session.scalars(select(ClusterMember))}
        assert set(members) == {copy.id, original.id}
        assert members[original.id].is_original and not members[copy.id].is_original
        cluster = members[original.id].cluster
        assert cluster.original_article_id == original.id
        assert cluster.original_reason and "credit" in cluster.original_reason
        kinds = set(session.scalars(select(DuplicateLink.kind)))
        assert kinds <= {"exact_cross", "near_cross"} and kinds


def test_suppressed_pair_is_not_flagged_again(factory: sessionmaker[Session]) -> None:
    copy_key, original_key = SYNDICATED
    ingestor = Ingestor.open(factory)
    ingest(ingestor, factory, sample(*original_key))
    ingest(ingestor, factory, sample(*copy_key))
    with factory() as session:
        links = session.scalars(select(DuplicateLink)).all()
        assert links
        for link in links:
            a = session.get(Paragraph, link.paragraph_id)
            b = session.get(Paragraph, link.matched_paragraph_id)
            assert a is not None and b is not None
            suppress_pair(session, a.norm_hash, b.norm_hash, None)
        session.commit()
        before = count(session, DuplicateLink)
    # The same copy again under a new URL: its pairs were judged not duplicates.
    again = replace(sample(*copy_key), url="http://bytebeat.example/stories/reposted")
    again.final_url = again.url
    outcome = ingestor.ingest(again, source_id=source_id(factory, "bytebeat"))
    assert outcome.article_status == "new"
    with factory() as session:
        new_links = session.scalars(
            select(DuplicateLink)
            .join(Paragraph, DuplicateLink.paragraph_id == Paragraph.id)
            .where(Paragraph.article_id == outcome.article_id)
        ).all()
        # Only links to the first copy (a pair never judged) may appear.
        for link in new_links:
            target = session.get(Paragraph, link.matched_paragraph_id)
            assert target is not None
            target_article = session.get(Article, target.article_id)
            assert target_article is not None and "reposted" not in target_article.url
            assert "chip-packaging-hiring-wall" in target_article.url
        assert count(session, DuplicateLink) == before + len(new_links)


def test_same_page_twice_changes_nothing(factory: sessionmaker[Session]) -> None:
    ingestor = Ingestor.open(factory)
    for key in (SEED_LIKE, *SYNDICATED):
        ingest(ingestor, factory, sample(*key))
    with factory() as session:
        before = {m.__name__: count(session, m) for m in (Page, Article, Paragraph, DuplicateLink)}
    for key in (SEED_LIKE, *SYNDICATED):
        page = sample(*key)
        outcome = ingestor.ingest(page, source_id=source_id(factory, page.source))
        assert outcome.article_status == "unchanged"
    with factory() as session:
        after = {m.__name__: count(session, m) for m in (Page, Article, Paragraph, DuplicateLink)}
    assert after == before


def test_index_persists_across_ingestors(factory: sessionmaker[Session]) -> None:
    copy_key, original_key = SYNDICATED
    Ingestor.open(factory).ingest(
        sample(*original_key), source_id=source_id(factory, original_key[0])
    )
    # A new process: the index is loaded from stored signatures.
    outcome = Ingestor.open(factory).ingest(
        sample(*copy_key), source_id=source_id(factory, copy_key[0])
    )
    assert sum(outcome.duplicates.values()) >= 3


def test_changed_parameters_rebuild_signatures(factory: sessionmaker[Session]) -> None:
    ingestor = Ingestor.open(factory)
    ingest(ingestor, factory, sample(*SEED_LIKE))
    with factory() as session:
        signed = count(session, ParagraphSignature)
    assert signed > 0
    changed = replace(DedupParams(), seed=DedupParams().seed + 1)
    rebuilt = Ingestor.open(factory, changed)
    assert rebuilt.params_id != ingestor.params_id
    with factory() as session:
        params_ids = set(session.scalars(select(ParagraphSignature.params_id)))
        assert params_ids == {rebuilt.params_id}
        assert count(session, ParagraphSignature) == signed
    assert len(rebuilt.engine) == signed


def test_page_without_article_is_recorded_with_reason(factory: sessionmaker[Session]) -> None:
    ingestor = Ingestor.open(factory)
    page = FetchedPage(
        source="techwire",
        url="http://techwire.example/logo.png",
        final_url="http://techwire.example/logo.png",
        status=200,
        headers={"content-type": "image/png"},
        body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    )
    outcome = ingestor.ingest(page, source_id=source_id(factory, "techwire"))
    assert outcome.extraction_status != "ok" and outcome.reason
    with factory() as session:
        stored = session.scalars(select(Page)).one()
        assert stored.extraction_status == outcome.extraction_status
        assert stored.extraction_reason == outcome.reason
        assert count(session, Article) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-08", "2026-11-08 00:00:00"),
        ("2026-11-08T13:30:00+02:00", "2026-11-08 11:30:00"),
        ("not a date", None),
        (None, None),
    ],
)
def test_parse_when(value: str | None, expected: str | None) -> None:
    parsed = parse_when(value)
    assert (str(parsed) if parsed else None) == expected
