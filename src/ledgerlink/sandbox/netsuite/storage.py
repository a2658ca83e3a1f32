"""The emulator's state: one SQLite file holding every record as NetSuite JSON plus SuiteQL tables.

Each record is kept twice, in one transaction: as the JSON document the REST record service returns
(``ns_record``), and as rows of tables shaped like NetSuite's SuiteQL analytics tables (``transaction``,
``transactionline``, ``customer``, ``item``, ``currency``, ``subsidiary``, ``location``,
``paymentmethod``) so that SuiteQL runs on real tables. The file is opened in WAL mode with a busy
timeout, so a seed command in another process can write while the server reads and writes.

Dates in the SuiteQL tables are stored as ``YYYY-MM-DD HH:MM:SS`` (UTC), which sorts and compares
correctly as text; :mod:`ledgerlink.sandbox.netsuite.suiteql` formats them on the way out.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.netsuite.types import BY_NAME, RecordType

# SuiteQL tables: column -> SQLite declared type. The SuiteQL engine validates queries against these.
SUITEQL_TABLES: dict[str, dict[str, str]] = {
    "transaction": {
        "id": "INTEGER",
        "tranid": "TEXT",
        "type": "TEXT",
        "recordtype": "TEXT",
        "entity": "INTEGER",
        "currency": "INTEGER",
        "subsidiary": "INTEGER",
        "location": "INTEGER",
        "shipmethod": "INTEGER",
        "status": "TEXT",
        "trandate": "TEXT",
        "externalid": "TEXT",
        "lastmodifieddate": "TEXT",
        "createddate": "TEXT",
        "foreigntotal": "NUMERIC",
        "exchangerate": "NUMERIC",
        "memo": "TEXT",
        "otherrefnum": "TEXT",
        "email": "TEXT",
    },
    "transactionline": {
        "transaction": "INTEGER",
        "id": "INTEGER",
        "linesequencenumber": "INTEGER",
        "uniquekey": "INTEGER",
        "item": "INTEGER",
        "itemtype": "TEXT",
        "quantity": "NUMERIC",
        "rate": "NUMERIC",
        "netamount": "NUMERIC",
        "foreignamount": "NUMERIC",
        "mainline": "TEXT",
        "taxline": "TEXT",
        "location": "INTEGER",
        "subsidiary": "INTEGER",
        "memo": "TEXT",
        "isclosed": "TEXT",
    },
    "customer": {
        "id": "INTEGER",
        "entityid": "TEXT",
        "externalid": "TEXT",
        "email": "TEXT",
        "phone": "TEXT",
        "firstname": "TEXT",
        "lastname": "TEXT",
        "companyname": "TEXT",
        "isperson": "TEXT",
        "subsidiary": "INTEGER",
        "currency": "INTEGER",
        "lastmodifieddate": "TEXT",
        "datecreated": "TEXT",
        "isinactive": "TEXT",
    },
    "item": {
        "id": "INTEGER",
        "itemid": "TEXT",
        "fullname": "TEXT",
        "displayname": "TEXT",
        "description": "TEXT",
        "itemtype": "TEXT",
        "externalid": "TEXT",
        "isinactive": "TEXT",
        "upccode": "TEXT",
        "lastmodifieddate": "TEXT",
        "createddate": "TEXT",
    },
    "currency": {
        "id": "INTEGER",
        "name": "TEXT",
        "symbol": "TEXT",
        "isbasecurrency": "TEXT",
        "exchangerate": "NUMERIC",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    "subsidiary": {
        "id": "INTEGER",
        "name": "TEXT",
        "parent": "INTEGER",
        "currency": "INTEGER",
        "isinactive": "TEXT",
        "iselimination": "TEXT",
        "externalid": "TEXT",
    },
    "location": {
        "id": "INTEGER",
        "name": "TEXT",
        "subsidiary": "INTEGER",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    "paymentmethod": {"id": "INTEGER", "name": "TEXT", "isinactive": "TEXT", "externalid": "TEXT"},
}
DATE_COLUMNS = frozenset({"trandate", "lastmodifieddate", "createddate", "datecreated"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ns_record (
    family TEXT NOT NULL, id INTEGER NOT NULL, type TEXT NOT NULL, externalid TEXT, data TEXT NOT NULL,
    PRIMARY KEY (family, id));
CREATE UNIQUE INDEX IF NOT EXISTS ns_record_externalid ON ns_record (type, externalid)
    WHERE externalid IS NOT NULL;
CREATE INDEX IF NOT EXISTS ns_record_type ON ns_record (type, id);
CREATE TABLE IF NOT EXISTS ns_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def _suiteql_ddl() -> str:
    parts = []
    for table, columns in SUITEQL_TABLES.items():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        parts.append(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols});')
    parts.append(
        'CREATE INDEX IF NOT EXISTS transactionline_transaction ON "transactionline" ("transaction");'
    )
    for table in SUITEQL_TABLES:
        if table != "transactionline":
            parts.append(f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}_id" ON "{table}" ("id");')
    return "\n".join(parts)


@dataclass(frozen=True)
class StoredRecord:
    type: RecordType
    id: int
    data: dict[str, Any]


class Store:
    """Access to the state file. Every call opens a short-lived connection; writes take the write lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(_SCHEMA + _suiteql_ddl())

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode, for reads and for schema work."""
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside ``BEGIN IMMEDIATE``: committed on success, rolled back on any exception."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()


def next_value(conn: sqlite3.Connection, name: str, start: int = 1) -> int:
    """Next number of a named sequence (internal ids per family, document numbers per prefix)."""
    row = conn.execute("SELECT value FROM ns_sequence WHERE name = ?", (name,)).fetchone()
    value = start if row is None else int(row["value"]) + 1
    conn.execute(
        "INSERT INTO ns_sequence (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = ?",
        (name, value, value),
    )
    return value


def raise_sequence(conn: sqlite3.Connection, name: str, at_least: int) -> None:
    """Make sure the sequence never hands out ``at_least`` or anything below it (ids reserved by the seed)."""
    conn.execute(
        "INSERT INTO ns_sequence (name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)",
        (name, at_least),
    )


def load(conn: sqlite3.Connection, family: str, record_id: int) -> StoredRecord | None:
    row = conn.execute(
        "SELECT type, id, data FROM ns_record WHERE family = ? AND id = ?", (family, record_id)
    ).fetchone()
    if row is None:
        return None
    return StoredRecord(BY_NAME[row["type"].lower()], int(row["id"]), json.loads(row["data"]))


def find_external(conn: sqlite3.Connection, rtype: RecordType, external_id: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM ns_record WHERE type = ? AND externalid = ?", (rtype.name, external_id)
    ).fetchone()
    return None if row is None else int(row["id"])


def list_ids(conn: sqlite3.Connection, rtype: RecordType, limit: int, offset: int) -> tuple[list[int], int]:
    total = conn.execute("SELECT COUNT(*) FROM ns_record WHERE type = ?", (rtype.name,)).fetchone()[0]
    rows = conn.execute(
        "SELECT id FROM ns_record WHERE type = ? ORDER BY id LIMIT ? OFFSET ?", (rtype.name, limit, offset)
    ).fetchall()
    return [int(r["id"]) for r in rows], int(total)


def save(conn: sqlite3.Connection, rtype: RecordType, record_id: int, data: dict[str, Any]) -> None:
    """Insert or replace the record's JSON and its SuiteQL rows."""
    conn.execute(
        "INSERT INTO ns_record (family, id, type, externalid, data) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(family, id) DO UPDATE SET type = excluded.type, externalid = excluded.externalid, "
        "data = excluded.data",
        (
            rtype.family,
            record_id,
            rtype.name,
            data.get("externalId"),
            json.dumps(data, default=_json_default),
        ),
    )
    _project(conn, rtype, record_id, data)


def remove(conn: sqlite3.Connection, rtype: RecordType, record_id: int) -> None:
    conn.execute("DELETE FROM ns_record WHERE family = ? AND id = ?", (rtype.family, record_id))
    conn.execute(f'DELETE FROM "{rtype.family}" WHERE id = ?', (record_id,))
    if rtype.family == "transaction":
        conn.execute('DELETE FROM "transactionline" WHERE "transaction" = ?', (record_id,))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} in a record")


def sql_datetime(iso: str | None) -> str | None:
    """``2026-11-22T10:15:30Z`` or ``2026-11-22`` -> ``2026-11-22 10:15:30`` / ``2026-11-22 00:00:00``."""
    if not iso:
        return None
    text = iso.rstrip("Z").replace("T", " ")
    if len(text) == 10:
        text += " 00:00:00"
    return text[:19]


def _ref(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if isinstance(value, dict) and value.get("id") not in (None, ""):
        return int(value["id"])
    return None


def _bool(data: dict[str, Any], name: str, default: bool = False) -> str:
    return "T" if data.get(name, default) else "F"


def _project(conn: sqlite3.Connection, rtype: RecordType, record_id: int, data: dict[str, Any]) -> None:
    family = rtype.family
    row: dict[str, Any]
    if family == "transaction":
        status = data.get("status") or {}
        row = {
            "id": record_id,
            "tranid": data.get("tranId"),
            "type": rtype.code,
            "recordtype": rtype.name.lower(),
            "entity": _ref(data, "entity"),
            "currency": _ref(data, "currency"),
            "subsidiary": _ref(data, "subsidiary"),
            "location": _ref(data, "location"),
            "shipmethod": _ref(data, "shipMethod"),
            "status": status.get("id"),
            "trandate": sql_datetime(data.get("tranDate")),
            "externalid": data.get("externalId"),
            "lastmodifieddate": sql_datetime(data.get("lastModifiedDate")),
            "createddate": sql_datetime(data.get("createdDate")),
            "foreigntotal": data.get("total"),
            "exchangerate": data.get("exchangeRate"),
            "memo": data.get("memo"),
            "otherrefnum": data.get("otherRefNum"),
            "email": data.get("email"),
        }
        conn.execute('DELETE FROM "transactionline" WHERE "transaction" = ?', (record_id,))
        _project_lines(conn, record_id, data)
    elif family == "customer":
        row = {
            "id": record_id,
            "entityid": data.get("entityId"),
            "externalid": data.get("externalId"),
            "email": data.get("email"),
            "phone": data.get("phone"),
            "firstname": data.get("firstName"),
            "lastname": data.get("lastName"),
            "companyname": data.get("companyName"),
            "isperson": _bool(data, "isPerson"),
            "subsidiary": _ref(data, "subsidiary"),
            "currency": _ref(data, "currency"),
            "lastmodifieddate": sql_datetime(data.get("lastModifiedDate")),
            "datecreated": sql_datetime(data.get("dateCreated")),
            "isinactive": _bool(data, "isInactive"),
        }
    elif family == "item":
        row = {
            "id": record_id,
            "itemid": data.get("itemId"),
            "fullname": data.get("itemId"),
            "displayname": data.get("displayName"),
            "description": data.get("description"),
            "itemtype": rtype.code,
            "externalid": data.get("externalId"),
            "isinactive": _bool(data, "isInactive"),
            "upccode": data.get("upcCode"),
            "lastmodifieddate": sql_datetime(data.get("lastModifiedDate")),
            "createddate": sql_datetime(data.get("createdDate")),
        }
    elif family == "currency":
        row = {
            "id": record_id,
            "name": data.get("name"),
            "symbol": data.get("symbol"),
            "isbasecurrency": _bool(data, "isBaseCurrency"),
            "exchangerate": data.get("exchangeRate"),
            "isinactive": _bool(data, "isInactive"),
            "externalid": data.get("externalId"),
        }
    elif family == "subsidiary":
        row = {
            "id": record_id,
            "name": data.get("name"),
            "parent": _ref(data, "parent"),
            "currency": _ref(data, "currency"),
            "isinactive": _bool(data, "isInactive"),
            "iselimination": _bool(data, "isElimination"),
            "externalid": data.get("externalId"),
        }
    elif family == "location":
        row = {
            "id": record_id,
            "name": data.get("name"),
            "subsidiary": _ref(data, "subsidiary"),
            "isinactive": _bool(data, "isInactive"),
            "externalid": data.get("externalId"),
        }
    else:
        row = {
            "id": record_id,
            "name": data.get("name"),
            "isinactive": _bool(data, "isInactive"),
            "externalid": data.get("externalId"),
        }
    _replace_row(conn, family, row)


def _replace_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (row["id"],))
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [_sql_value(v) for v in row.values()])


def _sql_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _project_lines(conn: sqlite3.Connection, transaction_id: int, data: dict[str, Any]) -> None:
    """Main line (id 0, no item) plus one row per item line, signed as NetSuite stores sales lines.

    On sales transactions NetSuite's ``transactionline`` keeps item quantities and amounts as negative
    numbers (credits to income); the main line carries the transaction total. Rates stay as entered.
    """
    subsidiary = _ref(data, "subsidiary")
    _replace_line(
        conn,
        {
            "transaction": transaction_id,
            "id": 0,
            "linesequencenumber": 0,
            "uniquekey": transaction_id * 1000,
            "item": None,
            "itemtype": None,
            "quantity": None,
            "rate": None,
            "netamount": data.get("total"),
            "foreignamount": data.get("total"),
            "mainline": "T",
            "taxline": "F",
            "location": _ref(data, "location"),
            "subsidiary": subsidiary,
            "memo": data.get("memo"),
            "isclosed": "F",
        },
    )
    for line in (data.get("item") or {}).get("items", []):
        number = int(line["line"])
        amount = line.get("amount")
        quantity = line.get("quantity")
        _replace_line(
            conn,
            {
                "transaction": transaction_id,
                "id": number,
                "linesequencenumber": number,
                "uniquekey": transaction_id * 1000 + number,
                "item": _ref(line, "item"),
                "itemtype": line.get("itemType", {}).get("id")
                if isinstance(line.get("itemType"), dict)
                else None,
                "quantity": None if quantity is None else -quantity,
                "rate": line.get("rate"),
                "netamount": None if amount is None else -amount,
                "foreignamount": None if amount is None else -amount,
                "mainline": "F",
                "taxline": "F",
                "location": _ref(line, "location") or _ref(data, "location"),
                "subsidiary": subsidiary,
                "memo": line.get("description"),
                "isclosed": _bool(line, "isClosed"),
            },
        )


def _replace_line(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(
        f'INSERT INTO "transactionline" ({names}) VALUES ({marks})', [_sql_value(v) for v in row.values()]
    )
