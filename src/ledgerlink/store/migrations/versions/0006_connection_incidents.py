"""incidents: one row per connection outage, at most one open per connection

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = "closed_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.Float(), nullable=False),
        sa.Column("last_probe_at", sa.Float(), nullable=True),
        sa.Column("next_probe_at", sa.Float(), nullable=False),
        sa.Column("probes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(
        "uq_incidents_open",
        "incidents",
        ["connection"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_index("ix_incidents_opened", "incidents", ["opened_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incidents_opened", table_name="incidents")
    op.drop_index("uq_incidents_open", table_name="incidents")
    op.drop_table("incidents")
