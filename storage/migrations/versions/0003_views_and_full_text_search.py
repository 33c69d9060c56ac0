"""views for downstream tools and full-text search on articles

Views (portable SQL, the same on SQLite and PostgreSQL): ``canonical_articles``,
``paragraph_flags``, ``cluster_members_view``. Full-text search: on SQLite an FTS5
external-content table ``articles_fts`` kept in step by triggers; on PostgreSQL a GIN
index on ``to_tsvector('simple', coalesce(title, '') || ' ' || text)``.

A later migration that rebuilds ``articles`` (SQLite batch mode copies the table) must drop
the views and triggers first and create them again afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A flag counts unless an editor judged it not a duplicate.
_LIVE_FLAG = "l.review_state <> 'not_duplicate'"

CANONICAL_ARTICLES = f"""
CREATE VIEW canonical_articles AS
SELECT
    a.id AS article_id,
    a.source_id AS source_id,
    s.name AS source,
    a.url AS url,
    a.canonical_url AS canonical_url,
    a.title AS title,
    a.authors AS authors,
    a.published_at AS published_at,
    a.updated_at AS updated_at,
    a.language AS language,
    a.site_name AS site_name,
    a.credit AS credit,
    a.credit_url AS credit_url,
    a.text AS text,
    a.version AS version,
    a.first_seen_at AS first_seen_at,
    a.last_seen_at AS last_seen_at,
    cm.cluster_id AS cluster_id,
    (SELECT COUNT(*) FROM cluster_members m2 WHERE m2.cluster_id = cm.cluster_id)
        AS cluster_size,
    (SELECT COUNT(*) FROM paragraphs p WHERE p.article_id = a.id) AS paragraph_count,
    (SELECT COUNT(DISTINCT l.paragraph_id)
        FROM duplicate_links l JOIN paragraphs p ON p.id = l.paragraph_id
        WHERE p.article_id = a.id AND {_LIVE_FLAG}) AS duplicate_paragraphs
FROM articles a
JOIN sources s ON s.id = a.source_id
LEFT JOIN cluster_members cm ON cm.article_id = a.id
LEFT JOIN clusters c ON c.id = cm.cluster_id
WHERE cm.article_id IS NULL
   OR c.original_article_id = a.id
   OR (c.original_article_id IS NULL
       AND a.id = (SELECT MIN(m3.article_id) FROM cluster_members m3
                   WHERE m3.cluster_id = cm.cluster_id))
"""

PARAGRAPH_FLAGS = """
CREATE VIEW paragraph_flags AS
SELECT
    p.id AS paragraph_id,
    p.article_id AS article_id,
    p.position AS position,
    p.kind AS paragraph_kind,
    p.text AS text,
    p.norm_hash AS norm_hash,
    l.id AS flag_id,
    l.kind AS flag_kind,
    l.method AS method,
    l.score AS score,
    l.review_state AS review_state,
    l.matched_paragraph_id AS matched_paragraph_id,
    mp.article_id AS matched_article_id,
    mp.position AS matched_position,
    l.created_at AS flagged_at
FROM paragraphs p
LEFT JOIN duplicate_links l ON l.paragraph_id = p.id
LEFT JOIN paragraphs mp ON mp.id = l.matched_paragraph_id
"""

CLUSTER_MEMBERS_VIEW = """
CREATE VIEW cluster_members_view AS
SELECT
    c.id AS cluster_id,
    c.original_article_id AS original_article_id,
    c.original_reason AS reason,
    c.created_at AS cluster_created_at,
    c.updated_at AS cluster_updated_at,
    m.article_id AS article_id,
    a.source_id AS source_id,
    s.name AS source,
    a.url AS url,
    a.title AS title,
    a.published_at AS published_at,
    m.share_matched AS share_matched,
    m.is_original AS is_original
FROM clusters c
JOIN cluster_members m ON m.cluster_id = c.id
JOIN articles a ON a.id = m.article_id
JOIN sources s ON s.id = a.source_id
"""

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, text, content='articles', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts",
)

POSTGRES_FTS = (
    "CREATE INDEX ix_articles_fts ON articles USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || text))",
)
POSTGRES_FTS_DROP = ("DROP INDEX IF EXISTS ix_articles_fts",)


def upgrade() -> None:
    for statement in (CANONICAL_ARTICLES, PARAGRAPH_FLAGS, CLUSTER_MEMBERS_VIEW):
        op.execute(statement)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRES_FTS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRES_FTS_DROP:
            op.execute(statement)
    for view in ("cluster_members_view", "paragraph_flags", "canonical_articles"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
