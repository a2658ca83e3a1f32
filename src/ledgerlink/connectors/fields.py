"""Reading a store's JSON answer field by field, so that a malformed answer names the exact field.

Stores' REST answers are changed by plugins, extensions and API extensions more often than by the
platforms themselves. When a translator cannot read an order, the operator must learn which field of
which order was wrong (``line_items[2].subtotal``), not see a ``KeyError``. Each platform's translator
subclasses :class:`FieldReader` with its name, its advice and its own time and money formats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self

from pydantic import ValidationError

from ledgerlink.engine.problems import Code, ProblemError, Team, permanent
from ledgerlink.records.money import to_decimal
from ledgerlink.records.order import Order

log = logging.getLogger("ledgerlink.connectors")

MISSING: Any = object()


def unreadable_field(system: str, advice: str, order_id: Any, field: str, why: str) -> ProblemError:
    """The permanent problem for an order whose ``field`` cannot be read."""
    return permanent(
        Code.BAD_RESPONSE,
        f"{system} order {order_id} cannot be read",
        f"field {field}: {why}",
        advice,
        team=Team.INTEGRATION,
        order_id=str(order_id),
        field=field,
    )


class FieldReader:
    """One JSON object of an order; every accessor raises a problem naming ``path.key`` when wrong."""

    system: ClassVar[str] = "store"
    advice: ClassVar[str] = "check what changes the store's REST answer"
    null_is_missing: ClassVar[bool] = False  # does an explicit null count as an absent field?

    def __init__(self, data: Any, path: str, order_id: Any) -> None:
        if not isinstance(data, Mapping):
            raise self.problem(order_id, path or "(order)", f"expected an object, got {type(data).__name__}")
        self.data, self.path, self.order_id = data, path, order_id

    @classmethod
    def problem(cls, order_id: Any, field: str, why: str) -> ProblemError:
        return unreadable_field(cls.system, cls.advice, order_id, field, why)

    def fail(self, key: str, why: str) -> ProblemError:
        return self.problem(self.order_id, self.name(key), why)

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = MISSING) -> Any:
        absent = key not in self.data or (self.null_is_missing and self.data[key] is None)
        if absent:
            if default is MISSING:
                raise self.fail(key, "missing")
            return default
        return self.data[key]

    def text(self, key: str, default: Any = MISSING) -> str:
        value = self.raw(key, default)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        return str(value)

    def decimal(self, key: str, default: Any = MISSING) -> Decimal:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | None):
            raise self.fail(key, f"expected a number, got {type(value).__name__}")
        try:
            number = to_decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise self.fail(key, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise self.fail(key, f"{value!r} is not a finite number")
        return number

    def nested(self, data: Any, path: str) -> Self:
        """A reader of the same kind for an object inside this one."""
        return type(self)(data, path, self.order_id)

    def child(self, key: str) -> Self:
        return self.nested(self.raw(key), self.name(key))

    def optional_child(self, key: str) -> Self | None:
        value = self.raw(key, None)
        return None if value is None else self.nested(value, self.name(key))

    def children(self, key: str, *, required: bool = True) -> list[Self]:
        items = self.raw(key) if required else self.raw(key, [])
        if items is None and not required:
            return []
        if not isinstance(items, list):
            raise self.fail(key, f"expected a list, got {type(items).__name__}")
        return [self.nested(item, f"{self.name(key)}[{i}]") for i, item in enumerate(items)]

    @contextmanager
    def refusals(self) -> Iterator[None]:
        """Inside, a value a record model refuses (a currency that is not ISO 4217, a negative quantity)
        becomes the problem naming that field, like any other bad field."""
        try:
            yield
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(order)"
            raise self.problem(self.order_id, field, first["msg"]) from None

    def build_order(self, **fields: Any) -> Order:
        """The canonical order from what was read. A total that differs from its parts is kept as the
        store sent it, with a warning that names the order (never the buyer)."""
        with self.refusals():
            order = Order(**fields)
        difference = order.total_discrepancy()
        if difference.amount != 0:
            log.warning(
                "%s order %s from %s: total %s differs from its parts by %s; kept as the store sent it",
                self.system,
                order.source_id,
                order.source,
                order.total,
                difference,
            )
        return order
