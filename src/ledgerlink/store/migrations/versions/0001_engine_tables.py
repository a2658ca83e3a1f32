"""engine tables: jobs, links, cursors, problems, webhook events, schedules, workers

Revision ID: 0001
Revises:
Create Date: 2026-11-22 09:06:55.506039
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cursors",
        sa.Column("flow", sa.String(length=200), nullable=False),
        sa.Column("modified_at", sa.Float(), nullable=True),
        sa.Column("record_id", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("flow", name=op.f("pk_cursors")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=200), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lane", sa.String(length=32), server_default="default", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="100", nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=True),
        sa.Column("lock_key", sa.String(length=300), nullable=False),
        sa.Column("provides", sa.String(length=300), nullable=True),
        sa.Column("waiting_on", sa.String(length=300), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="8", nullable=False),
        sa.Column("run_at", sa.Float(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_claim", ["state", "priority", "run_at", "id"], unique=False)
        batch_op.create_index("ix_jobs_lock_state", ["lock_key", "state"], unique=False)
        batch_op.create_index("ix_jobs_waiting_on", ["waiting_on"], unique=False)
        batch_op.create_index(
            "uq_jobs_pending_dedupe",
            ["dedupe_key"],
            unique=True,
            sqlite_where=sa.text("state IN ('queued', 'retrying', 'waiting') AND dedupe_key IS NOT NULL"),
            postgresql_where=sa.text("state IN ('queued', 'retrying', 'waiting') AND dedupe_key IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_jobs_running_lock",
            ["lock_key"],
            unique=True,
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        )

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("source_modified_at", sa.Float(), nullable=True),
        sa.Column("synced_at", sa.Float(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("kind", "source", "source_id", "target", name="uq_links_source"),
        sa.UniqueConstraint("kind", "target", "target_id", "source", name="uq_links_target"),
    )
    op.create_table(
        "schedule_ticks",
        sa.Column("schedule", sa.String(length=200), nullable=False),
        sa.Column("tick", sa.Integer(), nullable=False),
        sa.Column("fired_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("schedule", "tick", name=op.f("pk_schedule_ticks")),
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=200), nullable=False),
        sa.Column("trace_key", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_problems_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index("ix_problems_open", ["resolved_at", "code"], unique=False)
        batch_op.create_index("ix_problems_trace", ["trace_key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index("ix_problems_trace")
        batch_op.drop_index("ix_problems_open")

    op.drop_table("problems")
    op.drop_table("workers")
    op.drop_table("webhook_events")
    op.drop_table("schedule_ticks")
    op.drop_table("links")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_jobs_running_lock",
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        )
        batch_op.drop_index(
            "uq_jobs_pending_dedupe",
            sqlite_where=sa.text("state IN ('queued', 'retrying', 'waiting') AND dedupe_key IS NOT NULL"),
            postgresql_where=sa.text("state IN ('queued', 'retrying', 'waiting') AND dedupe_key IS NOT NULL"),
        )
        batch_op.drop_index("ix_jobs_waiting_on")
        batch_op.drop_index("ix_jobs_lock_state")
        batch_op.drop_index("ix_jobs_claim")

    op.drop_table("jobs")
    op.drop_table("cursors")
