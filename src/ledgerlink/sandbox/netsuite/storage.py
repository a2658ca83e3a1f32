"""The emulator's state: one SQLite file holding every record as NetSuite JSON plus SuiteQL tables.

Each record is kept twice, in one transaction: as the JSON document the REST record service returns
(``ns_record``), and as rows of tables shaped like NetSuite's SuiteQL analytics tables (``transaction``,
``transactionline``, ``customer``, ``contact``, ``item``, ``currency``, ``subsidiary``, ``location``,
``paymentmethod``, ``pricelevel``, ``term``, ``account``, ``promotioncode``, and from item sublists
``pricing``, ``inventoryitemlocations`` (also readable as ``aggregateItemLocation``) and ``itemmember``)
so that SuiteQL runs on real tables. Saving a record also applies its effects on other records
(:mod:`ledgerlink.sandbox.netsuite.transforms`). The file is opened in WAL mode with a busy
timeout, so a seed command in another process can write while the server reads and writes.

Dates in the SuiteQL tables are stored as ``YYYY-MM-DD HH:MM:SS`` (UTC), which sorts and compares
correctly as text; :mod:`ledgerlink.sandbox.netsuite.suiteql` formats them on the way out.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink.sandbox.netsuite.errors import NetSuiteError
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
        "quantityshiprecv": "NUMERIC",
        "quantitybilled": "NUMERIC",
        "createdfrom": "INTEGER",
        "entity": "INTEGER",
        "expenseaccount": "INTEGER",
        "debitforeignamount": "NUMERIC",
        "creditforeignamount": "NUMERIC",
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
        "pricelevel": "INTEGER",
        "terms": "INTEGER",
        "taxable": "TEXT",
        "parent": "INTEGER",
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
        "parent": "INTEGER",
        "matrixtype": "TEXT",
        "totalquantityonhand": "NUMERIC",
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
    "contact": {
        "id": "INTEGER",
        "entityid": "TEXT",
        "firstname": "TEXT",
        "lastname": "TEXT",
        "email": "TEXT",
        "phone": "TEXT",
        "company": "INTEGER",
        "subsidiary": "INTEGER",
        "isinactive": "TEXT",
        "externalid": "TEXT",
        "lastmodifieddate": "TEXT",
    },
    "pricelevel": {
        "id": "INTEGER",
        "name": "TEXT",
        "discountpct": "NUMERIC",
        "isonline": "TEXT",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    "term": {
        "id": "INTEGER",
        "name": "TEXT",
        "daysuntilnetdue": "INTEGER",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    "account": {
        "id": "INTEGER",
        "acctnumber": "TEXT",
        "accountsearchdisplayname": "TEXT",
        "accttype": "TEXT",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    "promotioncode": {
        "id": "INTEGER",
        "code": "TEXT",
        "name": "TEXT",
        "discount": "INTEGER",
        "rate": "TEXT",
        "isinactive": "TEXT",
        "externalid": "TEXT",
    },
    # Item sublists as SuiteQL shows them: the pricing matrix and the per-location balances.
    "pricing": {
        "item": "INTEGER",
        "pricelevel": "INTEGER",
        "currency": "INTEGER",
        "quantity": "NUMERIC",
        "unitprice": "NUMERIC",
    },
    # Kit and assembly members (the item record's ``member`` sublist).
    "itemmember": {
        "parentitem": "INTEGER",
        "item": "INTEGER",
        "quantity": "NUMERIC",
        "linenumber": "INTEGER",
    },
    "inventoryitemlocations": {
        "item": "INTEGER",
        "location": "INTEGER",
        "quantityonhand": "NUMERIC",
        "quantityavailable": "NUMERIC",
        "quantitycommitted": "NUMERIC",
        "quantityonorder": "NUMERIC",
        "quantitybackordered": "NUMERIC",
        "reorderpoint": "NUMERIC",
        "preferredstocklevel": "NUMERIC",
    },
}
# Tables without an id column of their own: rows hang off a record. table -> (column, record family).
CHILD_TABLES: dict[str, tuple[str, str]] = {
    "transactionline": ("transaction", "transaction"),
    "pricing": ("item", "item"),
    "inventoryitemlocations": ("item", "item"),
    "itemmember": ("parentitem", "item"),
}
# SuiteQL names that read another table: older queries use aggregateItemLocation for the same balances.
VIEWS: dict[str, str] = {
    "aggregateitemlocation": (
        "SELECT item, location, quantityonhand, quantityavailable, quantitycommitted, quantityonorder, "
        'quantitybackordered FROM "inventoryitemlocations"'
    ),
}
SUITEQL_TABLES["aggregateitemlocation"] = {
    name: SUITEQL_TABLES["inventoryitemlocations"][name]
    for name in (
        "item",
        "location",
        "quantityonhand",
        "quantityavailable",
        "quantitycommitted",
        "quantityonorder",
        "quantitybackordered",
    )
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
        if table in VIEWS:
            parts.append(f'CREATE VIEW IF NOT EXISTS "{table}" AS {VIEWS[table]};')
            continue
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        parts.append(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols});')
    for table, (column, _) in CHILD_TABLES.items():
        parts.append(f'CREATE INDEX IF NOT EXISTS "{table}_{column}" ON "{table}" ("{column}");')
    for table in SUITEQL_TABLES:
        if table not in CHILD_TABLES and table not in VIEWS:
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
            _add_missing_columns(conn)

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


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """State files written by an older emulator lack newer SuiteQL columns: add them (empty)."""
    for table, columns in SUITEQL_TABLES.items():
        if table in VIEWS:
            continue
        present = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        for name, kind in columns.items():
            if name not in present:
                conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}')


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


def save(
    conn: sqlite3.Connection, rtype: RecordType, record_id: int, data: dict[str, Any], *, effects: bool = True
) -> None:
    """Insert or replace the record's JSON and its SuiteQL rows.

    With ``effects`` (the default) the save also does what NetSuite does to other records when this one
    changes (see :func:`ledgerlink.sandbox.netsuite.transforms.after_save`): a fulfilment or invoice moves
    its sales order's quantities and status, a sales order commits stock.
    """
    previous = load(conn, rtype.family, record_id) if effects else None
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
    if effects:
        from ledgerlink.sandbox.netsuite import transforms  # a cycle: transforms imports this module

        transforms.after_save(conn, rtype, record_id, data, None if previous is None else previous.data)


DEPENDENT_RECORDS = "THIS_RECORD_CANNOT_BE_DELETED_BECAUSE_IT_HAS_DEPENDENT_RECORDS"


def has_dependents(conn: sqlite3.Connection, rtype: RecordType, record_id: int) -> bool:
    """Whether other records point at this one the way NetSuite protects from deletion: documents made
    from a transaction (or paying it), transactions of a customer, transactions/kits/matrix children
    naming an item."""
    checks: list[tuple[str, tuple[Any, ...]]] = []
    if rtype.family == "transaction":
        checks.append(
            ("SELECT 1 FROM \"transactionline\" WHERE mainline = 'T' AND createdfrom = ?", (record_id,))
        )
        checks.append(
            (
                "SELECT 1 FROM ns_record WHERE type = 'customerPayment' AND data LIKE ?",
                (f'%"doc": {{"id": "{record_id}"}}%',),
            )
        )
    elif rtype.family == "customer":
        checks.append(('SELECT 1 FROM "transaction" WHERE entity = ?', (record_id,)))
    elif rtype.family == "item":
        checks.append(('SELECT 1 FROM "transactionline" WHERE item = ?', (record_id,)))
        checks.append(('SELECT 1 FROM "itemmember" WHERE item = ?', (record_id,)))
        checks.append(('SELECT 1 FROM "item" WHERE parent = ?', (record_id,)))
    return any(conn.execute(f"{sql} LIMIT 1", args).fetchone() is not None for sql, args in checks)


def remove(conn: sqlite3.Connection, rtype: RecordType, record_id: int) -> None:
    """Delete a record; refused (400) while other records depend on it, as NetSuite refuses."""
    if has_dependents(conn, rtype, record_id):
        raise NetSuiteError(
            400,
            DEPENDENT_RECORDS,
            "Error while accessing resource: This record cannot be deleted because it has dependent records.",
        )
    previous = load(conn, rtype.family, record_id)
    conn.execute("DELETE FROM ns_record WHERE family = ? AND id = ?", (rtype.family, record_id))
    conn.execute(f'DELETE FROM "{rtype.family}" WHERE id = ?', (record_id,))
    for table, (column, family) in CHILD_TABLES.items():
        if family == rtype.family:
            conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (record_id,))
    if previous is not None:
        from ledgerlink.sandbox.netsuite import transforms

        transforms.after_remove(conn, rtype, record_id, previous.data)


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


ColumnReader = Callable[[dict[str, Any]], Any]


def _text(name: str) -> ColumnReader:
    return lambda data: data.get(name)


def _reference(name: str) -> ColumnReader:
    return lambda data: _ref(data, name)


def _flag(name: str) -> ColumnReader:
    return lambda data: _bool(data, name)


# Families whose SuiteQL row is a plain reading of body fields: column -> how to read it. Every row also
# carries ``id`` and the columns in _COMMON_COLUMNS; a family not listed here gets ``name`` only.
_COMMON_COLUMNS: dict[str, ColumnReader] = {
    "isinactive": _flag("isInactive"),
    "externalid": _text("externalId"),
}
_SIMPLE_ROWS: dict[str, dict[str, ColumnReader]] = {
    "currency": {
        "name": _text("name"),
        "symbol": _text("symbol"),
        "isbasecurrency": _flag("isBaseCurrency"),
        "exchangerate": _text("exchangeRate"),
    },
    "subsidiary": {
        "name": _text("name"),
        "parent": _reference("parent"),
        "currency": _reference("currency"),
        "iselimination": _flag("isElimination"),
    },
    "location": {"name": _text("name"), "subsidiary": _reference("subsidiary")},
    "contact": {
        "entityid": _text("entityId"),
        "firstname": _text("firstName"),
        "lastname": _text("lastName"),
        "email": _text("email"),
        "phone": _text("phone"),
        "company": _reference("company"),
        "subsidiary": _reference("subsidiary"),
        "lastmodifieddate": lambda data: sql_datetime(data.get("lastModifiedDate")),
    },
    "pricelevel": {"name": _text("name"), "discountpct": _text("discountPct"), "isonline": _flag("isOnline")},
    "term": {"name": _text("name"), "daysuntilnetdue": _text("daysUntilNetDue")},
    "account": {
        "acctnumber": _text("acctNumber"),
        "accountsearchdisplayname": _text("acctName"),
        "accttype": lambda data: _enum_id(data.get("acctType")),
    },
    "promotioncode": {
        "code": _text("code"),
        "name": lambda data: data.get("name") or data.get("code"),
        "discount": _reference("discount"),
        "rate": lambda data: None if data.get("rate") is None else str(data.get("rate")),
    },
}


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
        _project_lines(conn, rtype, record_id, data)
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
            "pricelevel": _ref(data, "priceLevel"),
            "terms": _ref(data, "terms"),
            "taxable": _bool(data, "taxable"),
            "parent": _ref(data, "parent"),
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
            "parent": _ref(data, "parent"),
            "matrixtype": _enum_id(data.get("matrixType")),
            "totalquantityonhand": _total_on_hand(data),
        }
        _project_item_sublists(conn, record_id, data)
    else:
        columns = {**_SIMPLE_ROWS.get(family, {"name": _text("name")}), **_COMMON_COLUMNS}
        row = {"id": record_id, **{column: read(data) for column, read in columns.items()}}
    _replace_row(conn, family, row)


def _enum_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _lines(data: dict[str, Any], sublist: str) -> list[dict[str, Any]]:
    value = data.get(sublist)
    return list(value.get("items", [])) if isinstance(value, dict) else []


def _total_on_hand(data: dict[str, Any]) -> Any:
    lines = _lines(data, "locations")
    if not lines:
        return None
    return sum(Decimal(str(line.get("quantityOnHand") or 0)) for line in lines)


def _project_item_sublists(conn: sqlite3.Connection, item_id: int, data: dict[str, Any]) -> None:
    """``pricing`` rows from the price sublist, ``inventoryitemlocations`` rows from ``locations``."""
    conn.execute('DELETE FROM "pricing" WHERE item = ?', (item_id,))
    conn.execute('DELETE FROM "inventoryitemlocations" WHERE item = ?', (item_id,))
    conn.execute('DELETE FROM "itemmember" WHERE parentitem = ?', (item_id,))
    for number, line in enumerate(_lines(data, "member"), start=1):
        conn.execute(
            'INSERT INTO "itemmember" (parentitem, item, quantity, linenumber) VALUES (?, ?, ?, ?)',
            (item_id, _ref(line, "item"), _sql_value(line.get("quantity")), line.get("lineNumber") or number),
        )
    for line in _lines(data, "price"):
        if line.get("price") is None:
            continue
        quantity = line.get("quantity")
        if isinstance(quantity, dict):
            quantity = quantity.get("value")
        conn.execute(
            'INSERT INTO "pricing" (item, pricelevel, currency, quantity, unitprice) VALUES (?, ?, ?, ?, ?)',
            (
                item_id,
                _ref(line, "priceLevel"),
                _ref(line, "currencyPage"),
                _sql_value(quantity if quantity is not None else 0),
                _sql_value(line["price"]),
            ),
        )
    for line in _lines(data, "locations"):
        conn.execute(
            'INSERT INTO "inventoryitemlocations" (item, location, quantityonhand, quantityavailable, '
            "quantitycommitted, quantityonorder, quantitybackordered, reorderpoint, preferredstocklevel) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                _ref(line, "location"),
                *(
                    _sql_value(line.get(name))
                    for name in (
                        "quantityOnHand",
                        "quantityAvailable",
                        "quantityCommitted",
                        "quantityOnOrder",
                        "quantityBackOrdered",
                        "reorderPoint",
                        "preferredStockLevel",
                    )
                ),
            ),
        )


def _replace_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (row["id"],))
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [_sql_value(v) for v in row.values()])


def _sql_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


# Sales documents keep item lines as negative quantities/amounts (credits to income); returns and credits,
# which reverse a sale, keep them positive; a fulfilment's lines are negative quantities (stock leaving).
_NEGATIVE_LINES = frozenset({"SalesOrd", "CashSale", "CustInvc", "Estimate", "ItemShip"})


def _project_lines(
    conn: sqlite3.Connection, rtype: RecordType, transaction_id: int, data: dict[str, Any]
) -> None:
    """Main line (id 0, no item) plus one row per item (or journal) line, signed as NetSuite stores them."""
    subsidiary = _ref(data, "subsidiary")
    sign = -1 if rtype.code in _NEGATIVE_LINES else 1
    entity = _ref(data, "entity") or _ref(data, "customer")
    created_from = _ref(data, "createdFrom") or _ref(data, "salesOrder")
    total = data.get("total") if data.get("total") is not None else data.get("payment")
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
            "netamount": total,
            "foreignamount": total,
            "mainline": "T",
            "taxline": "F",
            "location": _ref(data, "location"),
            "subsidiary": subsidiary,
            "memo": data.get("memo"),
            "isclosed": "F",
            "createdfrom": created_from,
            "entity": entity,
        },
    )
    for line in _lines(data, "item"):
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
                "itemtype": _enum_id(line.get("itemType")),
                "quantity": None if quantity is None else sign * quantity,
                "rate": line.get("rate"),
                "netamount": None if amount is None else sign * amount,
                "foreignamount": None if amount is None else sign * amount,
                "mainline": "F",
                "taxline": "F",
                "location": _ref(line, "location") or _ref(data, "location"),
                "subsidiary": subsidiary,
                "memo": line.get("description"),
                "isclosed": _bool(line, "isClosed"),
                "quantityshiprecv": line.get("quantityFulfilled"),
                "quantitybilled": line.get("quantityBilled"),
                "createdfrom": created_from,
                "entity": entity,
            },
        )
    for line in _lines(data, "line"):
        number = int(line["line"])
        debit, credit = line.get("debit"), line.get("credit")
        _replace_line(
            conn,
            {
                "transaction": transaction_id,
                "id": number,
                "linesequencenumber": number,
                "uniquekey": transaction_id * 1000 + number,
                "mainline": "F",
                "taxline": "F",
                "subsidiary": subsidiary,
                "memo": line.get("memo"),
                "isclosed": "F",
                "entity": _ref(line, "entity"),
                "expenseaccount": _ref(line, "account"),
                "debitforeignamount": debit,
                "creditforeignamount": credit,
                "netamount": (debit or 0) - (credit or 0),
                "foreignamount": (debit or 0) - (credit or 0),
                "location": _ref(line, "location"),
            },
        )


def _replace_line(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(
        f'INSERT INTO "transactionline" ({names}) VALUES ({marks})', [_sql_value(v) for v in row.values()]
    )
