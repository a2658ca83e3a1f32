"""Order actions: ship, invoice, refund (offline credit memo), cancel and comments.

Each validates as Magento's ``ShipOrder``/``InvoiceOrder``/``RefundOrder`` services do and refuses with a
"<Document> Document Validation Error(s):" message listing what is wrong (HTTP 400). Items name the
priced (parent) order item; its children follow it. Afterwards the order state is resolved as Magento's
``OrderStateResolver`` does: ``complete`` once everything is invoiced and shipped, ``closed`` once
everything is refunded, ``processing`` otherwise. Each answers the new document's id, which the API
prints as a JSON string of digits (``"10"``) as a real 2.4.7-p3 store does (issue 21).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerlink.sandbox.magento.criteria import INVALID_TYPE
from ledgerlink.sandbox.magento.errors import MagentoError, not_found
from ledgerlink.sandbox.magento.orders import ORDER, cents, now_text, num, save_order, set_state
from ledgerlink.sandbox.magento.state import Transaction

CLOSED_STATES = {"canceled", "closed", "complete", "holded", "payment_review"}
NO_SHIPPING_STATES = {"canceled", "closed", "holded", "payment_review"}
UNDONE = {"ship": "unshipped", "invoice": "uninvoiced", "refund": "unrefunded"}


def load(tx: Transaction, order_id: int) -> dict[str, Any]:
    order = tx.get(ORDER, order_id)
    if order is None:
        raise not_found()
    return order


def _d(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def _typed(value: Any, kind: str) -> Decimal:
    """A number from a request body, refused as Magento's input processor refuses the wrong type."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite() or (kind == "int" and number != int(number)):
        raise MagentoError(400, INVALID_TYPE, {"value": str(value), "type": kind})
    return number


def _top_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in order["items"] if item.get("parent_item_id") is None]


def _remaining(item: dict[str, Any], done: str) -> Decimal:
    if done == "qty_refunded":  # only what was invoiced can be refunded
        return max(_d(item["qty_invoiced"]) - _d(item["qty_refunded"]), Decimal("0"))
    left = _d(item["qty_ordered"]) - _d(item[done]) - _d(item["qty_canceled"])
    if done == "qty_shipped":
        left -= _d(item["qty_refunded"])
    return max(left, Decimal("0"))


def _quantities(
    order: dict[str, Any], requested: Any, done: str, verb: str, document: str
) -> dict[int, Decimal]:
    """order_item_id -> qty for this document; every remaining quantity when no items are given."""
    top = {int(item["item_id"]): item for item in _top_items(order)}
    children = {
        int(item["item_id"]): int(item["parent_item_id"])
        for item in order["items"]
        if item.get("parent_item_id")
    }
    if not requested:
        wanted = {item_id: _remaining(item, done) for item_id, item in top.items()}
        wanted = {k: v for k, v in wanted.items() if v > 0}
    else:
        if not isinstance(requested, list):
            raise MagentoError(400, "The items must be a list of {order_item_id, qty}.")
        wanted = {}
        errors: list[str] = []
        for entry in requested:
            if not isinstance(entry, dict):
                raise MagentoError(400, "The items must be a list of {order_item_id, qty}.")
            item_id = int(_typed(entry.get("order_item_id"), "int"))
            item_id = children.get(item_id, item_id)
            item = top.get(item_id)
            if item is None:
                errors.append(
                    f'The {document.lower()} contains product SKU "" that is not part of the original order.'
                )
                continue
            qty = _typed(entry.get("qty"), "float")
            if qty > _remaining(item, done) or qty < 0:
                errors.append(
                    f"The quantity to {verb} must not be greater than the {UNDONE[verb]} quantity "
                    f'for product SKU "{item["sku"]}".'
                )
                continue
            if qty > 0:
                wanted[item_id] = wanted.get(item_id, Decimal("0")) + qty
        if errors:
            raise MagentoError(400, f"{document} Document Validation Error(s):\n" + "\n".join(errors))
    if not wanted:
        raise MagentoError(
            400,
            f"{document} Document Validation Error(s):\n"
            f"You can't create a {document.lower()} without products.",
        )
    return wanted


def _apply(order: dict[str, Any], wanted: dict[int, Decimal], field: str) -> None:
    for item in order["items"]:
        owner = int(item.get("parent_item_id") or item["item_id"])
        if owner in wanted:
            item[field] = float(_d(item[field]) + wanted[owner])
            item["updated_at"] = now_text()


def resolve_state(order: dict[str, Any]) -> None:
    """Magento's OrderStateResolver for an order that was processing."""
    items = _top_items(order)
    if all(_d(i["qty_refunded"]) + _d(i["qty_canceled"]) >= _d(i["qty_ordered"]) for i in items):
        set_state(order, "closed")
        return
    shipped = all(_remaining(i, "qty_shipped") == 0 for i in items)
    invoiced = all(_remaining(i, "qty_invoiced") == 0 for i in items)
    set_state(order, "complete" if shipped and invoiced else "processing")


def _comments(
    tx: Transaction, body: dict[str, Any], document_id: int, notify_key: str
) -> list[dict[str, Any]]:
    """The document's comments: the request's ``comment`` goes on the new shipment, invoice or credit
    memo itself, whatever ``appendComment`` says (that flag only puts it in the e-mail), as
    magento/magento2 ``Sales/Model/Order/ShipmentDocumentFactory::create`` (and the invoice and credit
    memo factories) call ``addComment`` whenever a comment is given."""
    comment = body.get("comment")
    if not isinstance(comment, dict) or not str(comment.get("comment") or ""):
        return []
    return [
        {
            "entity_id": tx.next_id(f"{notify_key}_comment"),
            "parent_id": document_id,
            "comment": str(comment["comment"]),
            "created_at": now_text(),
            "is_customer_notified": int(bool(body.get("notify")) and bool(body.get("appendComment"))),
            "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
        }
    ]


def _history(
    tx: Transaction, order: dict[str, Any], text: str, entity: str, notified: bool
) -> dict[str, Any]:
    return {
        "entity_id": tx.next_id("history"),
        "parent_id": order["entity_id"],
        "comment": text,
        "created_at": now_text(),
        "entity_name": entity,
        "is_customer_notified": int(notified),
        "is_visible_on_front": 0,
        "status": order["status"],
    }


def ship(tx: Transaction, order_id: int, body: dict[str, Any]) -> int:
    order = load(tx, order_id)
    nothing_left = all(_remaining(item, "qty_shipped") == 0 for item in _top_items(order))
    if order["state"] in NO_SHIPPING_STATES or nothing_left:
        raise MagentoError(
            400, "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created."
        )
    wanted = _quantities(order, body.get("items"), "qty_shipped", "ship", "Shipment")
    shipment_id = tx.next_id("shipment")
    tracks = [
        {
            "entity_id": tx.next_id("track"),
            "order_id": order_id,
            "parent_id": shipment_id,
            "track_number": str(t.get("track_number", "")),
            "title": str(t.get("title", "")),
            "carrier_code": str(t.get("carrier_code", "")),
            "created_at": now_text(),
        }
        for t in body.get("tracks") or []
        if isinstance(t, dict)
    ]
    _apply(order, wanted, "qty_shipped")
    tx.put(
        "shipment",
        shipment_id,
        {
            "entity_id": shipment_id,
            "order_id": order_id,
            "increment_id": f"{shipment_id:09d}",
            "items": [{"order_item_id": k, "qty": float(v)} for k, v in wanted.items()],
            "tracks": tracks,
            "total_qty": float(sum(wanted.values())),
            "created_at": now_text(),
            "comments": _comments(tx, body, shipment_id, "shipment"),
        },
    )
    resolve_state(order)
    save_order(tx, order)
    return shipment_id


@dataclass
class _Part:
    """What one invoice or credit memo takes of the priced items: per item (qty, row, discount, tax)."""

    lines: dict[int, tuple[Decimal, Decimal, Decimal, Decimal]] = field(default_factory=dict)

    def total(self, index: int) -> Decimal:
        return sum((line[index] for line in self.lines.values()), Decimal(0))


def _share(total: Any, done: Any, qty: Decimal, left: Decimal) -> Decimal:
    """This document's part of an item amount: whatever is left when it takes the item's last units (as
    Magento's invoice and credit memo total collectors do for the "last" item), else its quantity's share."""
    rest = _d(total) - _d(done)
    if left <= 0:
        return Decimal(0)
    return rest if qty >= left else cents(rest * qty / left)


def _part(order: dict[str, Any], wanted: dict[int, Decimal], refund: bool) -> _Part:
    """The rows, discounts and taxes of ``wanted``: out of what is not invoiced yet for an invoice, out of
    what is invoiced and not refunded for a credit memo."""
    part = _Part()
    for item in _top_items(order):
        qty = wanted.get(int(item["item_id"]))
        if not qty:
            continue
        if refund:
            left = _d(item["qty_invoiced"]) - _d(item["qty_refunded"])
            pairs = [("row_invoiced", "amount_refunded"), ("discount_invoiced", "discount_refunded")]
            pairs.append(("tax_invoiced", "tax_refunded"))
        else:
            left = _d(item["qty_ordered"]) - _d(item["qty_invoiced"]) - _d(item["qty_canceled"])
            pairs = [("row_total", "row_invoiced"), ("discount_amount", "discount_invoiced")]
            pairs.append(("tax_amount", "tax_invoiced"))
        row, discount, tax = (_share(item.get(of), item.get(done), qty, left) for of, done in pairs)
        part.lines[int(item["item_id"])] = (qty, row, discount, tax)
    return part


def _add(document: dict[str, Any], amounts: dict[str, Decimal]) -> None:
    """Add to a document's running figures, its ``base_*`` twins too (base currency = order currency)."""
    for name, amount in amounts.items():
        for key in (name, f"base_{name}"):
            document[key] = num(_d(document.get(key)) + amount)


def _record_items(order: dict[str, Any], part: _Part, names: tuple[str, str, str]) -> None:
    """Add each line's row, discount and tax to its item under ``names`` (and their ``base_*``)."""
    for item in _top_items(order):
        line = part.lines.get(int(item["item_id"]))
        if line is not None:
            _add(item, dict(zip(names, line[1:], strict=True)))


def invoice(tx: Transaction, order_id: int, body: dict[str, Any]) -> int:
    """Magento's ``InvoiceOrder`` (offline: the invoice is paid at once): the items' and the order's
    ``*_invoiced`` figures, ``total_paid`` and the payment's ``amount_paid`` grow by the invoice
    (magento/magento2 ``Sales/Model/Order/Invoice::register``, ``Invoice/Item::register``, ``Payment::pay``);
    the order's ``discount_invoiced`` is negative like the invoice's discount, the items' positive."""
    order = load(tx, order_id)
    if order["state"] in CLOSED_STATES:
        raise MagentoError(
            400, "Invoice Document Validation Error(s):\nThe order does not allow an invoice to be created."
        )
    wanted = _quantities(order, body.get("items"), "qty_invoiced", "invoice", "Invoice")
    first = _d(order.get("total_invoiced")) == 0
    part = _part(order, wanted, refund=False)
    shipping = _d(order["shipping_amount"]) if first else Decimal(0)
    shipping_tax = _d(order["shipping_tax_amount"]) if first else Decimal(0)
    subtotal, discount, tax = part.total(1), part.total(2), part.total(3) + shipping_tax
    amount = subtotal + shipping + tax - discount
    _record_items(order, part, ("row_invoiced", "discount_invoiced", "tax_invoiced"))
    _apply(order, wanted, "qty_invoiced")
    invoice_id = tx.next_id("invoice")
    tx.put(
        "invoice",
        invoice_id,
        {
            "entity_id": invoice_id,
            "order_id": order_id,
            "grand_total": num(amount),
            "state": 2,
            "comments": _comments(tx, body, invoice_id, "invoice"),
        },
    )
    _add(
        order,
        {
            "total_invoiced": amount,
            "total_paid": amount,
            "subtotal_invoiced": subtotal,
            "tax_invoiced": tax,
            "shipping_invoiced": shipping,
            "discount_invoiced": -discount,
            "discount_tax_compensation_invoiced": Decimal(0),
        },
    )
    _add(order["payment"], {"amount_paid": amount, "shipping_captured": shipping})
    order["total_due"] = order["base_total_due"] = num(_d(order["grand_total"]) - _d(order["total_paid"]))
    if order["state"] in ("new", "pending_payment"):
        set_state(order, "processing")
    resolve_state(order)
    save_order(tx, order)
    return invoice_id


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def _price(order: dict[str, Any], amount: Decimal) -> str:
    """An amount as ``Order::formatPrice`` writes it in comments (en_US: ``$1,234.50``)."""
    code = str(order.get("base_currency_code") or order.get("order_currency_code") or "USD")
    symbol = _SYMBOLS.get(code)
    figure = f"{cents(amount):,.2f}"
    return f"{symbol}{figure}" if symbol else f"{code}\xa0{figure}"


def refund(tx: Transaction, order_id: int, body: dict[str, Any]) -> int:
    """Magento's ``RefundOrder`` (an offline credit memo): the items' and the order's ``*_refunded``
    figures, the adjustments, ``total_offline_refunded`` and the payment's ``amount_refunded`` grow by the
    credit memo (magento/magento2 ``Sales/Model/Order/Creditmemo/RefundOperation::execute``,
    ``Creditmemo/Item::register``), and ``Payment::refund`` adds the comment "We refunded %1 offline." with
    the order's new status to ``status_histories``."""
    order = load(tx, order_id)
    if _d(order.get("total_paid")) <= _d(order.get("total_refunded")) or order["state"] in (
        "canceled",
        "closed",
    ):
        raise MagentoError(
            400,
            "Creditmemo Document Validation Error(s):\nThe order does not allow a creditmemo to be created.",
        )
    wanted = _quantities(order, body.get("items"), "qty_refunded", "refund", "Creditmemo")
    given = body.get("arguments")
    arguments: dict[str, Any] = given if isinstance(given, dict) else {}
    # Without shipping_amount Magento refunds whatever shipping is left, with its tax.
    left = _d(order["shipping_amount"]) - _d(order.get("shipping_refunded"))
    shipping = _d(arguments["shipping_amount"]) if "shipping_amount" in arguments else left
    if shipping > left:
        raise MagentoError(400, "Maximum shipping amount allowed to refund is: %1", [num(left)])
    ratio = shipping / _d(order["shipping_amount"]) if _d(order["shipping_amount"]) else Decimal("0")
    shipping_tax = cents(_d(order["shipping_tax_amount"]) * ratio)
    positive, negative = _d(arguments.get("adjustment_positive")), _d(arguments.get("adjustment_negative"))
    part = _part(order, wanted, refund=True)
    subtotal, discount, tax = part.total(1), part.total(2), part.total(3) + shipping_tax
    amount = subtotal - discount + tax + shipping + positive - negative
    if amount > _d(order["total_paid"]) - _d(order.get("total_refunded")):
        raise MagentoError(
            400,
            "The most money available to refund is %1.",
            [num(_d(order["total_paid"]) - _d(order.get("total_refunded")))],
        )
    _record_items(order, part, ("amount_refunded", "discount_refunded", "tax_refunded"))
    _apply(order, wanted, "qty_refunded")
    memo_id = tx.next_id("creditmemo")
    tx.put(
        "creditmemo",
        memo_id,
        {
            "entity_id": memo_id,
            "order_id": order_id,
            "grand_total": num(amount),
            "state": 2,
            "comments": _comments(tx, body, memo_id, "creditmemo"),
        },
    )
    _add(
        order,
        {
            "total_refunded": amount,
            "total_offline_refunded": amount,
            "subtotal_refunded": subtotal,
            "tax_refunded": tax,
            "discount_tax_compensation_refunded": Decimal(0),
            "shipping_refunded": shipping,
            "shipping_tax_refunded": shipping_tax,
            "adjustment_positive": positive,
            "adjustment_negative": negative,
            "discount_refunded": -discount,
        },
    )
    _add(order["payment"], {"amount_refunded": amount, "shipping_refunded": shipping})
    resolve_state(order)
    message = f"We refunded {_price(order, amount)} offline."
    history = _history(tx, order, message, "order", bool(order.get("customer_note_notify")))
    order.setdefault("status_histories", []).insert(0, history)
    save_order(tx, order)
    return memo_id


def _to_invoice(item: dict[str, Any]) -> Decimal:
    return max(_d(item["qty_ordered"]) - _d(item["qty_invoiced"]) - _d(item["qty_canceled"]), Decimal(0))


def _to_cancel(item: dict[str, Any]) -> Decimal:
    """``Order/Item::getQtyToCancel``: what is neither invoiced nor shipped."""
    return min(_to_invoice(item), _remaining(item, "qty_shipped"))


def cancel(tx: Transaction, order_id: int) -> bool:
    """Magento's ``OrderManagement::cancel``: false (HTTP 200) when ``Order::canCancel`` says no (on hold,
    in payment review, cancelled, complete or closed, or everything invoiced); else
    ``Order::registerCancellation``: each item's quantity neither invoiced nor shipped is cancelled, the
    order's ``*_canceled`` figures are what was not invoiced (``discount_canceled`` as Magento computes it,
    ``abs(discount_amount) - discount_invoiced``), and the order is ``canceled``, or ``processing`` or
    ``complete`` when invoiced items remain to refund (magento/magento2 ``Sales/Model/Order.php``)."""
    order = load(tx, order_id)
    top = _top_items(order)
    if order["state"] in CLOSED_STATES or not any(map(_to_invoice, top)):
        return False
    state = "canceled"
    for item in top:
        if state != "processing" and _d(item["qty_invoiced"]) > _d(item["qty_refunded"]):
            state = "processing" if _remaining(item, "qty_shipped") > _to_cancel(item) else "complete"
    for item in top:
        qty = _to_cancel(item)
        share = qty / _d(item["qty_ordered"]) if _d(item["qty_ordered"]) else Decimal(0)
        _apply(order, {int(item["item_id"]): qty}, "qty_canceled")
        _add(item, {"tax_canceled": cents(_d(item["tax_amount"]) * share)})
        item["discount_tax_compensation_canceled"] = num(_d(item.get("discount_tax_compensation_canceled")))
    _add(
        order,
        {
            "subtotal_canceled": _d(order["subtotal"]) - _d(order.get("subtotal_invoiced")),
            "tax_canceled": _d(order["tax_amount"]) - _d(order.get("tax_invoiced")),
            "shipping_canceled": _d(order["shipping_amount"]) - _d(order.get("shipping_invoiced")),
            "discount_canceled": abs(_d(order["discount_amount"])) - _d(order.get("discount_invoiced")),
            "total_canceled": _d(order["grand_total"]) - _d(order.get("total_paid")),
        },
    )
    set_state(order, state)
    save_order(tx, order)
    return True


def hold(tx: Transaction, order_id: int) -> bool:
    order = load(tx, order_id)
    if order["state"] not in ("new", "processing", "pending_payment"):
        raise MagentoError(400, "A hold action is not available.")
    order["hold_before_state"], order["hold_before_status"] = order["state"], order["status"]
    set_state(order, "holded")
    save_order(tx, order)
    return True


def unhold(tx: Transaction, order_id: int) -> bool:
    order = load(tx, order_id)
    if order["state"] != "holded":
        raise MagentoError(400, "You cannot remove the hold.")
    set_state(order, str(order.pop("hold_before_state", None) or "processing"))
    order["status"] = order.pop("hold_before_status", None) or order["status"]
    save_order(tx, order)
    return True


def add_comment(tx: Transaction, order_id: int, body: dict[str, Any]) -> bool:
    order = load(tx, order_id)
    history = body.get("statusHistory")
    if not isinstance(history, dict):
        raise MagentoError(
            400, '"%fieldName" is required. Enter and try again.', {"fieldName": "statusHistory"}
        )
    entry = _history(
        tx, order, str(history.get("comment", "")), "order", bool(history.get("is_customer_notified"))
    )
    entry["is_visible_on_front"] = int(history.get("is_visible_on_front") or 0)
    status = history.get("status")
    if isinstance(status, str) and status:
        order["status"] = entry["status"] = status
    order["status_histories"].insert(0, entry)
    # The order's updated_at stays: a comment is its own row (observed on Magento 2.4.7-p3, issue 21).
    save_order(tx, order)
    return True
