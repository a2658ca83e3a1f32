"""Changes Ledgerlink writes back to commercetools: fulfilment, order state, refunds, stock, publishing.

Each helper builds commercetools update actions and sends them through
:meth:`CommercetoolsClient.update`, which reads the current version and, when another writer got there
first (409 ConcurrentModification), reads again and re-applies. Actions that depend on what the record
holds (a transaction already recorded, a quantity already right) are planned from the version read,
so a retried write never doubles a refund or a delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerlink.connectors.commercetools.client import CommercetoolsClient
from ledgerlink.connectors.commercetools.money import money_json
from ledgerlink.connectors.commercetools.query import ct_time
from ledgerlink.engine.problems import Code, Team, permanent

ORDER_STATES = ("Open", "Confirmed", "Complete", "Cancelled")
SHIPMENT_STATES = ("Shipped", "Delivered", "Ready", "Pending", "Delayed", "Partial", "Backorder", "Canceled")


@dataclass(frozen=True)
class Parcel:
    tracking_id: str
    carrier: str = ""
    provider: str = ""
    is_return: bool = False


def _check(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


async def change_order_state(client: CommercetoolsClient, order_id: str, state: str) -> dict[str, Any]:
    _check(state, ORDER_STATES, "orderState")

    def plan(order: dict[str, Any]) -> list[dict[str, Any]]:
        return (
            [] if order.get("orderState") == state else [{"action": "changeOrderState", "orderState": state}]
        )

    return await client.update("orders", order_id, None, plan)


async def change_shipment_state(client: CommercetoolsClient, order_id: str, state: str) -> dict[str, Any]:
    _check(state, SHIPMENT_STATES, "shipmentState")

    def plan(order: dict[str, Any]) -> list[dict[str, Any]]:
        if order.get("shipmentState") == state:
            return []
        return [{"action": "changeShipmentState", "shipmentState": state}]

    return await client.update("orders", order_id, None, plan)


def _tracking_ids(order: dict[str, Any]) -> set[str]:
    info = order.get("shippingInfo") or {}
    found: set[str] = set()
    for delivery in info.get("deliveries") or []:
        for parcel in delivery.get("parcels") or []:
            tracking = parcel.get("trackingData") or {}
            if tracking.get("trackingId"):
                found.add(str(tracking["trackingId"]))
    return found


async def add_delivery(
    client: CommercetoolsClient,
    order_id: str,
    items: Sequence[tuple[str, int]],
    parcels: Sequence[Parcel],
    *,
    shipment_state: str | None = "Shipped",
) -> dict[str, Any]:
    """Record a shipment: ``items`` as (line item id, quantity), each parcel with its tracking data.

    A delivery whose tracking ids are all on the order already is not added again (a retry after a
    lost answer must not ship twice on paper)."""
    if shipment_state is not None:
        _check(shipment_state, SHIPMENT_STATES, "shipmentState")
    wanted = {p.tracking_id for p in parcels}

    def plan(order: dict[str, Any]) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        if not wanted or not wanted <= _tracking_ids(order):
            actions.append(
                {
                    "action": "addDelivery",
                    "items": [{"id": line_id, "quantity": quantity} for line_id, quantity in items],
                    "parcels": [
                        {
                            "trackingData": {
                                "trackingId": p.tracking_id,
                                **({"carrier": p.carrier} if p.carrier else {}),
                                **({"provider": p.provider} if p.provider else {}),
                                "isReturn": p.is_return,
                            },
                            "items": [],
                        }
                        for p in parcels
                    ],
                }
            )
        if shipment_state and order.get("shipmentState") != shipment_state:
            actions.append({"action": "changeShipmentState", "shipmentState": shipment_state})
        return actions

    return await client.update("orders", order_id, None, plan)


async def add_refund(
    client: CommercetoolsClient,
    payment_id: str,
    amount: Decimal,
    currency: str,
    *,
    interaction_id: str,
    state: str = "Success",
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """Add a Refund transaction to a payment; ``interaction_id`` (e.g. the NetSuite refund id) makes it
    idempotent: a payment that already holds a refund with that id is left as it is."""
    if amount <= 0:
        raise ValueError("a refund amount must be positive")
    money = money_json(amount, currency)

    def plan(payment: dict[str, Any]) -> list[dict[str, Any]]:
        for known in payment.get("transactions") or []:
            if known.get("type") == "Refund" and known.get("interactionId") == interaction_id:
                return []
        transaction: dict[str, Any] = {
            "type": "Refund",
            "amount": money,
            "interactionId": interaction_id,
            "state": state,
        }
        if timestamp is not None:
            transaction["timestamp"] = ct_time(timestamp)
        return [{"action": "addTransaction", "transaction": transaction}]

    return await client.update("payments", payment_id, None, plan)


async def set_stock(
    client: CommercetoolsClient, sku: str, quantity: int, *, channel_id: str | None = None
) -> dict[str, Any]:
    """Set the quantity on stock of ``sku`` in a supply channel (None: the entry without a channel)."""
    if quantity < 0:
        raise ValueError("a quantity on stock cannot be negative")
    entries = await client.find_inventory(sku, channel_id)
    if not entries:
        where = f"supply channel {channel_id}" if channel_id else "without a supply channel"
        raise permanent(
            Code.RECORD_NOT_FOUND,
            f"no inventory entry for {sku}",
            f"commercetools has no inventory entry for SKU {sku} {where}",
            "create the inventory entry in commercetools (or correct the channel mapping)",
            team=Team.OPERATIONS,
            sku=sku,
        )

    def plan(entry: dict[str, Any]) -> list[dict[str, Any]]:
        if entry.get("quantityOnStock") == quantity:
            return []
        return [{"action": "changeQuantity", "quantity": quantity}]

    return await client.update("inventory", str(entries[0]["id"]), None, plan)


async def publish_product(client: CommercetoolsClient, product_id: str) -> dict[str, Any]:
    """Publish the staged data of a product (nothing is sent when nothing is staged)."""

    def plan(product: dict[str, Any]) -> list[dict[str, Any]]:
        data = product.get("masterData") or {}
        if data.get("published") and not data.get("hasStagedChanges"):
            return []
        return [{"action": "publish"}]

    return await client.update("products", product_id, None, plan)
