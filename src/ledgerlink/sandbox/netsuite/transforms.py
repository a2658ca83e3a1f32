"""Record transforms (``POST /record/v1/{type}/{id}/!transform/{target}``) and what one record's change
does to others.

Transforms answer like a create: 204 with ``Location`` naming the new record. The pairs are those the
REST API Browser (2026.1, ``docs/records/{type}.md`` of wsjmnh/netsuite-record-rest-docs) lists:
``salesOrder`` -> ``itemFulfillment``, ``invoice``, ``cashSale``, ``returnAuthorization`` (and
``fulfillmentRequest``, not emulated); ``invoice`` -> ``creditMemo``, ``returnAuthorization``,
``customerPayment`` (the amount still due, applied to the invoice; ``payment`` in the body pays less);
``estimate`` -> ``salesOrder``, ``invoice``, ``cashSale``; ``returnAuthorization`` -> ``itemReceipt``,
``creditMemo``, ``cashRefund``; ``cashSale`` -> ``cashRefund``, ``returnAuthorization``. Anything else
is 400 ``INVALID_REQUEST``.

Payments move the invoice's ``amountPaid``/``amountRemaining`` and its status (A Open, B Paid In Full).
A return authorization moves like a sales order in reverse: item receipts count ``quantityReceived``
(and put stock back), credit memos and cash refunds count ``quantityBilled``, and its status runs
B Pending Receipt, D Partially Received, E Pending Refund/Partially Received, F Pending Refund,
G Refunded. An estimate turned into a sales order becomes B Processed.

Fulfilling (``itemFulfillment``) and billing (``invoice``, ``cashSale``) a sales order:

* a source that cannot be transformed (an order pending approval, cancelled or closed, or with nothing
  left to fulfil or bill; an invoice paid in full) is refused with 400 ``INVALID_INITIALIZE_REF``, "You
  can not initialize itemfulfillment: invalid reference 123.", NetSuite's code and wording for a failed
  transform in SOAP and SuiteScript (the REST envelope carrying it is assumed, not verified);
* without ``item`` in the body every open line with something left is taken at its remaining quantity
  (ordered - fulfilled, or ordered - billed), as SOAP's initialize does; with ``item.items[]`` only the
  lines named by ``orderLine`` (and not ``itemReceive: false``) are taken, at ``quantity`` (default: the
  remainder); a body whose lines select nothing is 400 ``VALID_LINE_ITEM_REQD``. More than the remainder
  is refused with 400 ``USER_ERROR`` on ``item.items[n].quantity``; an ``orderLine`` the order lacks is
  400 ``INVALID_KEY_OR_REF``;
* a fulfilment copies entity, ship method and shipping address, keeps ``package`` lines (tracking number,
  weight) and ``shipStatus`` (A Picked, B Packed, C Shipped; default C), ships from the line's location,
  else the order's, else the item's first location with enough available, and takes the quantity off
  that location's on-hand stock;
* an invoice or cash sale copies rates (and a wholly billed line's exact amount) and the tax settings,
  and, on the first one from the order only, the shipping cost and the header discount;
* afterwards the order's lines carry ``quantityFulfilled``/``quantityBilled`` (sums over every record
  created from it, recomputed whenever one of them is written or deleted) and its status follows
  (:func:`ledgerlink.sandbox.netsuite.statuses.derive_order_status`).
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.netsuite import inventory, rules, storage
from ledgerlink.sandbox.netsuite.errors import NetSuiteError, invalid_reference, missing_field
from ledgerlink.sandbox.netsuite.statuses import derive_order_status
from ledgerlink.sandbox.netsuite.types import FULFILLABLE_CODES, RecordType, lookup
from ledgerlink.sandbox.netsuite.values import decimal_field, user_error


def lookup_type(name: str) -> RecordType:
    found = lookup(name)
    assert found is not None, name
    return found


TRANSFORMS: dict[str, frozenset[str]] = {
    "salesOrder": frozenset({"itemFulfillment", "invoice", "cashSale", "returnAuthorization"}),
    "invoice": frozenset({"creditMemo", "returnAuthorization", "customerPayment"}),
    "estimate": frozenset({"salesOrder", "invoice", "cashSale"}),
    "returnAuthorization": frozenset({"creditMemo", "cashRefund", "itemReceipt"}),
    "cashSale": frozenset({"cashRefund", "returnAuthorization"}),
}
BILLING = frozenset({"invoice", "cashSale"})
REFUNDS = frozenset({"creditMemo", "cashRefund"})
# Order type -> (record moving goods, its line counter, records moving money, their line counter).
MOVES: dict[str, tuple[str, str, frozenset[str], str]] = {
    "salesOrder": ("itemFulfillment", "quantityFulfilled", BILLING, "quantityBilled"),
    "returnAuthorization": ("itemReceipt", "quantityReceived", REFUNDS, "quantityBilled"),
}
# Records whose saving moves their source order's counters.
CHILD_KINDS = frozenset({"itemFulfillment", "itemReceipt", *BILLING, *REFUNDS})
_HEADER_COPY = (
    "entity",
    "currency",
    "subsidiary",
    "location",
    "department",
    "class",
    "exchangeRate",
    "otherRefNum",
    "memo",
    "billingAddress",
    "shippingAddress",
    "shipMethod",
    "terms",
    "email",
)
_LINE_COPY = ("item", "rate", "description", "location", "price", "isTaxable", "taxCode", "units")


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _ref_id(value: Any) -> str | None:
    if isinstance(value, dict) and value.get("id") not in (None, ""):
        return str(value["id"])
    return None


def check_transform(source: RecordType, target_name: str) -> RecordType:
    """The target record type, when NetSuite transforms ``source`` into it; else 400."""
    target = lookup(target_name)
    if target is None or target.name not in TRANSFORMS.get(source.name, frozenset()):
        raise NetSuiteError(
            400,
            "INVALID_REQUEST",
            f"The transformation of a {source.name} record into a {target_name} record is not supported.",
        )
    return target


def transform(
    ctx: rules.WriteContext, source: storage.StoredRecord, target: RecordType, body: Any
) -> dict[str, Any]:
    """The prepared document of the record ``source`` turns into (not saved yet)."""
    if not isinstance(body, dict):
        raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
    if ctx.strict_names:
        rules.check_names(target, body)
    moves = MOVES.get(source.type.name)
    if moves is not None and (target.name == moves[0] or target.name in moves[2]):
        _check_order_open(source, target)
    document = (
        _payment(ctx, source, body)
        if target.name == "customerPayment"
        else _fulfilment(ctx, source, target, body)
        if target.name in ("itemFulfillment", "itemReceipt")
        else _copy(ctx, source, target, body)
    )
    inner = rules.WriteContext(ctx.conn, ctx.now, strict_names=False, via_transform=True)
    return rules.prepare(inner, target, document, None)


def cannot_initialize(target: RecordType, source_id: int) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_INITIALIZE_REF",
        f"Error while accessing resource: You can not initialize {target.name.lower()}: "
        f"invalid reference {source_id}.",
    )


def _check_order_open(order: storage.StoredRecord, target: RecordType) -> None:
    """Pending approval (A), cancelled (C) and closed (H) orders cannot be fulfilled or billed."""
    if _ref_id(order.data.get("orderStatus")) in ("A", "C", "H"):
        raise cannot_initialize(target, order.id)


def _order_lines(source: storage.StoredRecord) -> list[dict[str, Any]]:
    return list((source.data.get("item") or {}).get("items", []))


def _remaining(line: dict[str, Any], counter: str) -> Decimal:
    ordered = _decimal(line.get("quantity")) if line.get("quantity") is not None else Decimal(1)
    return ordered - _decimal(line.get(counter))


def _selection(
    ctx: rules.WriteContext,
    source: storage.StoredRecord,
    target: RecordType,
    body: dict[str, Any],
    eligible: Any,
    counter: str | None,
    verb: str,
) -> list[tuple[dict[str, Any], Decimal, dict[str, Any]]]:
    """(source line, quantity, client's line fields) for each line the new record takes."""
    lines = _order_lines(source)
    by_number = {str(line.get("line")): line for line in lines}
    requested = (body.get("item") or {}).get("items") if isinstance(body.get("item"), dict) else None
    chosen: list[tuple[dict[str, Any], Decimal, dict[str, Any]]] = []
    if requested is None:
        for line in lines:
            if not eligible(line):
                continue
            left = _remaining(line, counter) if counter else _decimal(line.get("quantity") or 1)
            if left > 0:
                chosen.append((line, left, {}))
    else:
        if not isinstance(requested, list):
            raise NetSuiteError(
                400, "INVALID_CONTENT", 'The sublist item must be written as {"items": [...]}.'
            )
        for index, raw in enumerate(requested):
            path = f"item.items[{index}]"
            if not isinstance(raw, dict):
                raise NetSuiteError(
                    400, "INVALID_CONTENT", f"Line {index} of item must be an object.", path=path
                )
            if raw.get("itemReceive") is False:
                continue
            number = raw.get("orderLine", raw.get("line"))
            if number in (None, ""):
                raise missing_field(f"{path}.orderLine", "Order Line")
            picked = by_number.get(str(number))
            if picked is None or not eligible(picked):
                raise invalid_reference("orderLine", number, f"{path}.orderLine")
            line = picked
            left = _remaining(line, counter) if counter else _decimal(line.get("quantity") or 1)
            quantity: Decimal = left
            if raw.get("quantity") is not None:
                quantity = decimal_field(raw["quantity"], "quantity", f"{path}.quantity")
            if quantity <= 0:
                raise user_error(
                    f"The quantity on line {number} must be greater than zero.", f"{path}.quantity"
                )
            if quantity > left:
                raise user_error(
                    f"You cannot {verb} more than the remaining quantity ({left.normalize()}) "
                    f"of line {number}.",
                    f"{path}.quantity",
                )
            extra = {
                k: v
                for k, v in raw.items()
                if k not in ("orderLine", "line", "quantity", "itemReceive", "links")
            }
            chosen.append((line, quantity, extra))
    if not chosen:
        if requested is None:
            raise cannot_initialize(target, source.id)
        raise NetSuiteError(
            400,
            "VALID_LINE_ITEM_REQD",
            "Error while accessing resource: "
            "You must have at least one valid line item for this transaction.",
            path="item",
        )
    return chosen


def _header(source: storage.StoredRecord, body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    document: dict[str, Any] = {
        name: json.loads(json.dumps(source.data[name])) for name in names if source.data.get(name) is not None
    }
    document["createdFrom"] = {"id": str(source.id)}
    for name, value in body.items():
        if name not in ("item", "createdFrom"):
            document[name] = value
    return document


def _fulfilment(
    ctx: rules.WriteContext, order: storage.StoredRecord, target: RecordType, body: dict[str, Any]
) -> dict[str, Any]:
    """An item fulfilment of a sales order, or an item receipt of a return authorization."""

    def fulfillable(line: dict[str, Any]) -> bool:
        return not line.get("isClosed") and _ref_id(line.get("itemType")) in FULFILLABLE_CODES

    counter = MOVES[order.type.name][1]
    verb = "fulfill" if target.name == "itemFulfillment" else "receive"
    chosen = _selection(ctx, order, target, body, fulfillable, counter, verb)
    header: tuple[str, ...] = ("entity", "subsidiary", "location", "department", "class")
    if target.name == "itemFulfillment":
        header += ("shipMethod", "shippingAddress")
    else:
        header += ("currency", "exchangeRate")
    document = _header(order, body, header)
    lines = []
    for index, (line, quantity, extra) in enumerate(chosen):
        location = extra.get("location") or line.get("location") or order.data.get("location")
        if location:
            location = rules.resolve_reference(
                ctx, location, "location", "location", f"item.items[{index}].location"
            )
        else:
            picked = inventory.stocked_location(ctx.conn, int(line["item"]["id"]), quantity)
            location = {"id": picked} if picked else None
        new = {
            **{k: v for k, v in extra.items() if k != "location"},
            "orderLine": int(line["line"]),
            "item": dict(line["item"]),
            "itemType": line.get("itemType"),
            "itemReceive": True,
            "quantity": float(quantity),
            "quantityRemaining": float(_remaining(line, counter) - quantity),
            "description": line.get("description"),
        }
        if location:
            new["location"] = location
        lines.append({k: v for k, v in new.items() if v is not None})
    document["item"] = {"items": lines}
    return document


def _payment(ctx: rules.WriteContext, invoice: storage.StoredRecord, body: dict[str, Any]) -> dict[str, Any]:
    due = _decimal(invoice.data.get("total")) - rules.invoice_paid(ctx.conn, invoice.id)
    if due <= 0:
        raise cannot_initialize(lookup_type("customerPayment"), invoice.id)
    amount = due if body.get("payment") is None else decimal_field(body["payment"], "payment", "payment")
    document: dict[str, Any] = {
        name: json.loads(json.dumps(invoice.data[name]))
        for name in ("currency", "subsidiary", "exchangeRate")
        if invoice.data.get(name) is not None
    }
    document["customer"] = dict(invoice.data["entity"])
    document.update({k: v for k, v in body.items() if k not in ("apply", "customer")})
    document["payment"] = amount
    document["apply"] = {
        "items": [{"doc": {"id": str(invoice.id)}, "apply": True, "amount": min(amount, due)}]
    }
    return document


def refresh_invoice(conn: sqlite3.Connection, invoice_id: int, stamp: str | None) -> None:
    """An invoice's amount paid and remaining, and its status (A Open, B Paid In Full)."""
    invoice = storage.load(conn, "transaction", invoice_id)
    if invoice is None or invoice.type.name != "invoice":
        return
    total = _decimal(invoice.data.get("total"))
    paid = rules.invoice_paid(conn, invoice_id)
    status = {"id": "B", "refName": "Paid In Full"} if paid >= total else {"id": "A", "refName": "Open"}
    update = {"amountPaid": float(paid), "amountRemaining": float(total - paid), "status": status}
    if any(invoice.data.get(k) != v for k, v in update.items()):
        invoice.data.update(update)
        if stamp:
            invoice.data["lastModifiedDate"] = stamp
        storage.save(conn, invoice.type, invoice.id, invoice.data)


def _mark_estimate(conn: sqlite3.Connection, estimate_id: int, stamp: str | None) -> None:
    """An estimate turned into a sales order is Processed (status B)."""
    estimate = storage.load(conn, "transaction", estimate_id)
    if estimate is None or estimate.type.name != "estimate":
        return
    estimate.data["status"] = {"id": "B", "refName": "Processed"}
    if stamp:
        estimate.data["lastModifiedDate"] = stamp
    storage.save(conn, estimate.type, estimate.id, estimate.data)


def _applied_invoices(data: dict[str, Any] | None) -> set[int]:
    return {
        int(line["doc"]["id"])
        for line in ((data or {}).get("apply") or {}).get("items", [])
        if isinstance(line.get("doc"), dict) and line["doc"].get("id")
    }


def _has_billing(conn: sqlite3.Connection, order_id: int, target: RecordType) -> bool:
    kinds = REFUNDS if target.name in REFUNDS else BILLING
    return any(kind in kinds for kind, _ in _children(conn, order_id))


def _copy(
    ctx: rules.WriteContext, source: storage.StoredRecord, target: RecordType, body: dict[str, Any]
) -> dict[str, Any]:
    moves = MOVES.get(source.type.name)
    billing_order = moves is not None and target.name in moves[2]
    counter = "quantityBilled" if billing_order else None

    def eligible(line: dict[str, Any]) -> bool:
        return not line.get("isClosed")

    verb = "refund" if target.name in REFUNDS else "bill" if billing_order else "return"
    chosen = _selection(ctx, source, target, body, eligible, counter, verb)
    first = not (billing_order and _has_billing(ctx.conn, source.id, target))
    names: tuple[str, ...] = _HEADER_COPY
    names += ("taxItem", "taxRate")  # tax applies to every bill; charges and header discounts to the first
    if first:
        names += ("shippingCost", "handlingCost", "discountItem", "discountRate", "promoCode")
    if target.name == "cashSale":
        names += ("paymentOption",)
    document = _header(source, body, names)
    if target.name == "salesOrder":
        document.pop("createdFrom", None)
        document["estimate"] = {"id": str(source.id)}
    lines = []
    for line, quantity, extra in chosen:
        new: dict[str, Any] = {name: line[name] for name in _LINE_COPY if line.get(name) is not None}
        whole = line.get("quantity") is None or (
            quantity == _decimal(line.get("quantity")) and not _decimal(line.get(counter or "-"))
        )
        if line.get("quantity") is not None:
            new["quantity"] = float(quantity)
        if whole and line.get("amount") is not None:
            new["amount"] = line["amount"]
        new["orderLine"] = int(line["line"])
        new.update(extra)
        lines.append(new)
    document["item"] = {"items": lines}
    return document


# --- effects of one record's change on others -----------------------------------------------------------


def _children(conn: sqlite3.Connection, source_id: int) -> list[tuple[str, dict[str, Any]]]:
    rows = conn.execute(
        'SELECT r.type AS type, r.data AS data FROM ns_record r JOIN "transactionline" tl '
        "ON tl.\"transaction\" = r.id AND tl.id = 0 WHERE r.family = 'transaction' AND tl.createdfrom = ? "
        "ORDER BY r.id",
        (source_id,),
    ).fetchall()
    return [(str(row["type"]), json.loads(row["data"])) for row in rows]


def refresh_order(conn: sqlite3.Connection, order_id: int, stamp: str | None) -> None:
    """Recompute an order's moved/billed quantities and status from the records made from it
    (fulfilments and invoices of a sales order; receipts and refunds of a return authorization)."""
    order = storage.load(conn, "transaction", order_id)
    if order is None or order.type.name not in MOVES:
        return
    mover, moved_field, billers, billed_field = MOVES[order.type.name]
    fulfilled: dict[str, Decimal] = {}
    billed: dict[str, Decimal] = {}
    for kind, data in _children(conn, order_id):
        target = fulfilled if kind == mover else billed if kind in billers else None
        if target is None:
            continue
        for line in (data.get("item") or {}).get("items", []):
            if line.get("orderLine") is None:
                continue
            key = str(line["orderLine"])
            target[key] = target.get(key, Decimal(0)) + (
                _decimal(line.get("quantity")) if line.get("quantity") is not None else Decimal(1)
            )
    changed = False
    for line in (order.data.get("item") or {}).get("items", []):
        key = str(line.get("line"))
        for name, counts in ((moved_field, fulfilled), (billed_field, billed)):
            value = counts.get(key, Decimal(0))
            if value or line.get(name) is not None:
                if line.get(name) != float(value):
                    line[name] = float(value)
                    changed = True
    before = (order.data.get("status") or {}).get("id")
    if _ref_id(order.data.get("orderStatus")) not in ("A", "C"):
        derive_order_status(order.data, order.type.name)
    if changed or before != order.data["status"]["id"]:
        if stamp:
            order.data["lastModifiedDate"] = stamp
        storage.save(conn, order.type, order.id, order.data)


def _line_items(data: dict[str, Any] | None) -> set[int]:
    if not data:
        return set()
    return {
        int(line["item"]["id"])
        for line in (data.get("item") or {}).get("items", [])
        if isinstance(line.get("item"), dict) and line["item"].get("id")
    }


def after_save(
    conn: sqlite3.Connection,
    rtype: RecordType,
    record_id: int,
    data: dict[str, Any],
    previous: dict[str, Any] | None,
) -> None:
    """What NetSuite changes elsewhere when this record is saved."""
    if rtype.family == "item" and rtype.code in inventory.STOCKED_CODES:
        inventory.recompute(conn, [record_id])
        return
    if rtype.family != "transaction":
        return
    touched: set[int] = set()
    if rtype.name == "customerPayment":
        for invoice_id in sorted(_applied_invoices(data) | _applied_invoices(previous)):
            refresh_invoice(conn, invoice_id, data.get("lastModifiedDate"))
    if rtype.name == "salesOrder":
        touched = _line_items(data) | _line_items(previous)
        estimate = _ref_id(data.get("estimate"))
        if previous is None and estimate is not None:
            _mark_estimate(conn, int(estimate), data.get("lastModifiedDate"))
    if rtype.name == "itemFulfillment":
        touched = inventory.apply_fulfilment(conn, previous, data)
    if rtype.name == "itemReceipt":
        touched = inventory.apply_fulfilment(conn, previous, data, sign=-1)
    for source in {_ref_id(data.get("createdFrom")), _ref_id((previous or {}).get("createdFrom"))}:
        if source is not None and rtype.name in CHILD_KINDS:
            refresh_order(conn, int(source), data.get("lastModifiedDate"))
    if touched:
        inventory.recompute(conn, inventory.with_kit_members(conn, touched))


def after_remove(
    conn: sqlite3.Connection, rtype: RecordType, record_id: int, previous: dict[str, Any]
) -> None:
    if rtype.family != "transaction":
        return
    touched: set[int] = set()
    if rtype.name == "customerPayment":
        for invoice_id in sorted(_applied_invoices(previous)):
            refresh_invoice(conn, invoice_id, previous.get("lastModifiedDate"))
    if rtype.name == "salesOrder":
        touched = _line_items(previous)
    if rtype.name == "itemFulfillment":
        touched = inventory.apply_fulfilment(conn, previous, None)
    if rtype.name == "itemReceipt":
        touched = inventory.apply_fulfilment(conn, previous, None, sign=-1)
    source = _ref_id(previous.get("createdFrom"))
    if source is not None and rtype.name in CHILD_KINDS:
        refresh_order(conn, int(source), previous.get("lastModifiedDate"))
    if touched:
        inventory.recompute(conn, inventory.with_kit_members(conn, touched))
