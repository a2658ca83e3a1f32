"""runnable jobs index: claims read the backlog in claim order and stop at their batch

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RUNNABLE = "state IN ('queued', 'retrying')"


def upgrade() -> None:
    op.create_index(
        "ix_jobs_runnable",
        "jobs",
        ["priority", "run_at", "id"],
        unique=False,
        sqlite_where=sa.text(RUNNABLE),
        postgresql_where=sa.text(RUNNABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_runnable", table_name="jobs")
