"""Order statuses: what a client may ask for (approve, cancel, close) and what the lines make of it.

Sales orders and return authorizations share one progression, told by their lines: nothing moved yet,
partly moved, all moved but not all billed (or refunded), billed, closed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerlink.sandbox.netsuite.types import FULFILLABLE_CODES
from ledgerlink.sandbox.netsuite.values import enum_id, invalid_value, user_error

ORDER_STATUS = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}


def order_status(data: dict[str, Any], existing: dict[str, Any] | None, requested: Any) -> None:
    """Apply a client's ``orderStatus`` (approve, cancel, close) and derive the status from the lines."""
    wanted = enum_id(requested) if requested is not None else None
    before = enum_id((existing or {}).get("orderStatus"))
    if existing is None:
        wanted = wanted or "B"
        if wanted not in ("A", "B"):
            raise invalid_value(wanted, "orderStatus")
        state = wanted
    elif wanted is None or wanted == before:
        state = before or "B"
    elif wanted == "B" and before != "C":
        state = "B"  # approving, or naming the status an approved order is in anyway
    elif wanted == "A" and before == "A":
        state = "A"
    elif wanted == "C":
        lines = (data.get("item") or {}).get("items", [])
        if any(line.get("quantityFulfilled") or line.get("quantityBilled") for line in lines):
            raise user_error(
                "You cannot cancel a sales order that has been fulfilled or billed; close its lines instead.",
                "orderStatus",
            )
        state = "C"
    elif wanted == "H" and before not in ("A", "C"):
        for line in (data.get("item") or {}).get("items", []):
            line["isClosed"] = True
        state = "B"
    else:
        raise invalid_value(wanted, "orderStatus")
    data["orderStatus"] = data["status"] = {"id": state, "refName": ORDER_STATUS[state]}
    if state not in ("A", "C"):
        derive_order_status(data)


RETURN_STATUS = {
    "A": "Pending Approval",
    "B": "Pending Receipt",
    "C": "Cancelled",
    "D": "Partially Received",
    "E": "Pending Refund/Partially Received",
    "F": "Pending Refund",
    "G": "Refunded",
    "H": "Closed",
}
# Per order type: status labels, the line counter of goods moved (shipped or received) and of money.
PROGRESS: dict[str, tuple[dict[str, str], str, str]] = {
    "salesOrder": (ORDER_STATUS, "quantityFulfilled", "quantityBilled"),
    "returnAuthorization": (RETURN_STATUS, "quantityReceived", "quantityBilled"),
}


def return_status(data: dict[str, Any], existing: dict[str, Any] | None, requested: Any) -> None:
    """A return authorization: A Pending Approval or B (approved) on create, then derived from receipts."""
    wanted = enum_id(requested) if requested is not None else None
    before = enum_id((existing or {}).get("orderStatus"))
    if wanted not in (None, "A", "B", "C") or (wanted == "A" and before not in (None, "A")):
        raise invalid_value(wanted, "orderStatus")
    state = wanted or before or "B"
    if state not in ("A", "C"):
        state = "B"
    data["orderStatus"] = data["status"] = {"id": state, "refName": RETURN_STATUS[state]}
    if state == "B":
        derive_order_status(data, "returnAuthorization")


def derive_order_status(data: dict[str, Any], kind: str = "salesOrder") -> str:
    """Status of an approved, uncancelled sales order (or return authorization) from its lines.

    B nothing moved yet; D some moved, all of it billed (refunded); E some moved, not all billed; F all
    moved, not all billed; G all moved and billed; H every line closed.
    """
    labels, moved_field, billed_field = PROGRESS[kind]
    current = enum_id(data.get("orderStatus"))
    if current in ("A", "C"):
        return str(current)
    lines = [line for line in (data.get("item") or {}).get("items", [])]
    open_lines = [line for line in lines if not line.get("isClosed")]
    if lines and not open_lines:
        state = "H"
    else:
        ordered = moved = Decimal(0)
        billed_behind = False
        partially = False
        for line in open_lines:
            quantity = Decimal(str(line.get("quantity") or 0))
            done = Decimal(str(line.get(moved_field) or 0))
            paid = Decimal(str(line.get(billed_field) or 0))
            code = enum_id(line.get("itemType"))
            if code in FULFILLABLE_CODES:
                ordered += quantity
                moved += done
                partially = partially or done < quantity
                billed_behind = billed_behind or paid < done
            if code not in FULFILLABLE_CODES and quantity and paid < quantity:
                billed_behind = True
        all_billed = all(
            Decimal(str(line.get(billed_field) or 0)) >= Decimal(str(line.get("quantity") or 1))
            for line in open_lines
        )
        if moved == 0 and ordered > 0:
            state = "B"
        elif not partially:
            state = "G" if all_billed else "F"
        else:
            state = "E" if billed_behind else "D"
    data["orderStatus"] = data["status"] = {"id": state, "refName": labels[state]}
    return state
