"""jobs by what they provide: the sweep looks up a waiting job's provider on every turn

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("provides IS NOT NULL")
    op.create_index("ix_jobs_provides", "jobs", ["provides"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_jobs_provides", table_name="jobs")
