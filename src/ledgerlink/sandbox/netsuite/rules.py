"""What NetSuite does to a record body on create, update and upsert: validation, defaults, arithmetic.

The rules mirror a real account closely enough that a client proven here behaves the same there:

* references (``{"id": ..}``, ``{"externalId": ..}`` or a bare id) must name an existing record of the
  right kind, else 400 ``INVALID_KEY_OR_REF`` with ``o:errorPath`` pointing at the value;
* mandatory fields missing -> 400 ``USER_ERROR`` naming the field as NetSuite's form labels it;
* sales transactions (sales order, cash sale, invoice, estimate, return authorization, credit memo, cash
  refund) compute line ``amount`` = quantity x rate (half-up to cents), make discount lines negative (a
  percentage discount line takes its percentage of the line above it), and set ``subtotal`` (sum of
  lines), ``discountTotal`` (header ``discountItem`` + ``discountRate``, an amount or ``"10%"`` of the
  subtotal), ``taxTotal`` (header ``taxRate`` or the ``taxItem``'s rate, in percent, on the lines marked
  ``isTaxable``; none when the document's ``isTaxable`` is false, which it takes from the customer's
  ``taxable``; a line's own ``taxCode`` taxes that line at the code's rate) and ``total`` = subtotal +
  discountTotal + shippingCost + handlingCost + taxTotal, all read-only. Ledgerlink itself carries
  store tax on an other-charge line, so its orders set none of these;
* a line without ``rate`` or ``amount`` is priced from the item's pricing matrix: the line's ``price``
  level, else the customer's ``priceLevel``, else Base Price (id 1), in the transaction currency, at the
  largest quantity break not above the line quantity; a level missing from the matrix is derived from
  the base price with the level's ``discountPct`` (NetSuite's markup/discount %);
* sales order ``orderStatus``/``status``: A Pending Approval or B Pending Fulfillment on create; later
  derived from the lines (D Partially Fulfilled, E Pending Billing/Partially Fulfilled, F Pending
  Billing, G Billed, H Closed when every line is closed); a client may approve (A -> B), cancel (C,
  only while nothing is fulfilled or billed) or close (H, closes every line). Letters and labels as
  integrators map SuiteQL's ``transaction.status`` (third-party code, not verified on a live account);
* journal entries need balanced ``line`` sublists (debits = credits), customer deposits a customer and
  a positive ``payment`` (and, with ``salesOrder``, the order's customer), customer payments apply no
  more than each invoice's amount due nor more than the payment;
* items: a matrix ``CHILD`` names a ``PARENT`` of its type, a matrix parent cannot be sold, a kit needs
  ``member`` lines; ``locations`` lines keep per-location stock (see ``inventory``);
* document numbers (``tranId``), ``orderStatus``/``status``, ``createdDate``/``dateCreated`` and
  ``lastModifiedDate`` are maintained by the service.

Money is computed with :class:`~decimal.Decimal` and stored as JSON numbers, as NetSuite returns it.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerlink.sandbox.netsuite import fields, storage
from ledgerlink.sandbox.netsuite.errors import NetSuiteError, invalid_reference, missing_field
from ledgerlink.sandbox.netsuite.statuses import (
    PROGRESS,
    order_status,
    return_status,
)
from ledgerlink.sandbox.netsuite.types import (
    SALES_TYPES,
    TRANSACTION_PREFIX,
    RecordType,
    family_of_target,
    lookup,
)
from ledgerlink.sandbox.netsuite.values import (
    CENT,
    cents,
    decimal_field,
    enum_id,
    invalid_value,
    ref_id,
    user_error,
)

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
        "discountTotal",
        "taxTotal",
        "amountPaid",
        "amountRemaining",
        "applied",
        "unapplied",
    }
)
# Maintained by the service on sales order lines (fulfilments and invoices move them).
READ_ONLY_LINE = frozenset({"quantityFulfilled", "quantityBilled", "quantityReceived", "itemType"})
CASH_SALE_STATUS = ("B", "Not Deposited")
# Status a new document of each type starts in (labels as NetSuite's UI shows them; not all verified).
INITIAL_STATUS: dict[str, tuple[str, str]] = {
    "cashSale": CASH_SALE_STATUS,
    "invoice": ("A", "Open"),
    "estimate": ("A", "Open"),
    "creditMemo": ("A", "Open"),
    "customerDeposit": ("A", "Not Deposited"),
}
SHIP_STATUS = {"A": "Picked", "B": "Packed", "C": "Shipped"}
MATRIX_TYPES = {"PARENT": "Matrix Parent", "CHILD": "Matrix Child"}
BASE_PRICE_LEVEL = 1
CUSTOM_PRICE = "-1"  # the line's price level when its rate was typed in
# Sublists written whole: a write replaces every line (NetSuite matches their lines by key, which these
# lines rarely carry; replacing keeps a PATCH from piling up duplicates).
WHOLE_SUBLISTS = frozenset(
    {
        "price",
        "member",
        "locations",
        "package",
        "packageUps",
        "packageFedex",
        "packageUsps",
        "contactRoles",
        "apply",
    }
)
NUMBERED_SUBLISTS = frozenset({"item", "line"})


@dataclass
class WriteContext:
    """One write: the open transaction, the clock, and how strictly unknown field names are treated."""

    conn: sqlite3.Connection
    now: datetime
    strict_names: bool = False
    via_transform: bool = False  # the write is the target of a !transform (set by the transform code)

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
        check_names(rtype, body)
    data: dict[str, Any] = copy.deepcopy(existing) if existing else {}
    for name, value in body.items():
        if name in READ_ONLY or (name == "orderStatus" and rtype.name in PROGRESS):
            continue
        if value is None:
            data.pop(name, None)
        elif name in rtype.sublists:
            lines = _merge_lines(ctx, rtype, name, data.get(name), value, name in replace)
            data[name] = {"items": lines}
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
    _resolve_line_references(ctx, rtype, data)
    if rtype.family == "transaction":
        if rtype.name in SALES_TYPES:
            _finish_transaction(ctx, rtype, data, creating=existing is None)
        if rtype.name == "salesOrder":
            order_status(data, existing, body.get("orderStatus"))
        elif rtype.name == "returnAuthorization":
            return_status(data, existing, body.get("orderStatus"))
        elif rtype.name == "itemFulfillment":
            _finish_fulfillment(ctx, data, creating=existing is None)
        elif rtype.name == "itemReceipt":
            _finish_receipt(ctx, data, creating=existing is None)
        elif rtype.name == "customerDeposit":
            _finish_deposit(ctx, data, creating=existing is None)
        elif rtype.name == "journalEntry":
            _finish_journal(ctx, data, creating=existing is None)
        elif rtype.name == "customerPayment":
            _finish_payment(ctx, data, existing)
    elif rtype.family == "customer":
        _finish_customer(ctx, data, creating=existing is None)
    elif rtype.family == "item":
        _finish_item(ctx, rtype, data, existing)
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


def check_names(rtype: RecordType, body: dict[str, Any]) -> None:
    known = fields.body_fields(rtype.name, rtype.family)
    for name, value in body.items():
        _check_name(name, known, name)
        if name in rtype.sublists and isinstance(value, dict):
            for index, line in enumerate(value.get("items") or []):
                if isinstance(line, dict):
                    for line_name in line:
                        _check_name(
                            line_name,
                            fields.line_fields(rtype.name, name),
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
    key = line.get("line") if sublist in NUMBERED_SUBLISTS else line.get("id") or line.get("internalId")
    return None if key in (None, "") else str(key)


def _merge_lines(
    ctx: WriteContext, rtype: RecordType, sublist: str, current: Any, incoming: Any, replace: bool
) -> list[dict[str, Any]]:
    """Merge ``incoming`` sublist lines into the current ones (matched by line key) or replace them all."""
    if not isinstance(incoming, dict) or not isinstance(incoming.get("items", []), list):
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            f'The sublist {sublist} must be written as {{"items": [...]}}.',
            path=sublist,
        )
    previous: list[dict[str, Any]] = copy.deepcopy(current.get("items", [])) if current else []
    lines: list[dict[str, Any]] = [] if replace else previous
    if sublist in WHOLE_SUBLISTS:
        lines = []
    guarded = (
        rtype.name in ("salesOrder", "returnAuthorization") and sublist == "item" and not ctx.via_transform
    )
    for index, raw in enumerate(incoming.get("items", [])):
        if not isinstance(raw, dict):
            raise NetSuiteError(
                400,
                "INVALID_CONTENT",
                f"Line {index} of {sublist} must be an object.",
                path=f"{sublist}.items[{index}]",
            )
        line = {k: v for k, v in raw.items() if v is not None and k not in ("links", "refName")}
        if guarded:
            for name in READ_ONLY_LINE:
                line.pop(name, None)
        key = _line_key(sublist, line)
        match = next((old for old in lines if key is not None and _line_key(sublist, old) == key), None)
        if match is not None:
            if sublist == "item" and ("quantity" in line or "rate" in line) and "amount" not in line:
                match.pop("amount", None)  # NetSuite recomputes the amount from the new quantity/rate
            match.update(line)
            continue
        if sublist in NUMBERED_SUBLISTS:
            line["line"] = max((int(old["line"]) for old in lines), default=0) + 1
            if guarded and replace:  # lines written again keep what was fulfilled and billed on them
                before = next((old for old in previous if int(old["line"]) == line["line"]), None)
                if before is not None and ref_id(before.get("item")) == ref_id(line.get("item")):
                    for name in ("quantityFulfilled", "quantityBilled", "quantityReceived"):
                        if before.get(name) is not None:
                            line[name] = before[name]
        elif sublist == "addressBook":
            number = storage.next_value(ctx.conn, "addressbook")
            line["id"] = line["internalId"] = number
        lines.append(line)
    return lines


def _resolve_line_references(ctx: WriteContext, rtype: RecordType, data: dict[str, Any]) -> None:
    """References on sublist lines other than sales item lines (those are checked line by line later)."""
    for sublist in rtype.sublists:
        if sublist in ("item", "addressBook") or not isinstance(data.get(sublist), dict):
            continue
        for index, line in enumerate(data[sublist].get("items", [])):
            for name, target in rtype.line_references.items():
                if line.get(name) not in (None, "", {}):
                    path = f"{sublist}.items[{index}].{name}"
                    line[name] = resolve_reference(ctx, line[name], target, name, path)


# --- sales transactions -----------------------------------------------------------------------------------


def _finish_transaction(ctx: WriteContext, rtype: RecordType, data: dict[str, Any], creating: bool) -> None:
    if not data.get("entity"):
        raise missing_field("entity", "Customer")
    customer = storage.load(ctx.conn, "customer", int(data["entity"]["id"]))
    assert customer is not None  # resolve_reference checked it
    _customer_defaults(ctx, rtype, data, customer.data, creating)
    if creating and "isTaxable" not in data and isinstance(customer.data.get("taxable"), bool):
        data["isTaxable"] = customer.data["taxable"]
    exempt = data.get("isTaxable") is False  # a non-taxable customer's documents carry no tax
    if rtype.name in INITIAL_STATUS and (creating or not data.get("status")):
        status_id, label = INITIAL_STATUS[rtype.name]
        data["status"] = {"id": status_id, "refName": label}
    lines = (data.get("item") or {}).get("items") or []
    if not lines:
        raise NetSuiteError(
            400,
            "USER_ERROR",
            "Error while accessing resource: You must enter at least one line item for this transaction.",
            path="item",
        )
    pricing = _PricingContext.for_transaction(ctx, data, customer.data)
    subtotal = Decimal(0)
    previous = Decimal(0)
    taxable = Decimal(0)
    line_tax = Decimal(0)
    for index, line in enumerate(lines):
        amount = _finish_line(ctx, rtype, line, index, pricing, previous)
        subtotal += amount
        if exempt:
            line.pop("taxAmount", None)
        elif line.get("taxCode"):
            line_tax += _line_tax(ctx, line, amount)
        elif line.get("isTaxable") is True:
            taxable += amount
        if enum_id(line.get("itemType")) != "Discount":
            previous = amount
    data["subtotal"] = float(cents(subtotal))
    total = subtotal
    _apply_promotion(ctx, data)
    discount = _header_discount(ctx, data, subtotal)
    total += discount
    for name in ("shippingCost", "handlingCost"):
        if data.get(name) is not None:
            value = cents(decimal_field(data[name], name, name))
            data[name] = float(value)
            total += value
    tax = _header_tax(ctx, data, Decimal(0) if exempt else taxable)
    if line_tax:
        tax += line_tax
        data["taxTotal"] = float(cents(tax))
    total += tax
    data["total"] = float(cents(total))
    if rtype.name == "invoice":  # payments move these (transforms.refresh_invoice); the total may change
        paid = Decimal(str(data.get("amountPaid") or 0))
        data["amountPaid"] = float(paid)
        data["amountRemaining"] = float(cents(total) - paid)
        settled = paid > 0 and paid >= cents(total)
        data["status"] = {"id": "B", "refName": "Paid In Full"} if settled else {"id": "A", "refName": "Open"}


def _line_tax(ctx: WriteContext, line: dict[str, Any], amount: Decimal) -> Decimal:
    """Tax of a line naming its own ``taxCode`` (a sales tax item): amount x the item's rate."""
    code = storage.load(ctx.conn, "item", int(line["taxCode"]["id"]))
    assert code is not None
    rate, _ = _rate_text(code.data.get("rate", 0), "taxRate1")
    tax = cents(amount * rate / 100)
    line["taxRate1"] = float(rate)
    line["taxAmount"] = float(tax)
    return tax


def _apply_promotion(ctx: WriteContext, data: dict[str, Any]) -> None:
    """A ``promoCode`` without an explicit header discount brings its discount item and rate."""
    if not data.get("promoCode") or data.get("discountItem"):
        return
    promotion = storage.load(ctx.conn, "promotioncode", int(data["promoCode"]["id"]))
    assert promotion is not None
    if promotion.data.get("discount"):
        data["discountItem"] = dict(promotion.data["discount"])
        if data.get("discountRate") is None and promotion.data.get("rate") is not None:
            data["discountRate"] = promotion.data["rate"]


def _customer_defaults(
    ctx: WriteContext, rtype: RecordType, data: dict[str, Any], customer: dict[str, Any], creating: bool
) -> None:
    if not data.get("subsidiary") and customer.get("subsidiary"):
        data["subsidiary"] = dict(customer["subsidiary"])
    if not data.get("currency") and customer.get("currency"):
        data["currency"] = dict(customer["currency"])
    if not data.get("email") and customer.get("email"):
        data["email"] = customer["email"]
    if (
        creating
        and not data.get("terms")
        and customer.get("terms")
        and rtype.name in ("salesOrder", "invoice")
    ):
        data["terms"] = dict(customer["terms"])
    data.setdefault("exchangeRate", 1.0)
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating and not data.get("tranId"):
        data["tranId"] = next_tran_id(ctx, rtype)


def next_tran_id(ctx: WriteContext, rtype: RecordType) -> str:
    prefix = TRANSACTION_PREFIX[rtype.name]
    return f"{prefix}{storage.next_value(ctx.conn, f'tranid:{prefix}', 1001)}"


def _rate_text(value: Any, field: str) -> tuple[Decimal, bool]:
    """``10``, ``"10"``, ``"10%"``, ``"-10%"`` -> (magnitude, is_percent)."""
    text = str(value).strip()
    percent = text.endswith("%")
    number = decimal_field(text.rstrip("%").strip() if percent else value, field, field)
    return abs(number), percent


def _header_discount(ctx: WriteContext, data: dict[str, Any], subtotal: Decimal) -> Decimal:
    if not data.get("discountItem"):
        data.pop("discountTotal", None)
        return Decimal(0)
    item = storage.load(ctx.conn, "item", int(data["discountItem"]["id"]))
    assert item is not None
    raw = data.get("discountRate")
    if raw is None:
        raw = item.data.get("rate", 0)
    magnitude, percent = _rate_text(raw, "discountRate")
    amount = cents(subtotal * magnitude / 100) if percent else cents(magnitude)
    data["discountRate"] = f"-{magnitude}%" if percent else float(-magnitude)
    data["discountTotal"] = float(-amount)
    return -amount


def _header_tax(ctx: WriteContext, data: dict[str, Any], taxable: Decimal) -> Decimal:
    raw = data.get("taxRate")
    if raw is None and data.get("taxItem"):
        item = storage.load(ctx.conn, "item", int(data["taxItem"]["id"]))
        assert item is not None
        raw = item.data.get("rate", 0)
    if raw is None:
        data.pop("taxTotal", None)
        return Decimal(0)
    rate, _ = _rate_text(raw, "taxRate")
    data["taxRate"] = float(rate)
    tax = cents(taxable * rate / 100)
    data["taxTotal"] = float(tax)
    return tax


@dataclass
class _PricingContext:
    """What decides a line's price when the client names none: price level, currency."""

    conn: sqlite3.Connection
    level: int
    currency: int | None

    @classmethod
    def for_transaction(
        cls, ctx: WriteContext, data: dict[str, Any], customer: dict[str, Any]
    ) -> _PricingContext:
        level = ref_id(customer.get("priceLevel"))
        currency = ref_id(data.get("currency"))
        return cls(ctx.conn, int(level) if level else BASE_PRICE_LEVEL, int(currency) if currency else None)

    def level_discount(self, level: int) -> Decimal:
        """The price level's markup (+) or discount (-) in percent of the base price."""
        found = storage.load(self.conn, "pricelevel", level)
        raw = None if found is None else found.data.get("discountPct")
        return Decimal(str(raw)) if isinstance(raw, int | float | Decimal) else Decimal(0)


def _finish_line(
    ctx: WriteContext,
    rtype: RecordType,
    line: dict[str, Any],
    index: int,
    pricing: _PricingContext,
    previous: Decimal,
) -> Decimal:
    """Validate one item line, fill rate/amount/itemType, and return its amount."""
    path = f"item.items[{index}]"
    if not line.get("item"):
        raise missing_field(f"{path}.item", "Item")
    line["item"] = resolve_reference(ctx, line["item"], "item", "item", f"{path}.item")
    for name in ("location", "price", "taxCode"):
        if line.get(name) and name in rtype.line_references:
            target = rtype.line_references[name]
            if name == "price" and ref_id(line[name]) == CUSTOM_PRICE:
                line[name] = {"id": CUSTOM_PRICE}
                continue
            line[name] = resolve_reference(ctx, line[name], target, name, f"{path}.{name}")
    item = storage.load(ctx.conn, "item", int(line["item"]["id"]))
    assert item is not None
    if enum_id(item.data.get("matrixType")) == "PARENT":
        raise user_error(
            f"The item {item.data.get('itemId')} is a matrix parent; sell one of its child items.",
            f"{path}.item",
        )
    line["itemType"] = {"id": item.type.code, "refName": item.type.code}
    if "description" not in line and item.data.get("displayName"):
        line["description"] = item.data["displayName"]
    if "isTaxable" not in line and isinstance(item.data.get("isTaxable"), bool):
        line["isTaxable"] = item.data["isTaxable"]
    given_amount = (
        None if line.get("amount") is None else decimal_field(line["amount"], "amount", f"{path}.amount")
    )
    given_rate = None
    percent = False
    if line.get("rate") is not None:
        if isinstance(line["rate"], str) and line["rate"].strip().endswith("%"):
            given_rate, percent = _rate_text(line["rate"], f"{path}.rate")
        else:
            given_rate = decimal_field(line["rate"], "rate", f"{path}.rate")
    if item.type.code == "Discount":
        if given_rate is None and given_amount is None:
            raw = item.data.get("rate", 0)
            if isinstance(raw, str) and raw.strip().endswith("%"):
                given_rate, percent = _rate_text(raw, "rate")
            else:
                given_rate = _item_price(item.data, pricing, Decimal(1), None)
        if percent:
            assert given_rate is not None
            amount = cents(abs(previous) * given_rate / 100)
            line["rate"] = f"-{given_rate}%"
        else:
            rate = given_rate if given_rate is not None else Decimal(0)
            amount = cents(given_amount if given_amount is not None else rate)
            line["rate"] = float(-abs(rate if given_rate is not None else amount))
        line.pop("quantity", None)
        line["amount"] = float(-abs(amount))
        line.setdefault("isClosed", False)
        return -abs(amount)
    quantity = (
        Decimal(1)
        if line.get("quantity") is None
        else decimal_field(line["quantity"], "quantity", f"{path}.quantity")
    )
    done = Decimal(str(line.get("quantityFulfilled") or 0))
    if rtype.name == "salesOrder" and quantity < done:
        raise user_error(
            f"The quantity on line {line.get('line')} cannot be less than the quantity already fulfilled "
            f"({done.normalize()}).",
            f"{path}.quantity",
        )
    if given_rate is not None:
        rate = given_rate
        line.setdefault("price", {"id": CUSTOM_PRICE})  # a rate the client sets is a custom price
    elif given_amount is not None and quantity != 0:
        rate = given_amount / quantity
        line.setdefault("price", {"id": CUSTOM_PRICE})
    else:
        level = ref_id(line.get("price"))
        rate = _item_price(item.data, pricing, quantity, level)
        if level in (None, CUSTOM_PRICE):
            line["price"] = {"id": str(pricing.level)}
    amount = cents(given_amount if given_amount is not None else quantity * rate)
    line["quantity"] = float(quantity)
    line["rate"] = float(rate)
    line["amount"] = float(amount)
    line.setdefault("isClosed", False)
    return amount


def _quantity_break(line: dict[str, Any]) -> Decimal:
    raw = line.get("quantity")
    if isinstance(raw, dict):
        raw = raw.get("value")
    try:
        return Decimal(str(raw)) if raw not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _item_price(
    item: dict[str, Any], pricing: _PricingContext, quantity: Decimal, level_id: str | None
) -> Decimal:
    """The item's price for a level, currency and quantity from its pricing matrix.

    Falls back as NetSuite's simpler setups do: the level missing -> base price adjusted by the level's
    discount %; the currency missing -> any currency; no matrix at all -> the item's ``rate`` or zero.
    """
    lines = [line for line in (item.get("price") or {}).get("items", []) if line.get("price") is not None]
    level = int(level_id) if level_id and level_id != "-1" else pricing.level

    def pick(wanted_level: int) -> Decimal | None:
        candidates = [line for line in lines if ref_id(line.get("priceLevel")) in (None, str(wanted_level))]
        if pricing.currency is not None:
            in_currency = [
                line
                for line in candidates
                if ref_id(line.get("currencyPage")) in (None, str(pricing.currency))
            ]
            candidates = in_currency or candidates
        eligible = [line for line in candidates if _quantity_break(line) <= quantity] or candidates
        if not eligible:
            return None
        best = max(eligible, key=_quantity_break)
        return Decimal(str(best["price"]))

    found = pick(level)
    if found is not None:
        return found
    base = pick(BASE_PRICE_LEVEL)
    if base is None:
        if isinstance(item.get("rate"), int | float | Decimal):
            return Decimal(str(item["rate"]))
        return Decimal(0)
    if level == BASE_PRICE_LEVEL:
        return base
    return (base * (1 + pricing.level_discount(level) / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- fulfilments, deposits, journals ----------------------------------------------------------------------


def _finish_fulfillment(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    if creating and not ctx.via_transform:
        raise NetSuiteError(
            400,
            "INVALID_REQUEST",
            "An item fulfillment is created by transforming its sales order: "
            "POST /services/rest/record/v1/salesOrder/{id}/!transform/itemFulfillment.",
        )
    raw = data.get("shipStatus", "C")
    status = enum_id(raw)
    if status not in SHIP_STATUS:
        raise invalid_value(status, "shipStatus")
    data["shipStatus"] = {"id": status, "refName": SHIP_STATUS[status]}
    data["status"] = dict(data["shipStatus"])
    stamp = ctx.now.strftime("%Y-%m-%d")
    for letter, field in (("A", "pickedDate"), ("B", "packedDate"), ("C", "shippedDate")):
        if letter <= status:
            data.setdefault(field, stamp)
    for sublist in ("package", "packageUps", "packageFedex", "packageUsps"):
        for index, package in enumerate((data.get(sublist) or {}).get("items", [])):
            for name, value in package.items():
                if name.startswith("packageWeight") and value is not None:
                    weight = decimal_field(value, name, f"{sublist}.items[{index}].{name}")
                    if weight < 0:
                        raise invalid_value(value, name)
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating and not data.get("tranId"):
        data["tranId"] = next_tran_id(ctx, lookup_type("itemFulfillment"))


def _finish_receipt(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    if creating and not ctx.via_transform:
        raise NetSuiteError(
            400,
            "INVALID_REQUEST",
            "An item receipt for a return is created by transforming its return authorization: "
            "POST /services/rest/record/v1/returnAuthorization/{id}/!transform/itemReceipt.",
        )
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating and not data.get("tranId"):
        data["tranId"] = next_tran_id(ctx, lookup_type("itemReceipt"))


def lookup_type(name: str) -> RecordType:
    found = lookup(name)
    assert found is not None, name
    return found


def _customer_payment(data: dict[str, Any]) -> Decimal:
    """The amount a deposit or payment records, required with its customer and above zero."""
    if not data.get("customer"):
        raise missing_field("customer", "Customer")
    if data.get("payment") is None:
        raise missing_field("payment", "Payment Amount")
    payment = cents(decimal_field(data["payment"], "payment", "payment"))
    if payment <= 0:
        raise user_error("The payment amount must be greater than zero.", "payment")
    data["payment"] = float(payment)
    return payment


def _finish_deposit(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    payment = _customer_payment(data)
    data["total"] = float(payment)
    customer = storage.load(ctx.conn, "customer", int(data["customer"]["id"]))
    assert customer is not None
    if data.get("salesOrder"):
        order = storage.load(ctx.conn, "transaction", int(data["salesOrder"]["id"]))
        assert order is not None
        if ref_id(order.data.get("entity")) != ref_id(data["customer"]):
            raise user_error("The sales order belongs to another customer.", "salesOrder")
        if enum_id(order.data.get("orderStatus")) in ("C", "H"):
            raise user_error(
                "You cannot record a deposit for a cancelled or closed sales order.", "salesOrder"
            )
        for name in ("currency", "subsidiary"):
            if not data.get(name) and order.data.get(name):
                data[name] = dict(order.data[name])
    for name in ("currency", "subsidiary"):
        if not data.get(name) and customer.data.get(name):
            data[name] = dict(customer.data[name])
    data.setdefault("exchangeRate", 1.0)
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating:
        status_id, label = INITIAL_STATUS["customerDeposit"]
        data["status"] = {"id": status_id, "refName": label}
        if not data.get("tranId"):
            data["tranId"] = next_tran_id(ctx, lookup_type("customerDeposit"))


def invoice_paid(conn: sqlite3.Connection, invoice_id: int, excluding: str | None = None) -> Decimal:
    """What customer payments applied to an invoice (leaving out the payment with tranId ``excluding``)."""
    rows = conn.execute("SELECT id, data FROM ns_record WHERE type = 'customerPayment'").fetchall()
    paid = Decimal(0)
    for row in rows:
        payment = json.loads(row["data"])
        if excluding is not None and payment.get("tranId") == excluding:
            continue
        for line in (payment.get("apply") or {}).get("items", []):
            if ref_id(line.get("doc")) == str(invoice_id) and line.get("apply", True):
                paid += Decimal(str(line.get("amount") or 0))
    return paid


def _finish_payment(ctx: WriteContext, data: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """A customer payment: ``payment`` applied to the customer's open invoices through ``apply`` lines."""
    payment = _customer_payment(data)
    own_id = None if existing is None else existing.get("tranId")
    applied = Decimal(0)
    for index, line in enumerate((data.get("apply") or {}).get("items", [])):
        path = f"apply.items[{index}]"
        if not line.get("doc"):
            raise missing_field(f"{path}.doc", "Invoice")
        if line.get("apply") is False:
            continue
        invoice = storage.load(ctx.conn, "transaction", int(line["doc"]["id"]))
        assert invoice is not None
        if ref_id(invoice.data.get("entity")) != ref_id(data["customer"]):
            raise user_error("The invoice belongs to another customer.", f"{path}.doc")
        due = Decimal(str(invoice.data.get("total") or 0)) - invoice_paid(ctx.conn, invoice.id, own_id)
        amount = (
            due
            if line.get("amount") is None
            else cents(decimal_field(line["amount"], "amount", f"{path}.amount"))
        )
        if amount <= 0 or amount > due:
            raise user_error(f"You cannot apply {amount} to an invoice with {due} due.", f"{path}.amount")
        line["amount"] = float(amount)
        line["apply"] = True
        line["due"] = float(due)
        applied += amount
    if applied > payment:
        raise user_error("The amounts applied exceed the payment amount.", "apply")
    data["applied"] = float(applied)
    data["unapplied"] = float(payment - applied)
    data["total"] = float(payment)
    customer = storage.load(ctx.conn, "customer", int(data["customer"]["id"]))
    assert customer is not None
    for name in ("currency", "subsidiary"):
        if not data.get(name) and customer.data.get(name):
            data[name] = dict(customer.data[name])
    data.setdefault("exchangeRate", 1.0)
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    data["status"] = (
        {"id": "C", "refName": "Deposited"}
        if data.get("account")
        else {"id": "B", "refName": "Not Deposited"}
    )
    if existing is None and not data.get("tranId"):
        data["tranId"] = next_tran_id(ctx, lookup_type("customerPayment"))


def _finish_journal(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    lines = (data.get("line") or {}).get("items") or []
    if len(lines) < 2:
        raise user_error("You must enter at least two lines for a journal entry.", "line")
    debits = credits = Decimal(0)
    for index, line in enumerate(lines):
        path = f"line.items[{index}]"
        if not line.get("account"):
            raise missing_field(f"{path}.account", "Account")
        debit = (
            None
            if line.get("debit") is None
            else cents(decimal_field(line["debit"], "debit", f"{path}.debit"))
        )
        credit = (
            None
            if line.get("credit") is None
            else cents(decimal_field(line["credit"], "credit", f"{path}.credit"))
        )
        if (debit is None) == (credit is None):
            raise user_error("Each journal line needs either a debit or a credit amount.", path)
        for name, value in (("debit", debit), ("credit", credit)):
            if value is not None:
                if value < 0:
                    raise invalid_value(value, name)
                line[name] = float(value)
        debits += debit or 0
        credits += credit or 0
    if debits != credits:
        raise user_error(
            f"The transaction is not in balance: debits {debits} and credits {credits} must be equal.", "line"
        )
    if not data.get("currency"):
        subsidiary = storage.load(ctx.conn, "subsidiary", int(data["subsidiary"]["id"]))
        if subsidiary is not None and subsidiary.data.get("currency"):
            data["currency"] = dict(subsidiary.data["currency"])
    data["total"] = float(debits)
    data.setdefault("exchangeRate", 1.0)
    data.setdefault("approved", True)
    approved = data["approved"] is True
    posting = {"id": "B", "refName": "Approved for Posting"}
    data["status"] = posting if approved else {"id": "A", "refName": "Pending Approval"}
    data.setdefault("tranDate", ctx.now.strftime("%Y-%m-%d"))
    if creating and not data.get("tranId"):
        data["tranId"] = next_tran_id(ctx, lookup_type("journalEntry"))


# --- items --------------------------------------------------------------------------------------------------


def _finish_item(
    ctx: WriteContext, rtype: RecordType, data: dict[str, Any], existing: dict[str, Any] | None
) -> None:
    data["itemType"] = {"id": rtype.code, "refName": rtype.code}
    data.setdefault("isInactive", False)
    if data.get("matrixType") is not None:
        kind = enum_id(data["matrixType"])
        if kind not in MATRIX_TYPES:
            raise invalid_value(kind, "matrixType")
        data["matrixType"] = {"id": kind, "refName": MATRIX_TYPES[kind]}
        if kind == "CHILD":
            if not data.get("parent"):
                raise missing_field("parent", "Subitem of")
            parent = storage.load(ctx.conn, "item", int(data["parent"]["id"]))
            assert parent is not None
            if parent.type.name != rtype.name or enum_id(parent.data.get("matrixType")) != "PARENT":
                raise user_error(
                    "A matrix child item must name a matrix parent item of the same type.", "parent"
                )
    for index, line in enumerate((data.get("member") or {}).get("items", [])):
        path = f"member.items[{index}]"
        if not line.get("item"):
            raise missing_field(f"{path}.item", "Item")
        quantity = decimal_field(line.get("quantity", 1), "quantity", f"{path}.quantity")
        if quantity <= 0:
            raise invalid_value(line.get("quantity"), "quantity")
        line["quantity"] = float(quantity)
        line.setdefault("lineNumber", index + 1)
        member = storage.load(ctx.conn, "item", int(line["item"]["id"]))
        assert member is not None
        if existing is not None and member.data.get("itemId") == data.get("itemId"):
            raise user_error("An item cannot be a member of itself.", f"{path}.item")
    if rtype.name == "kitItem" and not (data.get("member") or {}).get("items"):
        raise missing_field("member", "Members")
    for index, line in enumerate((data.get("price") or {}).get("items", [])):
        if line.get("price") is not None:
            line["price"] = float(decimal_field(line["price"], "price", f"price.items[{index}].price"))
        if isinstance(line.get("quantity"), int | float | Decimal) and not isinstance(
            line.get("quantity"), bool
        ):
            line["quantity"] = {"value": float(line["quantity"])}
    locations = (data.get("locations") or {}).get("items", [])
    seen: set[str | None] = set()
    for index, line in enumerate(locations):
        path = f"locations.items[{index}]"
        if not line.get("location"):
            raise missing_field(f"{path}.location", "Location")
        key = ref_id(line["location"])
        if key in seen:
            raise user_error("Each location may appear only once on an item.", f"{path}.location")
        seen.add(key)
        for name in ("quantityOnHand", "quantityOnOrder", "reorderPoint", "preferredStockLevel"):
            if line.get(name) is not None:
                line[name] = float(decimal_field(line[name], name, f"{path}.{name}"))
        on_hand = Decimal(str(line.get("quantityOnHand") or 0))
        committed = Decimal(str(line.get("quantityCommitted") or 0))
        line.setdefault("quantityOnHand", 0.0)
        line["quantityCommitted"] = float(committed)
        line["quantityAvailable"] = float(max(on_hand - committed, Decimal(0)))
        line.setdefault("quantityBackOrdered", 0.0)
        line.setdefault("quantityOnOrder", 0.0)


# --- customers ----------------------------------------------------------------------------------------------


def _finish_customer(ctx: WriteContext, data: dict[str, Any], creating: bool) -> None:
    if "isPerson" not in data:
        data["isPerson"] = not data.get("companyName") and bool(data.get("firstName") or data.get("lastName"))
    if not isinstance(data["isPerson"], bool):
        raise NetSuiteError(
            400, "INVALID_CONTENT", "The field isPerson must be true or false.", path="isPerson"
        )
    for flag in ("taxable", "taxExempt", "isInactive"):
        if flag in data and not isinstance(data[flag], bool):
            raise NetSuiteError(400, "INVALID_CONTENT", f"The field {flag} must be true or false.", path=flag)
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
    for index, line in enumerate((data.get("contactRoles") or {}).get("items", [])):
        if not line.get("contact"):
            raise missing_field(f"contactRoles.items[{index}].contact", "Contact")
