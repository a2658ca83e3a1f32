"""The engine's tables. One metadata, shared by SQLite (the default) and PostgreSQL.

Times are epoch seconds (floats): comparable, portable, and cheap to index on both backends.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from ledgerlink.engine.job_rules import live_sql

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

LIVE = live_sql()  # queued, retrying, waiting, running: at most one job per dedupe key among them

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),  # handler name, e.g. "orders.sync"
    Column("flow", String(200), nullable=False),  # e.g. "orders:woo->netsuite"
    Column("record_key", String(200), nullable=False),  # what the job is about, e.g. the store order id
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # queued running waiting retrying failed dead done
    Column("lane", String(32), nullable=False, server_default="default"),
    Column("priority", Integer, nullable=False, server_default="100"),  # lower runs first
    Column("dedupe_key", String(300)),  # at most one live job per key (engine/job_rules.py)
    Column("lock_key", String(300), nullable=False),  # at most one running job per key
    Column("provides", String(300)),  # the dependency key this job satisfies when done
    Column("waiting_on", String(300)),  # the dependency key a waiting job needs
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False, server_default="8"),
    Column("run_at", Float, nullable=False),
    Column("worker", String(100)),
    Column("lease_until", Float),
    Column("problem", JSON),
    Column("result", JSON),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("rerun", Integer, nullable=False, server_default="0"),  # run once more after this run
    Index(
        "uq_jobs_live_dedupe",
        "dedupe_key",
        unique=True,
        sqlite_where=text(f"{LIVE} AND dedupe_key IS NOT NULL"),
        postgresql_where=text(f"{LIVE} AND dedupe_key IS NOT NULL"),
    ),
    Index(
        "uq_jobs_running_lock",
        "lock_key",
        unique=True,
        sqlite_where=text("state = 'running'"),
        postgresql_where=text("state = 'running'"),
    ),
    Index("ix_jobs_claim", "state", "priority", "run_at", "id"),
    # Runnable jobs in claim order: a claim reads the first rows of this index and stops, however long
    # the backlog (an index led by ``state`` cannot give that order across two states).
    Index(
        "ix_jobs_runnable",
        "priority",
        "run_at",
        "id",
        sqlite_where=text("state IN ('queued', 'retrying')"),
        postgresql_where=text("state IN ('queued', 'retrying')"),
    ),
    Index("ix_jobs_lock_state", "lock_key", "state"),
    Index("ix_jobs_waiting_on", "waiting_on"),
    Index(
        "ix_jobs_provides",
        "provides",
        sqlite_where=text("provides IS NOT NULL"),
        postgresql_where=text("provides IS NOT NULL"),
    ),
    Index("ix_jobs_finished", "state", "finished_at"),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # order, customer, item
    Column("source", String(100), nullable=False),  # connection that owns the record
    Column("source_id", String(200), nullable=False),
    Column("target", String(100), nullable=False),  # connection the record was written to
    Column("target_id", String(200), nullable=False),  # e.g. NetSuite internal id
    Column("external_id", String(300), nullable=False),  # what the target knows it by
    Column("fingerprint", String(64)),  # hash of what was last written
    Column("source_modified_at", Float),
    Column("synced_at", Float, nullable=False),
    Column("details", JSON),
    UniqueConstraint("kind", "source", "source_id", "target", name="uq_links_source"),
    # A NetSuite transaction belongs to one store record; a NetSuite customer may be several store
    # identities (a guest checkout and a later account with the same e-mail), so customers are exempt.
    Index(
        "uq_links_target",
        "kind",
        "target",
        "target_id",
        "source",
        unique=True,
        sqlite_where=text("kind <> 'customer'"),
        postgresql_where=text("kind <> 'customer'"),
    ),
    Index("ix_links_target", "kind", "target", "target_id"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("flow", String(200), primary_key=True),
    Column("modified_at", Float),  # the largest source modified-at seen, not the wall clock
    Column("record_id", String(200)),  # tie-break at that instant
    Column("updated_at", Float, nullable=False),
)

problems = Table(
    "problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("flow", String(200), nullable=False),
    Column("trace_key", String(300), nullable=False),  # the record, so later successes resolve it
    Column("code", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("team", String(32), nullable=False),
    Column("what", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("fix", Text, nullable=False),
    Column("details", JSON),
    Column("attempt", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("resolved_at", Float),
    Index("ix_problems_open", "resolved_at", "code"),
    Index("ix_problems_trace", "trace_key"),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connection", String(100), nullable=False),
    Column("topic", String(100), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("delivery_id", String(200)),
    Column("received_at", Float, nullable=False),
    Column("job_id", Integer),
)

schedule_ticks = Table(
    "schedule_ticks",
    metadata,
    Column("schedule", String(200), primary_key=True),
    Column("tick", Integer, primary_key=True),  # period number; the primary key makes each tick fire once
    Column("fired_at", Float, nullable=False),
)

workers = Table(
    "workers",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("role", String(32), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
)

governor_state = Table(
    "governor_state",
    metadata,
    Column("connection", String(100), primary_key=True),
    Column("ceiling", Integer, nullable=False),  # never more than this many in flight
    Column("limit_value", Float, nullable=False),  # the learned limit, between 1 and the ceiling
    Column("blocked_until", Float, nullable=False, server_default="0"),  # Retry-After from the remote
    Column("last_decrease_at", Float, nullable=False, server_default="0"),
    Column("rate_limited", Integer, nullable=False, server_default="0"),
    Column("updated_at", Float, nullable=False),
)

governor_slots = Table(
    "governor_slots",
    metadata,
    Column("connection", String(100), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("holder", String(100)),  # who holds it; free when null or when the lease has expired
    Column("lease_until", Float),
)

# A connection-level failure (credentials refused, host unreachable, a maintenance window, an https://
# URL on a plain-HTTP port): one row per outage instead of one failed job per record. Jobs that meet it
# wait on ``incident:<connection>`` and resume when a probe closes the incident.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connection", String(100), nullable=False),
    Column("code", String(64), nullable=False),
    Column("problem", JSON, nullable=False),  # what, why, fix, team (and the connector's details)
    Column("opened_at", Float, nullable=False),
    Column("last_probe_at", Float),
    Column("next_probe_at", Float, nullable=False),
    Column("probes", Integer, nullable=False, server_default="0"),  # failed probes so far
    Column("closed_at", Float),
    # At most one open incident per connection, so that every process that meets the failure finds the
    # same incident instead of opening its own.
    Index(
        "uq_incidents_open",
        "connection",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
    Index("ix_incidents_opened", "opened_at"),
)
