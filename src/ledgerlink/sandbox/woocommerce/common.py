"""Small pieces every resource module shares: address blocks, field readers, change events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledgerlink.sandbox.woocommerce.errors import WooApiError, invalid_param

BILLING_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)
SHIPPING_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ResourceEvent:
    """A change a webhook topic can react to, e.g. ("order", "created", 123)."""

    resource: str
    event: str
    resource_id: int
    # Seconds this event's deliveries leave after the change's others: the `order.updated` a real
    # store fires right after `order.created` arrives about 50 ms later (FACTS.md §7).
    lag_seconds: float = 0.0

    @property
    def topic(self) -> str:
        return f"{self.resource}.{self.event}"


def address(
    current: dict[str, str] | None, posted: Any, fields: tuple[str, ...], name: str
) -> dict[str, str]:
    """Merge a posted address object over the current one; unknown keys are ignored as in core."""
    merged = {key: "" for key in fields}
    if current:
        merged.update({key: str(current.get(key, "")) for key in fields})
    if posted is None:
        return merged
    if not isinstance(posted, dict):
        raise invalid_param(name, f"{name} is not of type object.")
    for key in fields:
        if key in posted and posted[key] is not None:
            value = posted[key]
            if not isinstance(value, str | int | float):
                raise invalid_param(name, f"{name}[{key}] is not of type string.")
            merged[key] = str(value)
    if "email" in fields and merged["email"] and not EMAIL.match(merged["email"]):
        raise invalid_param(name, f"{name}[email] is not a valid email address.", "rest_invalid_email")
    return merged


def text(payload: dict[str, Any], key: str, default: str = "") -> str:
    value = payload.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise invalid_param(key, f"{key} is not of type string.")
    return str(value)


def integer(payload: dict[str, Any], key: str, default: int = 0) -> int:
    value = payload.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool):
        raise invalid_param(key, f"{key} is not of type integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise invalid_param(key, f"{key} is not of type integer.")


def boolean(payload: dict[str, Any], key: str, default: bool = False) -> bool:
    value = payload.get(key, default)
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", ""):
        return value.lower() in ("true", "1")
    raise invalid_param(key, f"{key} is not of type boolean.")


def meta_data(current: list[dict[str, Any]], posted: Any, next_id: Any) -> list[dict[str, Any]]:
    """Apply posted meta_data entries: update by id or key, add new ones with fresh meta IDs."""
    if posted is None:
        return current
    if not isinstance(posted, list):
        raise invalid_param("meta_data", "meta_data is not of type array.")
    result = [dict(entry) for entry in current]
    for entry in posted:
        if not isinstance(entry, dict) or "key" not in entry:
            raise invalid_param("meta_data", "meta_data[0][key] is a required property of meta_data[0].")
        existing = next(
            (m for m in result if (entry.get("id") and m["id"] == entry["id"]) or m["key"] == entry["key"]),
            None,
        )
        if existing is not None:
            if entry.get("value") is None:
                result.remove(existing)
            else:
                existing["value"] = entry["value"]
        elif entry.get("value") is not None:
            result.append({"id": next_id(), "key": str(entry["key"]), "value": entry["value"]})
    return result


def require_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise WooApiError("rest_invalid_json", "Invalid JSON body passed.", 400)
    return payload
