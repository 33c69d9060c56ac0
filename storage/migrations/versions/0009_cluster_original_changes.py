"""cluster_original_changes: every change of a cluster's original, with the earlier one

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_original_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("previous_article_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("previous_reason", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("chosen_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_cluster_original_changes_article_id_articles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by"],
            ["users.id"],
            name=op.f("fk_cluster_original_changes_chosen_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_cluster_original_changes_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_article_id"],
            ["articles.id"],
            name=op.f("fk_cluster_original_changes_previous_article_id_articles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_original_changes")),
    )
    with op.batch_alter_table("cluster_original_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_original_changes_cluster_id"), ["cluster_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cluster_original_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_original_changes_cluster_id"))
    op.drop_table("cluster_original_changes")
