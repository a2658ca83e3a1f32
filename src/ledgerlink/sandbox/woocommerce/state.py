"""The store's database: one SQLite file holding products, orders, customers, webhooks and nonces.

Each record is kept as its REST document (JSON) next to the few columns the API filters and sorts
on. Every change runs in an IMMEDIATE transaction on a fresh connection, so the seeding helpers can
write into the file while a server process is serving it, and everything survives a restart.
IDs come from WordPress-like sequences: orders and products share the posts sequence (as they share
`wp_posts` IDs on a real store), customers use the users sequence.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerlink.sandbox import state_file
from ledgerlink.sandbox.state_file import NONCES_SCHEMA, remember_nonce

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    status TEXT,
    sku TEXT,
    email TEXT,
    customer_id INTEGER,
    created TEXT,
    modified TEXT,
    sort_name TEXT,
    data TEXT NOT NULL,
    internal TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS records_kind_created ON records (kind, created);
CREATE INDEX IF NOT EXISTS records_kind_modified ON records (kind, modified);
CREATE INDEX IF NOT EXISTS records_kind_sku ON records (kind, sku);
CREATE INDEX IF NOT EXISTS records_kind_email ON records (kind, email);
"""
_SCHEMA = _SCHEMA + NONCES_SCHEMA  # OAuth 1.0a replay protection

# Columns a caller may filter or sort on; anything else is refused before it reaches SQL.
COLUMNS = frozenset({"id", "status", "sku", "email", "customer_id", "created", "modified", "sort_name"})

_FIRST_IDS = {"post": 100, "user": 2, "item": 1, "webhook": 1, "meta": 1000}


@dataclass
class Row:
    """One stored record: its REST document and the emulator's private bookkeeping."""

    kind: str
    id: int
    data: dict[str, Any]
    internal: dict[str, Any]


@dataclass(frozen=True)
class Condition:
    """`column op value` for :meth:`Transaction.select`; op is one of = != > < >= <= in not_in."""

    column: str
    op: str
    value: Any


_OPS = {"=": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}


class Transaction:
    """Reads and writes inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def next_id(self, sequence: str) -> int:
        row = self._db.execute("SELECT value FROM sequences WHERE name = ?", (sequence,)).fetchone()
        value = int(row[0]) if row else _FIRST_IDS.get(sequence, 1)
        self._db.execute(
            "INSERT INTO sequences (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (sequence, value + 1),
        )
        return value

    def get(self, kind: str, record_id: int) -> Row | None:
        row = self._db.execute(
            "SELECT data, internal FROM records WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        if row is None:
            return None
        return Row(kind, record_id, json.loads(row[0]), json.loads(row[1]))

    def put(
        self,
        kind: str,
        record_id: int,
        data: dict[str, Any],
        internal: dict[str, Any] | None = None,
        **columns: Any,
    ) -> None:
        unknown = set(columns) - COLUMNS
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}")
        values = {name: columns.get(name) for name in sorted(COLUMNS - {"id"})}
        self._db.execute(
            "INSERT INTO records (kind, id, status, sku, email, customer_id, created, modified, sort_name, "
            "data, internal) VALUES (:kind, :id, :status, :sku, :email, :customer_id, :created, :modified, "
            ":sort_name, :data, :internal) ON CONFLICT(kind, id) DO UPDATE SET status = excluded.status, "
            "sku = excluded.sku, email = excluded.email, customer_id = excluded.customer_id, "
            "created = excluded.created, modified = excluded.modified, sort_name = excluded.sort_name, "
            "data = excluded.data, internal = excluded.internal",
            {
                "kind": kind,
                "id": record_id,
                **values,
                "data": json.dumps(data),
                "internal": json.dumps(internal or {}),
            },
        )

    def delete(self, kind: str, record_id: int) -> bool:
        cursor = self._db.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))
        return cursor.rowcount > 0

    def _where(self, kind: str, conditions: Sequence[Condition]) -> tuple[str, list[Any]]:
        clauses = ["kind = ?"]
        args: list[Any] = [kind]
        for condition in conditions:
            if condition.column not in COLUMNS:
                raise ValueError(f"cannot filter on {condition.column!r}")
            if condition.op in ("in", "not_in"):
                values = list(condition.value)
                if not values:
                    clauses.append("0" if condition.op == "in" else "1")
                    continue
                marks = ", ".join("?" for _ in values)
                negate = "NOT " if condition.op == "not_in" else ""
                clauses.append(f"{condition.column} {negate}IN ({marks})")
                args.extend(values)
            else:
                clauses.append(f"{condition.column} {_OPS[condition.op]} ?")
                args.append(condition.value)
        return " AND ".join(clauses), args

    def count(self, kind: str, conditions: Sequence[Condition] = ()) -> int:
        where, args = self._where(kind, conditions)
        return int(self._db.execute(f"SELECT COUNT(*) FROM records WHERE {where}", args).fetchone()[0])

    def select(
        self,
        kind: str,
        conditions: Sequence[Condition] = (),
        *,
        order_by: Sequence[tuple[str, bool]] = (("id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Row]:
        """Rows matching all conditions, sorted by (column, descending) pairs."""
        where, args = self._where(kind, conditions)
        for column, _ in order_by:
            if column not in COLUMNS:
                raise ValueError(f"cannot sort on {column!r}")
        ordering = ", ".join(f"{column} {'DESC' if desc else 'ASC'}" for column, desc in order_by)
        sql = f"SELECT id, data, internal FROM records WHERE {where} ORDER BY {ordering}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args.extend([limit, offset])
        return [Row(kind, int(r[0]), json.loads(r[1]), json.loads(r[2])) for r in self._db.execute(sql, args)]

    def remember_nonce(self, consumer_key: str, nonce: str, timestamp: int, expired_before: int) -> bool:
        """Record a nonce; False when it was already used inside the window."""
        return remember_nonce(self._db, consumer_key, nonce, timestamp, expired_before)


class StateStore(state_file.StateStore[Transaction]):
    """Opens transactions on the state file; creates the schema on first use."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, Transaction)

    def remember_nonce(self, consumer_key: str, nonce: str, timestamp: int, expired_before: int) -> bool:
        with self.transaction() as tx:
            return tx.remember_nonce(consumer_key, nonce, timestamp, expired_before)
