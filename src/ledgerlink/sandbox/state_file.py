"""The one way the store emulators keep state: a SQLite file, one short transaction per request.

Each request opens the file, takes the write lock at once (``BEGIN IMMEDIATE``, so two writers never
deadlock upgrading a read lock), and commits or rolls back as a whole. WAL mode lets seed commands in
another process write while the server reads. Because nothing is held open between requests, the
sandbox survives restarts and several processes can share one state file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

NONCES_SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    consumer_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (consumer_key, nonce)
);
"""


class StateFile:
    """A SQLite state file with ``schema`` created on first use."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect()
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(schema)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 30000")
        return connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one write transaction: committed on success, rolled back on any error."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()


TransactionT = TypeVar("TransactionT")


class StateStore(Generic[TransactionT]):
    """An emulator's state: its schema on a :class:`StateFile`, and transactions wrapped in the
    emulator's own reader and writer (``open_transaction`` is called with the connection)."""

    def __init__(
        self, path: Path, schema: str, open_transaction: Callable[[sqlite3.Connection], TransactionT]
    ) -> None:
        self.file = StateFile(path, schema)
        self.path = self.file.path
        self._open = open_transaction

    @contextmanager
    def transaction(self) -> Iterator[TransactionT]:
        with self.file.transaction() as connection:
            yield self._open(connection)


def remember_nonce(
    connection: sqlite3.Connection, consumer_key: str, nonce: str, timestamp: int, expired_before: int
) -> bool:
    """Record an OAuth 1.0a nonce (table from :data:`NONCES_SCHEMA`); False when this consumer already
    used it inside the window. Nonces older than ``expired_before`` are forgotten."""
    connection.execute("DELETE FROM nonces WHERE ts < ?", (expired_before,))
    cursor = connection.execute(
        "INSERT OR IGNORE INTO nonces (consumer_key, nonce, ts) VALUES (?, ?, ?)",
        (consumer_key, nonce, timestamp),
    )
    return cursor.rowcount == 1
