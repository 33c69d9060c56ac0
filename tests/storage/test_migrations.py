"""Migrations on an empty database of each backend: upgrade to head, no drift, downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.migrations.filters import VIEWS, is_unmodelled
from storage.models import Base
from tests.storage.databases import sqlite_url, throwaway_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database (not the shared migrated one)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path, "fresh.db")
        return
    server_url: str = request.getfixturevalue("postgres_url")
    with throwaway_postgres_database(server_url) as url:
        yield url


def _tables(url: str) -> set[str]:
    """The tables of the database, without the full-text search tables of migration 0003."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {name for name in inspect(conn).get_table_names() if not is_unmodelled(name)}
    finally:
        engine.dispose()


def _views(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_view_names())
    finally:
        engine.dispose()


def test_upgrade_head_then_no_drift(empty_url: str) -> None:
    assert migrate.current(empty_url) is None
    differences = migrate.check(empty_url)
    assert differences[0] == f"database revision is None, head is {migrate.head()}"
    assert "add_table sources" in differences

    migrate.upgrade(empty_url)
    assert migrate.current(empty_url) == migrate.head()
    assert _tables(empty_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert _views(empty_url) == set(VIEWS)
    assert migrate.check(empty_url) == []

    migrate.upgrade(empty_url)  # idempotent
    assert migrate.current(empty_url) == migrate.head()

    migrate.downgrade(empty_url, "base")
    assert migrate.current(empty_url) is None
    assert _tables(empty_url) == {"alembic_version"}
    assert _views(empty_url) == set()
    migrate.upgrade(empty_url)
    assert migrate.check(empty_url) == []


def test_ensure_current(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn, pytest.raises(migrate.NotMigratedError) as caught:
            migrate.ensure_current(conn)
        assert "not migrated" in str(caught.value)
        assert "newsdedup db upgrade" in str(caught.value)
        migrate.upgrade(empty_url)
        with engine.connect() as conn:
            migrate.ensure_current(conn)
    finally:
        engine.dispose()


def test_constraints_follow_the_naming_convention(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path, "names.db")
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            uniques = {u["name"] for u in inspector.get_unique_constraints("duplicate_links")}
            foreign = {f["name"] for f in inspector.get_foreign_keys("paragraphs")}
            indexes = {i["name"] for i in inspector.get_indexes("paragraphs")}
    finally:
        engine.dispose()
    assert "uq_duplicate_links_paragraph_id_matched_paragraph_id" in uniques
    assert foreign == {"fk_paragraphs_article_id_articles"}
    assert "ix_paragraphs_norm_hash" in indexes


def test_migration_scripts_ship_inside_the_package() -> None:
    assert (migrate.MIGRATIONS_DIR / "__init__.py").is_file()
    assert (migrate.MIGRATIONS_DIR / "env.py").is_file()
    assert (migrate.MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (migrate.MIGRATIONS_DIR / "versions" / "__init__.py").is_file()
    versions = sorted(p.name for p in (migrate.MIGRATIONS_DIR / "versions").glob("0*.py"))
    assert versions and versions[-1].startswith(migrate.head())
