"""Links: the cross-reference of one record in two connections, and the fingerprint last written.

The unique constraints on the links table are the idempotency guard: a record can be linked once per
target, whatever races happen. Writes go through :func:`upsert_link` inside the transaction that
completes the job, so a job is never "done" without its link, nor linked without being done.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.store.tables import links


@dataclass(frozen=True)
class LinkWrite:
    kind: str
    source: str
    source_id: str
    target: str
    target_id: str
    external_id: str
    fingerprint: str | None = None
    source_modified_at: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    kind: str
    source: str
    source_id: str
    target: str
    target_id: str
    external_id: str
    fingerprint: str | None
    source_modified_at: float | None
    synced_at: float
    details: dict[str, Any] = field(default_factory=dict)


def fingerprint(payload: Any) -> str:
    """A stable hash of what we write, so an unchanged record is not written again."""
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def upsert_link(connection: Connection, write: LinkWrite, *, now: float | None = None) -> None:
    values = {
        "kind": write.kind,
        "source": write.source,
        "source_id": write.source_id,
        "target": write.target,
        "target_id": write.target_id,
        "external_id": write.external_id,
        "fingerprint": write.fingerprint,
        "source_modified_at": write.source_modified_at,
        "synced_at": now if now is not None else time.time(),
        "details": write.details or None,
    }
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(links).values(**values)
    update = {
        k: statement.excluded[k]
        for k in ("target_id", "external_id", "fingerprint", "source_modified_at", "synced_at", "details")
    }
    connection.execute(
        statement.on_conflict_do_update(index_elements=["kind", "source", "source_id", "target"], set_=update)
    )


class Links:
    """Read access to links for flows; writes happen through job completion."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, kind: str, source: str, source_id: str, target: str) -> Link | None:
        query = select(links).where(
            links.c.kind == kind,
            links.c.source == source,
            links.c.source_id == source_id,
            links.c.target == target,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return _link(row) if row else None

    def count(self, kind: str | None = None) -> int:
        from sqlalchemy import func

        query = select(func.count()).select_from(links)
        if kind:
            query = query.where(links.c.kind == kind)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def all(self, kind: str, source: str | None = None) -> list[Link]:
        query = select(links).where(links.c.kind == kind).order_by(links.c.id)
        if source:
            query = query.where(links.c.source == source)
        with self.engine.connect() as connection:
            return [_link(row) for row in connection.execute(query).mappings()]


def _link(row: Any) -> Link:
    return Link(
        kind=row["kind"],
        source=row["source"],
        source_id=row["source_id"],
        target=row["target"],
        target_id=row["target_id"],
        external_id=row["external_id"],
        fingerprint=row["fingerprint"],
        source_modified_at=row["source_modified_at"],
        synced_at=row["synced_at"],
        details=row["details"] or {},
    )
