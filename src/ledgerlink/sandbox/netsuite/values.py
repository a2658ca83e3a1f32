"""Reading and refusing field values the way NetSuite's record service does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerlink.sandbox.netsuite.errors import NetSuiteError

CENT = Decimal("0.01")


def decimal_field(value: Any, field: str, path: str) -> Decimal:
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


def ref_id(value: Any) -> str | None:
    if isinstance(value, dict) and value.get("id") not in (None, ""):
        return str(value["id"])
    return None


def enum_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def invalid_value(value: Any, field: str) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_CONTENT",
        f"Error while accessing resource: You have entered an Invalid Field Value {value} for the following "
        f"field: {field}",
        path=field,
    )


def user_error(message: str, path: str | None = None) -> NetSuiteError:
    return NetSuiteError(400, "USER_ERROR", f"Error while accessing resource: {message}", path=path)
