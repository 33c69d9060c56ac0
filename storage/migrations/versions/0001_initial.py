"""Initial schema: sources, runs, pages, articles, paragraphs, signatures, links, clusters.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:28:25.926824
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dedup_params",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedup_params")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_dedup_params_fingerprint")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("articles_updated", sa.Integer(), nullable=False),
        sa.Column("articles_unchanged", sa.Integer(), nullable=False),
        sa.Column("paragraphs", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("http_statuses", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_crawl_runs_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index(op.f("ix_crawl_runs_source_id"), "crawl_runs", ["source_id"], unique=False)
    op.create_table(
        "site_boilerplate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("norm_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_site_boilerplate_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_boilerplate")),
        sa.UniqueConstraint(
            "source_id", "norm_hash", name=op.f("uq_site_boilerplate_source_id_norm_hash")
        ),
    )
    op.create_index(
        op.f("ix_site_boilerplate_source_id"), "site_boilerplate", ["source_id"], unique=False
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("final_url", sa.String(length=2048), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("extraction_status", sa.String(length=20), nullable=False),
        sa.Column("extraction_reason", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_pages_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_pages_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("url", name=op.f("uq_pages_url")),
    )
    op.create_index(op.f("ix_pages_run_id"), "pages", ["run_id"], unique=False)
    op.create_index(op.f("ix_pages_source_id"), "pages", ["source_id"], unique=False)
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("canonical_url", sa.String(length=2048), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("credit", sa.Text(), nullable=True),
        sa.Column("credit_url", sa.String(length=2048), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_articles_page_id_pages")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_articles_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_articles_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("page_id", name=op.f("uq_articles_page_id")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    op.create_index(op.f("ix_articles_canonical_url"), "articles", ["canonical_url"], unique=False)
    op.create_index(op.f("ix_articles_published_at"), "articles", ["published_at"], unique=False)
    op.create_index(op.f("ix_articles_run_id"), "articles", ["run_id"], unique=False)
    op.create_index(op.f("ix_articles_source_id"), "articles", ["source_id"], unique=False)
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("original_article_id", sa.Integer(), nullable=True),
        sa.Column("original_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["original_article_id"],
            ["articles.id"],
            name=op.f("fk_clusters_original_article_id_articles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    op.create_table(
        "paragraphs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("norm_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_paragraphs_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paragraphs")),
        sa.UniqueConstraint(
            "article_id", "position", name=op.f("uq_paragraphs_article_id_position")
        ),
    )
    op.create_index(op.f("ix_paragraphs_norm_hash"), "paragraphs", ["norm_hash"], unique=False)
    op.create_table(
        "cluster_members",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("share_matched", sa.Float(), nullable=False),
        sa.Column("is_original", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_cluster_members_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_cluster_members_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_cluster_members")),
    )
    op.create_index(
        op.f("ix_cluster_members_cluster_id"), "cluster_members", ["cluster_id"], unique=False
    )
    op.create_table(
        "duplicate_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paragraph_id", sa.Integer(), nullable=False),
        sa.Column("matched_paragraph_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=50), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("params_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matched_paragraph_id"],
            ["paragraphs.id"],
            name=op.f("fk_duplicate_links_matched_paragraph_id_paragraphs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paragraph_id"],
            ["paragraphs.id"],
            name=op.f("fk_duplicate_links_paragraph_id_paragraphs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["params_id"],
            ["dedup_params.id"],
            name=op.f("fk_duplicate_links_params_id_dedup_params"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_duplicate_links_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_links")),
        sa.UniqueConstraint(
            "paragraph_id",
            "matched_paragraph_id",
            name=op.f("uq_duplicate_links_paragraph_id_matched_paragraph_id"),
        ),
    )
    op.create_index(
        "ix_duplicate_links_kind_created", "duplicate_links", ["kind", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_duplicate_links_matched_paragraph_id"),
        "duplicate_links",
        ["matched_paragraph_id"],
        unique=False,
    )
    op.create_index(op.f("ix_duplicate_links_run_id"), "duplicate_links", ["run_id"], unique=False)
    op.create_table(
        "paragraph_signatures",
        sa.Column("paragraph_id", sa.Integer(), nullable=False),
        sa.Column("params_id", sa.Integer(), nullable=False),
        sa.Column("hashvalues", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["paragraph_id"],
            ["paragraphs.id"],
            name=op.f("fk_paragraph_signatures_paragraph_id_paragraphs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["params_id"],
            ["dedup_params.id"],
            name=op.f("fk_paragraph_signatures_params_id_dedup_params"),
        ),
        sa.PrimaryKeyConstraint("paragraph_id", name=op.f("pk_paragraph_signatures")),
    )
    op.create_index(
        op.f("ix_paragraph_signatures_params_id"),
        "paragraph_signatures",
        ["params_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_paragraph_signatures_params_id"), table_name="paragraph_signatures")
    op.drop_table("paragraph_signatures")
    op.drop_index(op.f("ix_duplicate_links_run_id"), table_name="duplicate_links")
    op.drop_index(op.f("ix_duplicate_links_matched_paragraph_id"), table_name="duplicate_links")
    op.drop_index("ix_duplicate_links_kind_created", table_name="duplicate_links")
    op.drop_table("duplicate_links")
    op.drop_index(op.f("ix_cluster_members_cluster_id"), table_name="cluster_members")
    op.drop_table("cluster_members")
    op.drop_index(op.f("ix_paragraphs_norm_hash"), table_name="paragraphs")
    op.drop_table("paragraphs")
    op.drop_table("clusters")
    op.drop_index(op.f("ix_articles_source_id"), table_name="articles")
    op.drop_index(op.f("ix_articles_run_id"), table_name="articles")
    op.drop_index(op.f("ix_articles_published_at"), table_name="articles")
    op.drop_index(op.f("ix_articles_canonical_url"), table_name="articles")
    op.drop_table("articles")
    op.drop_index(op.f("ix_pages_source_id"), table_name="pages")
    op.drop_index(op.f("ix_pages_run_id"), table_name="pages")
    op.drop_table("pages")
    op.drop_index(op.f("ix_site_boilerplate_source_id"), table_name="site_boilerplate")
    op.drop_table("site_boilerplate")
    op.drop_index(op.f("ix_crawl_runs_source_id"), table_name="crawl_runs")
    op.drop_table("crawl_runs")
    op.drop_table("sources")
    op.drop_table("dedup_params")
