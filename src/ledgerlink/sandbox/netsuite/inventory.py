"""Per-location inventory: what the ``locations`` sublist of an inventory item and SuiteQL's
``inventoryitemlocations`` table show.

Why that table: it is the one public SuiteQL integrations read per-location stock from (item, location,
quantityonhand, quantityavailable, quantitycommitted, quantityonorder, quantitybackordered; third-party
code, not a vendor list), and its columns match the REST ``locations`` sublist's
(``inventoryItem-locationsElement`` in the REST API Browser). ``aggregateItemLocation``, an older name
for the same balances, is answered from the same rows.

``quantityOnHand`` and ``quantityOnOrder`` are the stock (set by the seed or a client writing the item;
a real account moves them with inventory adjustments and receipts). The emulator keeps the rest as
NetSuite derives it:

* demand at a location = what open sales orders (approved, not cancelled or closed) still have to ship
  there, line by line (ordered - fulfilled, closed lines excluded);
* ``quantityCommitted`` = the part of that demand on-hand stock covers, ``quantityBackOrdered`` the rest,
  ``quantityAvailable`` = on hand - committed;
* an item fulfilment takes its quantities off ``quantityOnHand`` at the line's location (and puts them
  back when it is deleted or reduced); an item receipt of a return puts them back on.

A kit is not stocked itself: a kit line commits, backorders and ships its members (``itemmember``
rows, the kit's ``member`` sublist) times the kit quantity. Assemblies are stocked as themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.netsuite import storage

STOCKED_CODES = frozenset({"InvtPart", "Assembly"})


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _location_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    value = data.setdefault("locations", {"items": []})
    items: list[dict[str, Any]] = value.setdefault("items", [])
    return items


def _line_for(lines: list[dict[str, Any]], location: str) -> dict[str, Any]:
    for line in lines:
        if str((line.get("location") or {}).get("id")) == location:
            return line
    line = {"location": {"id": location}, "quantityOnHand": 0.0, "quantityOnOrder": 0.0}
    lines.append(line)
    return line


def recompute(conn: sqlite3.Connection, item_ids: Iterable[int]) -> None:
    """Refresh committed/backordered/available quantities of these items from open sales orders."""
    for item_id in sorted(set(item_ids)):
        item = storage.load(conn, "item", item_id)
        if item is None or item.type.code not in STOCKED_CODES:
            continue
        demand: dict[str, Decimal] = {}
        rows = conn.execute(
            "SELECT tl.location AS location, SUM(-tl.quantity - COALESCE(tl.quantityshiprecv, 0)) AS demand "
            'FROM "transactionline" tl JOIN "transaction" t ON t.id = tl."transaction" '
            "WHERE t.type = 'SalesOrd' AND COALESCE(t.status, 'B') NOT IN ('A', 'C', 'H') "
            "AND tl.mainline = 'F' AND tl.isclosed = 'F' AND tl.item = ? GROUP BY tl.location",
            (item_id,),
        ).fetchall()
        kit_rows = conn.execute(
            "SELECT tl.location AS location, "
            "SUM((-tl.quantity - COALESCE(tl.quantityshiprecv, 0)) * im.quantity) AS demand "
            'FROM "transactionline" tl JOIN "transaction" t ON t.id = tl."transaction" '
            'JOIN "itemmember" im ON im.parentitem = tl.item '
            "WHERE t.type = 'SalesOrd' AND COALESCE(t.status, 'B') NOT IN ('A', 'C', 'H') "
            "AND tl.mainline = 'F' AND tl.isclosed = 'F' AND tl.itemtype = 'Kit' AND im.item = ? "
            "GROUP BY tl.location",
            (item_id,),
        ).fetchall()
        for row in [*rows, *kit_rows]:
            if row["location"] is not None and row["demand"] is not None:
                location = str(row["location"])
                demand[location] = max(demand.get(location, Decimal(0)) + _number(row["demand"]), Decimal(0))
        data = item.data
        if not data.get("locations") and not demand:
            continue
        before = repr(data.get("locations"))
        lines = _location_lines(data)
        for location in demand:
            _line_for(lines, location)
        for line in lines:
            location = str((line.get("location") or {}).get("id"))
            wanted = demand.get(location, Decimal(0))
            on_hand = _number(line.get("quantityOnHand"))
            committed = min(wanted, max(on_hand, Decimal(0)))
            line["quantityCommitted"] = float(committed)
            line["quantityBackOrdered"] = float(wanted - committed)
            line["quantityAvailable"] = float(max(on_hand - committed, Decimal(0)))
            line.setdefault("quantityOnOrder", 0.0)
        if repr(data.get("locations")) != before:
            storage.save(conn, item.type, item.id, data, effects=False)


def kit_members(conn: sqlite3.Connection, item_id: int) -> list[tuple[int, Decimal]]:
    """(member item id, quantity per kit) of a kit item; empty for anything else."""
    rows = conn.execute(
        'SELECT im.item AS item, im.quantity AS quantity FROM "itemmember" im '
        "JOIN item i ON i.id = im.parentitem WHERE im.parentitem = ? AND i.itemtype = 'Kit' "
        "ORDER BY im.linenumber",
        (item_id,),
    ).fetchall()
    return [(int(row["item"]), _number(row["quantity"])) for row in rows if row["item"] is not None]


def with_kit_members(conn: sqlite3.Connection, item_ids: Iterable[int]) -> set[int]:
    """The items plus the members of those that are kits."""
    found = set(item_ids)
    for item_id in list(found):
        found.update(member for member, _ in kit_members(conn, item_id))
    return found


def fulfilment_moves(conn: sqlite3.Connection, data: dict[str, Any] | None) -> dict[tuple[int, str], Decimal]:
    """(item id, location id) -> quantity an item fulfilment ships (kits as their members)."""
    moves: dict[tuple[int, str], Decimal] = {}
    if not data:
        return moves
    header = (data.get("location") or {}).get("id")
    for line in (data.get("item") or {}).get("items", []):
        item = (line.get("item") or {}).get("id")
        location = (line.get("location") or {}).get("id") or header
        if item is None or location is None:
            continue
        quantity = _number(line.get("quantity"))
        parts = kit_members(conn, int(item)) or [(int(item), Decimal(1))]
        for part, per_kit in parts:
            key = (part, str(location))
            moves[key] = moves.get(key, Decimal(0)) + quantity * per_kit
    return moves


def apply_fulfilment(
    conn: sqlite3.Connection, old: dict[str, Any] | None, new: dict[str, Any] | None, sign: int = 1
) -> set[int]:
    """Move on-hand stock by what changed between two versions of a fulfilment (``sign=-1``: a receipt,
    which brings stock in); returns the items touched."""
    before, after = fulfilment_moves(conn, old), fulfilment_moves(conn, new)
    touched: set[int] = set()
    for key in set(before) | set(after):
        shipped = (after.get(key, Decimal(0)) - before.get(key, Decimal(0))) * sign
        if not shipped:
            continue
        item_id, location = key
        item = storage.load(conn, "item", item_id)
        if item is None or item.type.code not in STOCKED_CODES:
            continue
        line = _line_for(_location_lines(item.data), location)
        line["quantityOnHand"] = float(_number(line.get("quantityOnHand")) - shipped)
        storage.save(conn, item.type, item.id, item.data, effects=False)
        touched.add(item_id)
    return touched


def stocked_location(conn: sqlite3.Connection, item_id: int, quantity: Decimal) -> str | None:
    """The location NetSuite would pick for a line without one: the first with enough available."""
    rows = conn.execute(
        'SELECT location, quantityavailable FROM "inventoryitemlocations" WHERE item = ? ORDER BY location',
        (item_id,),
    ).fetchall()
    for row in rows:
        if _number(row["quantityavailable"]) >= quantity:
            return str(row["location"])
    return str(rows[0]["location"]) if rows else None
