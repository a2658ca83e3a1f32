"""What NetSuite does to a record body on create, update and upsert: validation, defaults, arithmetic.

The rules mirror a real account closely enough that a client proven here behaves the same there:

* references (``{"id": ..}``, ``{"externalId": ..}`` or a bare id) must name an existing record of the
  right kind, else 400 ``INVALID_KEY_OR_REF`` with ``o:errorPath`` pointing at the value;
* mandatory fields missing -> 400 ``USER_ERROR`` naming the field as NetSuite's form labels it;
* sales transactions compute line ``amount`` = quantity x rate (half-up to cents), make discount lines
  negative, and set ``subtotal`` (sum of lines) and ``total`` (subtotal + shippingCost). Tax is not
  computed: Ledgerlink carries store tax on an other-charge line;
* document numbers (``tranId``), ``orderStatus``/``status``, ``createdDate``/``dateCreated`` and
  ``lastModifiedDate`` are maintained by the service.

Money is computed with :class:`~decimal.Decimal` and stored as JSON numbers, as NetSuite returns it.
"""

from __future__ import annotations

import copy
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerlink.sandbox.netsuite import fields, storage
from ledgerlink.sandbox.netsuite.errors import NetSuiteError, invalid_reference, missing_field
from ledgerlink.sandbox.netsuite.types import TRANSACTION_PREFIX, RecordType, family_of_target, lookup

CENT = Decimal("0.01")
READ_ONLY = frozenset(
    {
        "id",
        "links",
        "refName",
        "createdDate",
        "dateCreated",
        "lastModifiedDate",
        "subtotal",
        "total",
        "status",
        "itemType",
    }
)
ORDER_STATUS = {"A": "Pending Approval", "B": "Pending Fulfillment"}
CASH_SALE_STATUS = ("B", "Not Deposited")

_BODY_FIELDS: dict[str, frozenset[str]] = {
    "transaction": fields.SALES_ORDER_BODY | {"paymentMethod"},
    "customer": fields.CUSTOMER_BODY,
    "item": fields.ITEM_BODY,
}
_LINE_FIELDS = {
    "item": fields.SALES_ORDER_ITEM_LINE,
    "addressBook": fields.ADDRESS_BOOK_LINE,
    "price": fields.PRICE_LINE,
}


@dataclass
class WriteContext:
    """One write: the open transaction, the clock, and how strictly unknown field names are treated."""

    conn: sqlite3.Connection
    now: datetime
    strict_names: bool = False

    @property
    def timestamp(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare(
    ctx: WriteContext,
    rtype: RecordType,
    body: Any,
    existing: dict[str, Any] | None,
    replace: frozenset[str] = frozenset(),
    replace_selected: bool = False,
) -> dict[str, Any]:
    """The record document after applying ``body`` to ``existing`` (None for a create)."""
    if not isinstance(body, dict):
        raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
    if ctx.strict_names:
        _check_names(rtype, body)
    data: dict[str, Any] = copy.deepcopy(existing) if existing else {}
    for name, value in body.items():
        if name in READ_ONLY:
            continue
        if value is None:
            data.pop(name, None)
        elif name in rtype.sublists:
            data[name] = {"items": _merge_lines(ctx, name, data.get(name), value, name in replace)}
        elif name in rtype.subrecords:
            if not isinstance(value, dict):
                raise NetSuiteError(400, "INVALID_CONTENT", f"The field {name} must be an object.", path=name)
            data[name] = {k: v for k, v in value.items() if v is not None and k not in ("links", "refName")}
        elif name in rtype.references:
            data[name] = resolve_reference(ctx, value, rtype.references[name], name, name)
        elif name in rtype.multi_references:
            data[name] = _multi_reference(ctx, value, rtype.multi_references[name], name)
        else:
            data[name] = value
    for name in replace:
        if name in rtype.sublists and name not in body:
            data[name] = {"items": []}
        elif replace_selected and name not in body and name not in rtype.sublists:
            data.pop(name, None)
    if rtype.family == "transaction":
        _finish_transaction(ctx, rtype, data, creating=existing is None)
    elif rtype.family == "customer":
        _finish_customer(ctx, data, creating=existing is None)
    elif rtype.family == "item":
        data["itemType"] = {"id": rtype.code, "refName": rtype.code}
        data.setdefault("isInactive", False)
    else:
        data.setdefault("isInactive", False)
    for name, label in rtype.required:
        if data.get(name) in (None, "", {}):
            raise missing_field(name, label)
    if existing is None:
        data["dateCreated" if rtype.family == "customer" else "createdDate"] = ctx.timestamp
    data["lastModifiedDate"] = ctx.timestamp
    return data


def resolve_reference(ctx: WriteContext, value: Any, target: str, field: str, path: str) -> dict[str, str]:
    """``{"id": ..}``, ``{"externalId": ..}`` or a bare id -> ``{"id": "<internal id>"}`` of a live record."""
    family = family_of_target(target)
    specific = lookup(target) if target not in storage.SUITEQL_TABLES else None
    shown: Any = value
    if isinstance(value, dict):
        if value.get("id") not in (None, ""):
            shown = value["id"]
            raw_id: Any = value["id"]
        elif value.get("externalId") not in (None, ""):
            shown = value["externalId"]
            raw_id = _external_to_internal(ctx, family, specific, str(value["externalId"]))
        else:
            raise invalid_reference(field, value, path)
    else:
        raw_id = value
    try:
        record_id = int(str(raw_id))
    except (TypeError, ValueError):
        raise invalid_reference(field, shown, path) from None
    found = storage.load(ctx.conn, family, record_id)
    if found is None or (specific is not None and found.type.name != specific.name):
        raise invalid_reference(field, shown, path)
    return {"id": str(record_id)}


def _multi_reference(
    ctx: WriteContext, value: Any, target: str, field: str
) -> dict[str, list[dict[str, str]]]:
    """A multi-select field, written ``{"items": [{"id": ..}, ...]}`` (a single reference is accepted too)."""
    if isinstance(value, dict) and "items" in value:
        values = value["items"]
    else:
        values = value if isinstance(value, list) else [value]
    if not isinstance(values, list):
        raise NetSuiteError(
            400, "INVALID_CONTENT", f"The field {field} must list its values in items.", path=field
        )
    return {
        "items": [
            resolve_reference(ctx, one, target, field, f"{field}.items[{index}]")
            for index, one in enumerate(values)
        ]
    }


def _external_to_internal(
    ctx: WriteContext, family: str, specific: RecordType | None, external_id: str
) -> Any:
    if specific is not None:
        return storage.find_external(ctx.conn, specific, external_id)
    row = ctx.conn.execute(
        "SELECT id FROM ns_record WHERE family = ? AND externalid = ? ORDER BY id LIMIT 1",
        (family, external_id),
    ).fetchone()
    return None if row is None else row["id"]


def _check_names(rtype: RecordType, body: dict[str, Any]) -> None:
    known = _BODY_FIELDS.get(rtype.family, fields.REFERENCE_BODY)
    for name, value in body.items():
        _check_name(name, known, name)
        if name in rtype.sublists and isinstance(value, dict):
            for index, line in enumerate(value.get("items") or []):
                if isinstance(line, dict):
                    for line_name in line:
                        _check_name(
                            line_name,
                            _LINE_FIELDS.get(name, frozenset()),
                            f"{name}.items[{index}].{line_name}",
                        )
        elif name in rtype.subrecords and isinstance(value, dict):
            for sub_name in value:
                _check_name(sub_name, fields.ADDRESS, f"{name}.{sub_name}")


def _check_name(name: str, known: frozenset[str], path: str) -> None:
    if name in known or name.startswith(fields.CUSTOM_PREFIXES):
        return
    raise NetSuiteError(
        400,
        "INVALID_CONTENT",
        f"Error while accessing a resource. The field {name} is not a valid field name for this record.",
        path=path,
    )


def _line_key(sublist: str, line: dict[str, Any]) -> str | None:
    key = line.get("line") if sublist == "item" else line.get("id") or line.get("internalId")
    return None if key in (None, "") else str(key)


def _merge_lines(
    ctx: WriteContext, sublist: str, current: Any, incoming: Any, replace: bool
) -> list[dict[str, Any]]:
    """Merge ``incoming`` sublist lines into the current ones (matched by line key) or replace them all."""
    if not isinstance(incoming, dict) or not isinstance(incoming.get("items", []), list):
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            f'The sublist {sublist} must be written as {{"items": [...]}}.',
            path=sublist,
        )
    lines: list[dict[str, Any]] = [] if replace or not current else copy.deepcopy(current.get("items", []))
    if sublist == "price":
        lines = []
    for index, raw in enumerate(incoming.get("items", [])):
        if not isinstance(raw, dict):
            raise NetSuiteError(
                400,
                "INVALID_CONTENT",
                f"Line {index} of {sublist} must be an object.",
                path=f"{sublist}.items[{index}]",
            )
        line = {k: v for k, v in raw.items() if v is not None and k not in ("links", "refName")}
        key = _line_key(sublist, line)
        match = next((old for old in lines if key is not None and _line_key(sublist, old) == key), None)
        if match is not None:
            if sublist == "item" and ("quantity" in line or "rate" in line) and "amount" not in line:
                match.pop("amount", None)  # NetSuite recomputes the amount from the new quantity/rate
            match.update(line)
            continue
        if sublist == "item":
            line["line"] = max((int(old["line"]) for old in lines), default=0) + 1
        elif sublist == "addressBook":
            number = storage.next_value(ctx.conn, "addressbook")
            line["id"] = line["internalId"] = number
        lines.append(line)
    return lines


def _decimal(value: Any, field: str, path: str) -> Decimal:
    if isinstance(value, bool):
        raise NetSuiteError(400, "INVALID_CONTENT", f"Invalid number {value} for field {field}.", path=path)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise NetSuiteError(
            400, "INVALID_CONTENT", f"Invalid number {value!r} for field {field}.", path=path
        ) from None
    if not number.is_finite():
        raise NetSuiteError(400, "INVALID_CONTENT", f"Invalid number {value!r} for field {field}.", path=path)
    return number


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _finish_transaction(ctx: WriteContext, rtype: RecordType, data: dict[str, Any], creating: bool) -> None:
    if not data.get("entity"):
        raise missing_field("entity", "Customer")
    customer = storage.load(ctx.conn, "customer", int(data["entity"]["id"]))
    assert customer is not None  # resolve_reference checked it
    if not data.get("subsidiary") and customer.data.get("subsidiary"):
        data["subsidiary"] = dict(customer.data["subsidiary"])
    if not data.get("currency") and customer.data.get("currency"):
        data["currency"] = dict(customer.data["currency"])
    if not data.get("email") and customer.data.get("email"):
        data["email"] = customer.data["email"]
    data.setdefault("exchangeRate", 1.0)
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating and not data.get("tranId"):
        prefix = TRANSACTION_PREFIX[rtype.name]
        data["tranId"] = f"{prefix}{storage.next_value(ctx.conn, f'tranid:{prefix}', 1001)}"
    if rtype.name == "salesOrder":
        raw_status = data.get("orderStatus", "B")
        status_id = raw_status.get("id") if isinstance(raw_status, dict) else raw_status
        if status_id not in ORDER_STATUS:
            raise NetSuiteError(
                400,
                "INVALID_CONTENT",
                f"Error while accessing resource: You have entered an Invalid Field Value "
                f"{status_id} for the following field: orderStatus",
                path="orderStatus",
            )
        data["orderStatus"] = {"id": status_id, "refName": ORDER_STATUS[status_id]}
        data["status"] = {"id": status_id, "refName": ORDER_STATUS[status_id]}
    else:
        data["status"] = {"id": CASH_SALE_STATUS[0], "refName": CASH_SALE_STATUS[1]}
    lines = (data.get("item") or {}).get("items") or []
    if not lines:
        raise NetSuiteError(
            400,
            "USER_ERROR",
            "Error while accessing resource: You must enter at least one line item for this transaction.",
            path="item",
        )
    subtotal = Decimal(0)
    for index, line in enumerate(lines):
        subtotal += _finish_line(ctx, line, index)
    data["subtotal"] = float(cents(subtotal))
    shipping = Decimal(0)
    if data.get("shippingCost") is not None:
        shipping = cents(_decimal(data["shippingCost"], "shippingCost", "shippingCost"))
        data["shippingCost"] = float(shipping)
    data["total"] = float(cents(subtotal + shipping))


def _finish_line(ctx: WriteContext, line: dict[str, Any], index: int) -> Decimal:
    """Validate one item line, fill rate/amount/itemType, and return its amount."""
    path = f"item.items[{index}]"
    if not line.get("item"):
        raise missing_field(f"{path}.item", "Item")
    line["item"] = resolve_reference(ctx, line["item"], "item", "item", f"{path}.item")
    if line.get("location"):
        line["location"] = resolve_reference(
            ctx, line["location"], "location", "location", f"{path}.location"
        )
    item = storage.load(ctx.conn, "item", int(line["item"]["id"]))
    assert item is not None
    line["itemType"] = {"id": item.type.code, "refName": item.type.code}
    if "description" not in line and item.data.get("displayName"):
        line["description"] = item.data["displayName"]
    given_amount = (
        None if line.get("amount") is None else _decimal(line["amount"], "amount", f"{path}.amount")
    )
    given_rate = None if line.get("rate") is None else _decimal(line["rate"], "rate", f"{path}.rate")
    if item.type.code == "Discount":
        rate = given_rate if given_rate is not None else _item_price(item.data)
        amount = cents(given_amount if given_amount is not None else rate)
        line.pop("quantity", None)
        line["rate"] = float(-abs(rate))
        line["amount"] = float(-abs(amount))
        return -abs(amount)
    quantity = (
        Decimal(1)
        if line.get("quantity") is None
        else _decimal(line["quantity"], "quantity", f"{path}.quantity")
    )
    if given_rate is not None:
        rate = given_rate
    elif given_amount is not None and quantity != 0:
        rate = given_amount / quantity
    else:
        rate = _item_price(item.data)
    amount = cents(given_amount if given_amount is not None else quantity * rate)
    line["quantity"] = float(quantity)
    line["rate"] = float(rate)
    line["amount"] = float(amount)
    line.setdefault("isClosed", False)
    return amount


def _item_price(item: dict[str, Any]) -> Decimal:
    """Base price of an item: its first price-sublist line, else its ``rate`` field, else zero."""
    for line in (item.get("price") or {}).get("items", []):
        if line.get("price") is not None:
            return Decimal(str(line["price"]))
    if isinstance(item.get("rate"), int | float):
        return Decimal(str(item["rate"]))
    return Decimal(0)


def _finish_customer(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    if "isPerson" not in data:
        data["isPerson"] = not data.get("companyName") and bool(data.get("firstName") or data.get("lastName"))
    if not isinstance(data["isPerson"], bool):
        raise NetSuiteError(
            400, "INVALID_CONTENT", "The field isPerson must be true or false.", path="isPerson"
        )
    if data["isPerson"]:
        for name, label in (("firstName", "First Name"), ("lastName", "Last Name")):
            if not data.get(name):
                raise missing_field(name, label)
    elif not data.get("companyName"):
        raise missing_field("companyName", "Company Name")
    if not data.get("subsidiary"):
        row = ctx.conn.execute(
            'SELECT id FROM "subsidiary" WHERE parent IS NULL ORDER BY id LIMIT 1'
        ).fetchone()
        if row is None:
            raise missing_field("subsidiary", "Primary Subsidiary")
        data["subsidiary"] = {"id": str(row["id"])}
    if not data.get("currency"):
        subsidiary = storage.load(ctx.conn, "subsidiary", int(data["subsidiary"]["id"]))
        if subsidiary is not None and subsidiary.data.get("currency"):
            data["currency"] = dict(subsidiary.data["currency"])
    if creating and not data.get("entityId"):
        data["entityId"] = f"CUST{storage.next_value(ctx.conn, 'entityid:CUST', 1001)}"
    data.setdefault("isInactive", False)
