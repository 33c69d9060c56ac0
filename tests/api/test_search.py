"""Full-text search objects of migration 0003 stay in step with ``articles`` on both
backends (insert, update, delete), and the SQLite query quoting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Article
from storage.repo.search import SearchQueryError, fts5_query, matches
from storage.repository import ArticleFields, save_article
from tests.storage.databases import sqlite_url, throwaway_postgres_database
from tests.storage.factories import norm_hash, page, source


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        migrate.upgrade(url)
        yield url
        return
    server_url: str = request.getfixturevalue("postgres_url")
    with throwaway_postgres_database(server_url) as url:
        migrate.upgrade(url)
        yield url


def _found(session: Session, query: str) -> set[int]:
    dialect = session.get_bind().dialect.name
    return set(session.scalars(select(Article.id).where(matches(dialect, query))))


def _store(session: Session, text: str, title: str = "Tidal turbines") -> Article:
    src = source(session)
    url = "https://lowmere-ledger.example/turbines"
    article, _ = save_article(
        session,
        page=page(session, src, url),
        source_id=src.id,
        url=url,
        fields=ArticleFields(title=title, language="en"),
        blocks=[("paragraph", text, norm_hash(text))],
        run_id=None,
    )
    return article


def test_index_follows_insert_update_delete(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        with make_session_factory(engine)() as session:
            article = _store(session, "A barge tows the first tidal turbine into the sound.")
            session.commit()
            assert _found(session, "barge") == {article.id}
            assert _found(session, "tidal") == {article.id}  # title and text
            assert _found(session, "turbines") == {article.id}  # in the title only

            _store(session, "The anchors were set by a crane vessel at slack water.", "Anchors")
            session.commit()
            assert _found(session, "barge") == set()
            assert _found(session, "slack water") == {article.id}
            assert _found(session, "turbines") == set()  # old title gone

            session.delete(article)
            session.commit()
            assert _found(session, "slack") == set()
    finally:
        engine.dispose()


def test_fts_objects_exist_per_dialect_and_go_on_downgrade(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            if engine.dialect.name == "sqlite":
                assert "articles_fts" in inspector.get_table_names()
            else:
                names = {i["name"] for i in inspector.get_indexes("articles")}
                assert "ix_articles_fts" in names
        migrate.downgrade(fresh_url, "0002")
        with engine.connect() as conn:
            inspector = inspect(conn)
            assert not [t for t in inspector.get_table_names() if t.startswith("articles_fts")]
            assert "ix_articles_fts" not in {i["name"] for i in inspector.get_indexes("articles")}
            assert inspector.get_view_names() == []
        migrate.upgrade(fresh_url)
        assert migrate.check(fresh_url) == []
    finally:
        engine.dispose()


def test_fts5_query_quotes_every_term() -> None:
    assert fts5_query("harbour cranes") == '"harbour" "cranes"'
    assert fts5_query('say "hi" NEAR(x)') == '"say" """hi""" "NEAR(x)"'
    assert fts5_query("  spaced\tout  ") == '"spaced" "out"'
    for bad in ("", "   ", "x" * 501, "a\x00b"):
        with pytest.raises(SearchQueryError):
            fts5_query(bad)


def test_other_dialects_are_refused() -> None:
    with pytest.raises(NotImplementedError, match="mysql"):
        matches("mysql", "cranes")


@pytest.mark.postgres
def test_postgres_query_uses_the_gin_index(postgres_url: str) -> None:
    with throwaway_postgres_database(postgres_url) as url:
        migrate.upgrade(url)
        _explain_uses_index(url)


def _explain_uses_index(url: str) -> None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            condition = matches("postgresql", "barge")
            explain = text(f"EXPLAIN SELECT articles.id FROM articles WHERE {condition.text}")
            plan = session.execute(explain, {"fts_q": "barge"}).scalars().all()
            assert any("ix_articles_fts" in line for line in plan), plan
    finally:
        engine.dispose()
