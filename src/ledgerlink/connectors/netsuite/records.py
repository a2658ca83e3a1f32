"""Typed helpers for NetSuite records beyond the order sync: fulfilments, invoices, returns, refunds and
payments by transform, per-location inventory, the pricing matrix, journals, deposits and metadata.

Writes: :func:`transform` (any ``/{type}/{id}/!transform/{target}``), :func:`fulfil_order`,
:func:`bill_order`, :func:`authorize_return`, :func:`receive_return`, :func:`refund`,
:func:`pay_invoice`, :func:`create_journal_entry`, :func:`create_customer_deposit`. Reads:
:func:`inventory_by_location`, :func:`price_matrix` (+ :func:`unit_price`), :func:`order_progress`,
:func:`fulfilments_of` (tracking numbers), :func:`kit_members` (SuiteQL ``itemmember``),
:func:`matrix_children`, :func:`find_by_code`, :func:`record_schema`.

Everything goes through :class:`~ledgerlink.connectors.netsuite.client.NetSuiteClient` (its signing,
governor, retries and error mapping). Reads use SuiteQL on the tables NetSuite exposes:

* ``inventoryitemlocations`` (``item``, ``location``, ``quantityonhand``, ``quantityavailable``,
  ``quantitycommitted``, ``quantityonorder``, ``quantitybackordered``): the per-location balances of the
  item record's ``locations`` sublist. Integrations query this table in practice (third-party SuiteQL
  seen in several public repositories); ``aggregateItemLocation`` is the older name for the same
  balances and the emulator answers both;
* ``pricing`` (``item``, ``pricelevel``, ``currency``, ``quantity`` = the quantity break, ``unitprice``):
  the item's pricing matrix (the ``price`` sublist), column names as public SuiteQL uses them;
* ``transaction``/``transactionline`` with ``quantityshiprecv`` and ``quantitybilled`` for order progress,
  and the main line's ``createdfrom`` for the records made from an order.

:func:`transform` and :func:`record_schema` are the client's own calls (same signing, governance and
write switch as every other call), offered here beside the typed helpers built on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.suiteql import suiteql_literal

ShipStatus = Literal["A", "B", "C"]  # Picked, Packed, Shipped
SCHEMA_JSON = "application/schema+json"


def _ids(values: Iterable[str | int]) -> str:
    """A SuiteQL ``IN`` list of internal ids (digits only, so no literal can break out of the query)."""
    cleaned = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError(f"{value!r} is not a NetSuite internal id")
        cleaned.append(text)
    if not cleaned:
        raise ValueError("no internal ids given")
    return ", ".join(sorted(set(cleaned), key=int))


def _decimal(row: dict[str, Any], name: str) -> Decimal:
    value = row.get(name)
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


# --- models ---------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InventoryBalance(_Model):
    """One item at one location, as ``inventoryitemlocations`` has it."""

    item_id: str
    location_id: str
    on_hand: Decimal = Decimal(0)
    available: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    on_order: Decimal = Decimal(0)
    backordered: Decimal = Decimal(0)


class PriceBreak(_Model):
    """One cell of an item's pricing matrix: price level x currency x quantity break."""

    item_id: str
    price_level_id: str
    currency_id: str
    min_quantity: Decimal = Decimal(0)
    unit_price: Decimal


def unit_price(
    breaks: Sequence[PriceBreak], *, item_id: str, price_level_id: str, currency_id: str, quantity: Decimal
) -> Decimal | None:
    """The price NetSuite charges: the largest quantity break not above ``quantity`` (None if unpriced)."""
    eligible = [
        b
        for b in breaks
        if b.item_id == item_id
        and b.price_level_id == price_level_id
        and b.currency_id == currency_id
        and b.min_quantity <= quantity
    ]
    return max(eligible, key=lambda b: b.min_quantity).unit_price if eligible else None


class FulfilmentLine(_Model):
    """A sales order line to fulfil or bill: ``order_line`` is the order's ``line`` number."""

    order_line: int = Field(ge=1)
    quantity: Decimal | None = Field(default=None, gt=0)  # None: what remains
    location_id: str | None = None

    def body(self) -> dict[str, Any]:
        line: dict[str, Any] = {"orderLine": self.order_line, "itemReceive": True}
        if self.quantity is not None:
            line["quantity"] = self.quantity
        if self.location_id:
            line["location"] = {"id": self.location_id}
        return line


class Package(_Model):
    tracking_number: str
    weight: Decimal | None = Field(default=None, ge=0)
    description: str | None = None

    def body(self) -> dict[str, Any]:
        package: dict[str, Any] = {"packageTrackingNumber": self.tracking_number}
        if self.weight is not None:
            package["packageWeight"] = self.weight
        if self.description:
            package["packageDescr"] = self.description
        return package


class FulfilmentRequest(_Model):
    """An item fulfilment of a sales order. No lines: everything that remains."""

    lines: tuple[FulfilmentLine, ...] = ()
    packages: tuple[Package, ...] = ()
    ship_status: ShipStatus = "C"
    external_id: str | None = None
    memo: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"shipStatus": {"id": self.ship_status}}
        if self.lines:
            body["item"] = {"items": [line.body() for line in self.lines]}
        if self.packages:
            body["package"] = {"items": [package.body() for package in self.packages]}
        if self.external_id:
            body["externalId"] = self.external_id
        if self.memo:
            body["memo"] = self.memo
        return body


class JournalLine(_Model):
    account_id: str
    debit: Decimal | None = Field(default=None, ge=0)
    credit: Decimal | None = Field(default=None, ge=0)
    memo: str | None = None
    entity_id: str | None = None

    @model_validator(mode="after")
    def _one_side(self) -> JournalLine:
        if (self.debit is None) == (self.credit is None):
            raise ValueError("a journal line has either a debit or a credit")
        return self

    def body(self) -> dict[str, Any]:
        line: dict[str, Any] = {"account": {"id": self.account_id}}
        for name in ("debit", "credit", "memo"):
            if getattr(self, name) is not None:
                line[name] = getattr(self, name)
        if self.entity_id:
            line["entity"] = {"id": self.entity_id}
        return line


class JournalEntry(_Model):
    subsidiary_id: str
    lines: tuple[JournalLine, ...] = Field(min_length=2)
    currency_id: str | None = None
    memo: str | None = None
    external_id: str | None = None

    @model_validator(mode="after")
    def _balanced(self) -> JournalEntry:
        debits = sum((line.debit or Decimal(0) for line in self.lines), Decimal(0))
        credits = sum((line.credit or Decimal(0) for line in self.lines), Decimal(0))
        if debits != credits:
            raise ValueError(f"debits {debits} and credits {credits} differ")
        return self

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "subsidiary": {"id": self.subsidiary_id},
            "line": {"items": [line.body() for line in self.lines]},
        }
        if self.currency_id:
            body["currency"] = {"id": self.currency_id}
        if self.memo:
            body["memo"] = self.memo
        if self.external_id:
            body["externalId"] = self.external_id
        return body


class CustomerDeposit(_Model):
    customer_id: str
    payment: Decimal = Field(gt=0)
    sales_order_id: str | None = None
    payment_method_id: str | None = None
    external_id: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"customer": {"id": self.customer_id}, "payment": self.payment}
        if self.sales_order_id:
            body["salesOrder"] = {"id": self.sales_order_id}
        if self.payment_method_id:
            body["paymentOption"] = {"id": self.payment_method_id}
        if self.external_id:
            body["externalId"] = self.external_id
        return body


class OrderLineProgress(_Model):
    line: int
    item_id: str | None
    quantity: Decimal
    fulfilled: Decimal
    billed: Decimal
    closed: bool


class OrderProgress(_Model):
    """Where a sales order stands: status letter (A-H) and per-line fulfilled/billed quantities."""

    order_id: str
    status: str
    lines: tuple[OrderLineProgress, ...]

    @property
    def fully_fulfilled(self) -> bool:
        return all(line.closed or line.fulfilled >= line.quantity for line in self.lines)


class ShippedPackage(_Model):
    tracking_number: str | None
    weight: Decimal | None = None
    carrier: Literal["generic", "ups", "fedex", "usps"] = "generic"


class FulfilledLine(_Model):
    order_line: int | None
    item_id: str | None
    quantity: Decimal
    location_id: str | None = None


class Fulfilment(_Model):
    """An item fulfilment as read back: what shipped, from where, with which tracking numbers."""

    id: str
    tran_id: str | None = None
    order_id: str | None = None
    ship_status: str | None = None  # A Picked, B Packed, C Shipped
    shipped_date: str | None = None
    lines: tuple[FulfilledLine, ...] = ()
    packages: tuple[ShippedPackage, ...] = ()

    @property
    def shipped(self) -> bool:
        return self.ship_status == "C"

    @property
    def tracking_numbers(self) -> list[str]:
        return [p.tracking_number for p in self.packages if p.tracking_number]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Fulfilment:
        """Parse ``GET /itemFulfillment/{id}?expandSubResources=true``."""

        def ref(value: Any) -> str | None:
            return str(value["id"]) if isinstance(value, dict) and value.get("id") not in (None, "") else None

        def items(name: str) -> list[dict[str, Any]]:
            value = record.get(name)
            return list(value.get("items", [])) if isinstance(value, dict) else []

        packages = []
        for carrier, sublist, suffix in (
            ("generic", "package", ""),
            ("ups", "packageUps", "Ups"),
            ("fedex", "packageFedex", "FedEx"),
            ("usps", "packageUsps", "Usps"),
        ):
            for package in items(sublist):
                weight = package.get(f"packageWeight{suffix}")
                packages.append(
                    ShippedPackage(
                        tracking_number=package.get(f"packageTrackingNumber{suffix}"),
                        weight=None if weight is None else Decimal(str(weight)),
                        carrier=carrier,
                    )
                )
        status = record.get("shipStatus")
        return cls(
            id=str(record["id"]),
            tran_id=record.get("tranId"),
            order_id=ref(record.get("createdFrom")),
            ship_status=str(status["id"]) if isinstance(status, dict) else status,
            shipped_date=record.get("shippedDate"),
            lines=tuple(
                FulfilledLine(
                    order_line=None if line.get("orderLine") is None else int(line["orderLine"]),
                    item_id=ref(line.get("item")),
                    quantity=Decimal(str(line.get("quantity") or 0)),
                    location_id=ref(line.get("location")),
                )
                for line in items("item")
            ),
            packages=tuple(packages),
        )


# --- calls ------------------------------------------------------------------------------------------------


def _id_from_location(location: str | None) -> str | None:
    if not location:
        return None
    segment = unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])
    return segment if segment.isdigit() else None


async def transform(
    client: NetSuiteClient, from_type: str, record_id: str, to_type: str, body: dict[str, Any] | None = None
) -> str:
    """``POST /{from_type}/{id}/!transform/{to_type}``; returns the new record's internal id."""
    return await client.transform(from_type, record_id, to_type, body)


async def fulfil_order(
    client: NetSuiteClient, order_id: str, request: FulfilmentRequest | None = None
) -> str:
    """Create an item fulfilment from a sales order; returns the fulfilment's internal id."""
    return await transform(
        client, "salesOrder", order_id, "itemFulfillment", (request or FulfilmentRequest()).body()
    )


async def bill_order(
    client: NetSuiteClient,
    order_id: str,
    lines: Sequence[FulfilmentLine] = (),
    *,
    target: Literal["invoice", "cashSale"] = "invoice",
    external_id: str | None = None,
) -> str:
    """Invoice (or cash-sell) a sales order: the given lines, or everything not billed yet."""
    body: dict[str, Any] = {}
    if lines:
        body["item"] = {"items": [line.body() for line in lines]}
    if external_id:
        body["externalId"] = external_id
    return await transform(client, "salesOrder", order_id, target, body)


def _lines_body(lines: Sequence[FulfilmentLine], external_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if lines:
        body["item"] = {"items": [line.body() for line in lines]}
    if external_id:
        body["externalId"] = external_id
    return body


async def authorize_return(
    client: NetSuiteClient,
    source_type: Literal["salesOrder", "invoice", "cashSale"],
    source_id: str,
    lines: Sequence[FulfilmentLine] = (),
    *,
    external_id: str | None = None,
) -> str:
    """A return authorization for (some lines of) a sale; returns its internal id."""
    return await transform(
        client, source_type, source_id, "returnAuthorization", _lines_body(lines, external_id)
    )


async def receive_return(client: NetSuiteClient, return_id: str, lines: Sequence[FulfilmentLine] = ()) -> str:
    """An item receipt of returned goods (``returnAuthorization/{id}/!transform/itemReceipt``)."""
    return await transform(client, "returnAuthorization", return_id, "itemReceipt", _lines_body(lines, None))


async def refund(
    client: NetSuiteClient,
    source_type: Literal["cashSale", "invoice", "returnAuthorization"],
    source_id: str,
    lines: Sequence[FulfilmentLine] = (),
    *,
    external_id: str | None = None,
) -> str:
    """Give money back for a sale: a cash sale becomes a ``cashRefund``, an invoice or a return
    authorization a ``creditMemo``. ``lines`` (by the source's ``line`` numbers) refund part of it."""
    target = "cashRefund" if source_type == "cashSale" else "creditMemo"
    body: dict[str, Any] = {}
    if lines:
        body["item"] = {"items": [line.body() for line in lines]}
    if external_id:
        body["externalId"] = external_id
    return await transform(client, source_type, source_id, target, body)


async def pay_invoice(
    client: NetSuiteClient, invoice_id: str, amount: Decimal | None = None, *, external_id: str | None = None
) -> str:
    """A customer payment applied to one invoice (``invoice/{id}/!transform/customerPayment``).

    Without ``amount`` it pays what is still due.
    """
    body: dict[str, Any] = {}
    if amount is not None:
        body["payment"] = amount
    if external_id:
        body["externalId"] = external_id
    return await transform(client, "invoice", invoice_id, "customerPayment", body)


async def create_journal_entry(client: NetSuiteClient, entry: JournalEntry) -> str:
    return await client.create("journalEntry", entry.body())


async def create_customer_deposit(client: NetSuiteClient, deposit: CustomerDeposit) -> str:
    return await client.create("customerDeposit", deposit.body())


async def inventory_by_location(
    client: NetSuiteClient, item_ids: Iterable[str | int], location_ids: Iterable[str | int] | None = None
) -> list[InventoryBalance]:
    """Per-location balances of these items (optionally only at these locations)."""
    query = (
        "SELECT item, location, quantityonhand, quantityavailable, quantitycommitted, quantityonorder, "
        f"quantitybackordered FROM inventoryitemlocations WHERE item IN ({_ids(item_ids)})"
    )
    if location_ids is not None:
        query += f" AND location IN ({_ids(location_ids)})"
    query += " ORDER BY item, location"
    return [
        InventoryBalance(
            item_id=str(row["item"]),
            location_id=str(row["location"]),
            on_hand=_decimal(row, "quantityonhand"),
            available=_decimal(row, "quantityavailable"),
            committed=_decimal(row, "quantitycommitted"),
            on_order=_decimal(row, "quantityonorder"),
            backordered=_decimal(row, "quantitybackordered"),
        )
        async for row in client.suiteql(query)
        if row.get("location") is not None
    ]


async def price_matrix(
    client: NetSuiteClient, item_ids: Iterable[str | int], *, currency_id: str | None = None
) -> list[PriceBreak]:
    """The pricing matrix cells of these items (optionally in one currency)."""
    query = (
        "SELECT item, pricelevel, currency, quantity, unitprice FROM pricing "
        f"WHERE item IN ({_ids(item_ids)})"
    )
    if currency_id is not None:
        query += f" AND currency = {_ids([currency_id])}"
    query += " ORDER BY item, pricelevel, currency, quantity"
    return [
        PriceBreak(
            item_id=str(row["item"]),
            price_level_id=str(row.get("pricelevel", "")),
            currency_id=str(row.get("currency", "")),
            min_quantity=_decimal(row, "quantity"),
            unit_price=_decimal(row, "unitprice"),
        )
        async for row in client.suiteql(query)
    ]


async def order_progress(client: NetSuiteClient, order_id: str) -> OrderProgress:
    """A sales order's status and per-line fulfilled/billed quantities, from SuiteQL.

    ``transactionline`` keeps sales quantities negative; they are turned positive here.
    """
    query = (
        "SELECT t.status, tl.id, tl.item, tl.quantity, tl.quantityshiprecv, tl.quantitybilled, tl.isclosed "
        "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id "
        f"WHERE t.id = {_ids([order_id])} AND tl.mainline = 'F' ORDER BY tl.id"
    )
    rows = [row async for row in client.suiteql(query)]
    status = str(rows[0].get("status", "")) if rows else ""
    return OrderProgress(
        order_id=str(order_id),
        status=status,
        lines=tuple(
            OrderLineProgress(
                line=int(row["id"]),
                item_id=None if row.get("item") is None else str(row["item"]),
                quantity=abs(_decimal(row, "quantity")),
                fulfilled=_decimal(row, "quantityshiprecv"),
                billed=_decimal(row, "quantitybilled"),
                closed=row.get("isclosed") == "T",
            )
            for row in rows
        ),
    )


async def fulfilments_of(client: NetSuiteClient, order_id: str) -> list[Fulfilment]:
    """Every item fulfilment created from a sales order, with lines and tracking numbers."""
    query = (
        "SELECT t.id FROM transaction t JOIN transactionline tl "
        "ON tl.transaction = t.id AND tl.mainline = 'T' "
        f"WHERE t.type = 'ItemShip' AND tl.createdfrom = {_ids([order_id])} ORDER BY t.id"
    )
    ids = [str(row["id"]) async for row in client.suiteql(query)]
    return [Fulfilment.from_record(await client.get("itemFulfillment", one, expand=True)) for one in ids]


class KitMember(_Model):
    kit_id: str
    item_id: str
    quantity: Decimal


async def kit_members(client: NetSuiteClient, kit_ids: Iterable[str | int]) -> list[KitMember]:
    """Members of kits (and assemblies) from SuiteQL's ``itemmember`` (parentitem, item, quantity)."""
    query = (
        "SELECT parentitem, item, quantity, linenumber FROM itemmember "
        f"WHERE parentitem IN ({_ids(kit_ids)}) ORDER BY parentitem, linenumber"
    )
    return [
        KitMember(kit_id=str(row["parentitem"]), item_id=str(row["item"]), quantity=_decimal(row, "quantity"))
        async for row in client.suiteql(query)
    ]


async def matrix_children(client: NetSuiteClient, parent_id: str | int) -> dict[str, str]:
    """itemId -> internal id of a matrix parent's children (``item.parent``)."""
    query = f"SELECT id, itemid FROM item WHERE parent = {_ids([parent_id])} ORDER BY id"
    return {str(row["itemid"]): str(row["id"]) async for row in client.suiteql(query)}


async def find_by_code(client: NetSuiteClient, table: str, column: str, value: str) -> str | None:
    """Internal id of the record whose ``column`` equals ``value`` in a SuiteQL table (e.g. price levels)."""
    if not (table.isidentifier() and column.isidentifier()):
        raise ValueError("table and column must be plain SuiteQL identifiers")
    query = f"SELECT id FROM {table} WHERE {column} = {suiteql_literal(value)} ORDER BY id"
    async for row in client.suiteql(query):
        return str(row["id"])
    return None


async def record_schema(client: NetSuiteClient, record_type: str) -> dict[str, Any]:
    """``GET /record/v1/metadata-catalog/{type}`` as JSON Schema."""
    return await client.record_schema(record_type)
