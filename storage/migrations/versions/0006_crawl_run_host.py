"""crawl runs record the host of the process that runs them

With the pid, the host tells whether a run's process can be checked on this machine
(``newsdedup status``/``runs`` and the next crawl mark a run whose process is gone as
``interrupted``); a run of another host is judged by its heartbeat instead.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild on SQLite, so the views of 0003 stay).
    op.add_column("crawl_runs", sa.Column("host", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("crawl_runs", "host")  # SQLite >= 3.35 drops a column in place
