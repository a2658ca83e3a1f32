"""governor: concurrency budget shared by every process

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governor_state",
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("ceiling", sa.Integer(), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), server_default="0", nullable=False),
        sa.Column("last_decrease_at", sa.Float(), server_default="0", nullable=False),
        sa.Column("rate_limited", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("connection", name=op.f("pk_governor_state")),
    )
    op.create_table(
        "governor_slots",
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("connection", "slot", name=op.f("pk_governor_slots")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_finished", ["state", "finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_finished")
    op.drop_table("governor_slots")
    op.drop_table("governor_state")
