"""Full-text search on article title and text, per dialect.

SQLite uses the FTS5 table ``articles_fts``; PostgreSQL the GIN index on
``to_tsvector('simple', coalesce(title, '') || ' ' || text)`` (both from migration 0003).
The user's query is always a bound parameter. On SQLite every term is quoted, so FTS5
operators typed by a user (``AND``, ``NEAR``, ``*``, ``:``, quotes) are searched as words
and never raise a syntax error; on PostgreSQL ``websearch_to_tsquery`` accepts any input.
"""

from __future__ import annotations

from sqlalchemy import TextClause, bindparam, text

# The expression of the PostgreSQL index: a query must repeat it exactly to use the index.
POSTGRES_VECTOR = "to_tsvector('simple', coalesce(articles.title, '') || ' ' || articles.text)"
QUERY_MAX = 500


class SearchQueryError(ValueError):
    """The full-text query is empty, too long or has no searchable term."""


def fts5_query(query: str) -> str:
    """An FTS5 query matching documents that contain every term of ``query``.

    Each whitespace-separated term becomes a quoted string (inner quotes doubled), so FTS5
    query syntax in the input is searched literally.

    Raises:
        SearchQueryError: the query has no terms or is over :data:`QUERY_MAX` characters.

    Example:
        >>> print(fts5_query('harbour cranes* NEAR'))
        "harbour" "cranes*" "NEAR"
    """
    terms = _terms(query)
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _terms(query: str) -> list[str]:
    if len(query) > QUERY_MAX:
        raise SearchQueryError(f"query is {len(query)} characters long, over {QUERY_MAX}")
    if "\x00" in query:
        raise SearchQueryError("query contains a NUL character")
    terms = query.split()
    if not terms:
        raise SearchQueryError("query is empty")
    return terms


def matches(dialect: str, query: str) -> TextClause:
    """A WHERE condition on ``articles`` true for articles matching every term of ``query``.

    Args:
        dialect: the engine's dialect name (``sqlite`` or ``postgresql``).
        query: the user's words.

    Raises:
        SearchQueryError: the query is empty, too long or holds a NUL character.
        NotImplementedError: another dialect.
    """
    if dialect == "sqlite":
        condition = (
            "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts_q)"
        )
        return text(condition).bindparams(bindparam("fts_q", fts5_query(query)))
    if dialect == "postgresql":
        terms = " ".join(_terms(query))
        condition = f"{POSTGRES_VECTOR} @@ websearch_to_tsquery('simple', :fts_q)"
        return text(condition).bindparams(bindparam("fts_q", terms))
    raise NotImplementedError(f"full-text search is not available on {dialect}")
