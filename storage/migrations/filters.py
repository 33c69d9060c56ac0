"""Database objects that live outside the models, hidden from autogenerate and ``check``.

Migration 0003 creates views (``canonical_articles``, ``paragraph_flags``,
``cluster_members_view``) and full-text search objects (SQLite: the FTS5 table
``articles_fts`` and its shadow tables; PostgreSQL: the GIN index ``ix_articles_fts``).
They are part of the schema but not of :data:`storage.models.Base.metadata`, so the
comparison between models and database must not report them as drift.
"""

from __future__ import annotations

from typing import Any

VIEWS = ("canonical_articles", "paragraph_flags", "cluster_members_view")
FTS_TABLE = "articles_fts"
FTS_INDEX = "ix_articles_fts"


def is_unmodelled(name: str | None) -> bool:
    """True for the views and full-text objects created by migrations, not by the models."""
    if not name:
        return False
    return name in VIEWS or name == FTS_INDEX or name.startswith(FTS_TABLE)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: skip unmodelled objects before they are reflected."""
    del type_, parent_names
    return not is_unmodelled(name)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic ``include_object`` hook: skip unmodelled objects found in the database."""
    del obj, type_, compare_to
    return not (reflected and is_unmodelled(name))
