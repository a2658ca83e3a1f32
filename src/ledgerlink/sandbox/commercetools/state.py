"""The project's database: one SQLite file holding every resource as its JSON document, and the tokens.

Each change runs in an IMMEDIATE transaction on a fresh connection, so the seeding helpers can write
into the file while a server process serves it, and everything (tokens included) survives a restart.
``lastModifiedAt`` comes from :meth:`Transaction.stamp`: the wall clock in milliseconds, moved forward
past the latest stamp already written, so every change is strictly later than the one before it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ledgerlink.sandbox import state_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    key TEXT,
    modified TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS resources_kind_key ON resources (kind, key);
CREATE INDEX IF NOT EXISTS resources_modified ON resources (modified);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def format_time(moment: datetime) -> str:
    """commercetools' time format: UTC, milliseconds, ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Transaction:
    """Reads and writes inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT data FROM resources WHERE kind = ? AND id = ?", (kind, record_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def by_key(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT data FROM resources WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT data FROM resources WHERE kind = ? ORDER BY rowid", (kind,))
        return [json.loads(row[0]) for row in rows]

    def put(self, kind: str, document: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace ``document`` as it is (its version and times are the caller's)."""
        self._db.execute(
            "INSERT INTO resources (kind, id, key, modified, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, modified = excluded.modified, "
            "data = excluded.data",
            (kind, document["id"], document.get("key"), document["lastModifiedAt"], json.dumps(document)),
        )
        return document

    def delete(self, kind: str, record_id: str) -> None:
        self._db.execute("DELETE FROM resources WHERE kind = ? AND id = ?", (kind, record_id))

    def stamp(self, now: datetime | None = None) -> str:
        """A ``lastModifiedAt`` later than every one already written."""
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        row = self._db.execute("SELECT MAX(modified) FROM resources").fetchone()
        if row and row[0]:
            latest = parse_time(row[0])
            if moment <= latest:
                moment = latest + timedelta(milliseconds=1)
        return format_time(moment)

    def next_value(self, name: str, first: int = 1) -> int:
        row = self._db.execute("SELECT value FROM sequences WHERE name = ?", (name,)).fetchone()
        value = first if row is None else int(row[0]) + 1
        self._db.execute(
            "INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ?",
            (name, value, value),
        )
        return value

    def save_token(self, token: str, client_id: str, scopes: list[str], expires_at: float) -> None:
        self._db.execute(
            "INSERT INTO tokens (token, client_id, scopes, expires_at) VALUES (?, ?, ?, ?)",
            (token, client_id, " ".join(scopes), expires_at),
        )

    def find_token(self, token: str) -> tuple[str, list[str], float] | None:
        row = self._db.execute(
            "SELECT client_id, scopes, expires_at FROM tokens WHERE token = ?", (token,)
        ).fetchone()
        return (str(row[0]), str(row[1]).split(), float(row[2])) if row else None

    def revoke_tokens(self, client_id: str | None = None) -> None:
        if client_id is None:
            self._db.execute("DELETE FROM tokens")
        else:
            self._db.execute("DELETE FROM tokens WHERE client_id = ?", (client_id,))


class StateStore(state_file.StateStore[Transaction]):
    """Opens the state file for each transaction; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA, Transaction)
