"""Delta cursors: where a flow's scheduled read resumes.

A cursor stores the largest *source* modified-at seen (plus the record id at that instant), never our
wall clock: the store's clock and ours disagree, and records committed late would otherwise be skipped.
Reads start ``overlap`` seconds before the cursor so nothing at the boundary is lost; what is read twice
is harmless because jobs dedupe and links skip unchanged records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.store.tables import cursors


@dataclass(frozen=True)
class Cursor:
    flow: str
    modified_at: float | None
    record_id: str | None

    def window_start(self, overlap_seconds: float) -> float:
        return 0.0 if self.modified_at is None else max(0.0, self.modified_at - overlap_seconds)


def read_cursor(engine: Engine, flow: str) -> Cursor:
    with engine.connect() as connection:
        row = connection.execute(select(cursors).where(cursors.c.flow == flow)).mappings().first()
    if row is None:
        return Cursor(flow, None, None)
    return Cursor(flow, row["modified_at"], row["record_id"])


def advance_cursor(connection: Connection, flow: str, modified_at: float, record_id: str | None) -> None:
    """Move the cursor forward, never back (two overlapping reads may finish in either order)."""
    current = connection.execute(select(cursors.c.modified_at).where(cursors.c.flow == flow)).scalar()
    if current is not None and current >= modified_at:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    values = {"flow": flow, "modified_at": modified_at, "record_id": record_id, "updated_at": time.time()}
    statement = insert(cursors).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["flow"],
            set_={k: statement.excluded[k] for k in ("modified_at", "record_id", "updated_at")},
        )
    )
