"""The store's database: one SQLite file of JSON documents, so the store survives a restart.

Each record (order, product, customer, source item, shipment, invoice, credit memo, bulk) is kept as
its REST document under (kind, key). Sandbox stores are small, so searches load a kind and filter in
Python, exactly as the searchCriteria rules say. Every change runs in an IMMEDIATE transaction on a
fresh connection, so the seeding helpers can write while a server process serves the same file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ledgerlink.sandbox import state_file
from ledgerlink.sandbox.state_file import NONCES_SCHEMA, remember_nonce

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""
_SCHEMA = _SCHEMA + NONCES_SCHEMA  # OAuth 1.0a replay protection


class Transaction:
    """Reads and writes inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def next_id(self, sequence: str) -> int:
        row = self._db.execute("SELECT value FROM sequences WHERE name = ?", (sequence,)).fetchone()
        value = int(row[0]) if row else 1
        self._db.execute(
            "INSERT INTO sequences (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (sequence, value + 1),
        )
        return value

    def get(self, kind: str, key: str | int) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT data FROM docs WHERE kind = ? AND key = ?", (kind, str(key))
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, kind: str, key: str | int, data: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO docs (kind, key, data) VALUES (?, ?, ?) "
            "ON CONFLICT(kind, key) DO UPDATE SET data = excluded.data",
            (kind, str(key), json.dumps(data)),
        )

    def delete(self, kind: str, key: str | int) -> bool:
        return self._db.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, str(key))).rowcount > 0

    def all(self, kind: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT data FROM docs WHERE kind = ? ORDER BY rowid", (kind,))
        return [dict(json.loads(row[0])) for row in rows]

    def remember_nonce(self, consumer_key: str, nonce: str, timestamp: int, expired_before: int) -> bool:
        """Record a nonce; False when this consumer already used it."""
        return remember_nonce(self._db, consumer_key, nonce, timestamp, expired_before)


class StateStore(state_file.StateStore[Transaction]):
    """Opens transactions on the state file; creates the schema on first use."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, Transaction)
