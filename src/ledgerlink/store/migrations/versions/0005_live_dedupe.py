"""one live job per record: the dedupe index covers running jobs too, and a running job can be marked
to run once more

Revision ID: 0005
Revises: 0004

A job enqueued while its record's job was running used to be a second row; parking, snoozing or
requeueing the running one then collided with it. Existing pairs are folded into the running job,
marked to re-run, before the new index is built.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE = "state IN ('queued', 'retrying', 'waiting', 'running')"
PENDING = "state IN ('queued', 'retrying', 'waiting')"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("rerun", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE jobs SET rerun = 1 WHERE state = 'running' AND dedupe_key IS NOT NULL AND EXISTS ("
        f"SELECT 1 FROM jobs AS other WHERE other.dedupe_key = jobs.dedupe_key AND other.{PENDING})"
    )
    op.execute(
        "UPDATE jobs SET state = 'done', result = '{\"superseded\": true}' "
        f"WHERE {PENDING} AND dedupe_key IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM jobs AS other WHERE other.dedupe_key = jobs.dedupe_key AND other.state = 'running')"
    )
    op.drop_index("uq_jobs_pending_dedupe", table_name="jobs")
    _unique_dedupe("uq_jobs_live_dedupe", LIVE)


def downgrade() -> None:
    op.drop_index("uq_jobs_live_dedupe", table_name="jobs")
    _unique_dedupe("uq_jobs_pending_dedupe", PENDING)
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("rerun")


def _unique_dedupe(name: str, states: str) -> None:
    where = sa.text(f"{states} AND dedupe_key IS NOT NULL")
    op.create_index(name, "jobs", ["dedupe_key"], unique=True, sqlite_where=where, postgresql_where=where)
