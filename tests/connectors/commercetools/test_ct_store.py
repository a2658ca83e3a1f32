"""The store connector's polling contract and the write-back helpers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ledgerlink.connectors.commercetools import writeback
from ledgerlink.connectors.commercetools.writeback import Parcel
from ledgerlink.connectors.store import WebhookRejected
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.sandbox.commercetools.app import CommercetoolsSandbox
from ledgerlink.sandbox.commercetools.seed import seed_orders, seed_products
from ledgerlink.sandbox.seeding import known_skus

from .conftest import Backend


def _sandbox(backend: Backend) -> CommercetoolsSandbox:
    assert backend.app is not None
    found: CommercetoolsSandbox = backend.app.state.sandbox
    return found


def _state(backend: Backend) -> Path:
    return _sandbox(backend).store.path


async def test_polled_not_webhooks(sandbox: Backend) -> None:
    store = sandbox.store()
    assert store.supports_webhooks is False
    assert await store.ensure_webhooks("https://example.com/hooks", ["order.updated"]) == []
    with pytest.raises(WebhookRejected):
        store.parse_webhook({}, b"{}")


async def test_delivery_with_tracking_is_added_once(sandbox: Backend) -> None:
    [order_id] = seed_orders(_state(sandbox), 1, skus=known_skus(2))
    client = sandbox.client()
    order = await client.get_order(order_id)
    items = [(line["id"], line["quantity"]) for line in order["lineItems"]]
    parcel = Parcel("1Z999AA10123456784", carrier="UPS")
    first = await writeback.add_delivery(client, order_id, items, [parcel])
    again = await writeback.add_delivery(client, order_id, items, [parcel])
    deliveries = again["shippingInfo"]["deliveries"]
    assert len(deliveries) == 1
    assert deliveries[0]["parcels"][0]["trackingData"]["trackingId"] == parcel.tracking_id
    assert deliveries[0]["parcels"][0]["trackingData"]["carrier"] == "UPS"
    assert again["shipmentState"] == "Shipped"
    assert again["version"] == first["version"]


async def test_order_and_shipment_states(sandbox: Backend) -> None:
    [order_id] = seed_orders(_state(sandbox), 1, skus=known_skus(2))
    client = sandbox.client()
    done = await writeback.change_order_state(client, order_id, "Complete")
    assert done["orderState"] == "Complete"
    delayed = await writeback.change_shipment_state(client, order_id, "Delayed")
    assert delayed["shipmentState"] == "Delayed"
    with pytest.raises(ValueError):
        await writeback.change_order_state(client, order_id, "Shipped")


async def test_refund_is_idempotent(sandbox: Backend) -> None:
    client = sandbox.client()
    payment = await client.create("payments", {"amountPlanned": {"currencyCode": "EUR", "centAmount": 5000}})
    await writeback.add_refund(client, payment["id"], Decimal("12.34"), "EUR", interaction_id="ns-refund-7")
    after = await writeback.add_refund(
        client, payment["id"], Decimal("12.34"), "EUR", interaction_id="ns-refund-7"
    )
    [refund] = after["transactions"]
    assert refund["type"] == "Refund"
    assert refund["amount"]["centAmount"] == 1234
    assert refund["interactionId"] == "ns-refund-7"


async def test_stock_per_channel(sandbox: Backend) -> None:
    seed_products(_state(sandbox), ["SKU-0001"])
    client = sandbox.client()
    channel = await client.get_channel_by_key("sandbox-warehouse")
    entry = await writeback.set_stock(client, "SKU-0001", 42, channel_id=channel["id"])
    assert entry["quantityOnStock"] == 42
    with pytest.raises(ProblemError) as raised:
        await writeback.set_stock(client, "SKU-0001", 1, channel_id=None)
    assert raised.value.problem.code == Code.RECORD_NOT_FOUND


async def test_publish_staged_product(sandbox: Backend) -> None:
    seed_products(_state(sandbox), ["SKU-0001"])
    client = sandbox.client()
    [projection] = await client.find_product_projections_by_sku("SKU-0001")
    await client.update(
        "products", projection["id"], None, [{"action": "changeName", "name": {"en": "Renamed"}}]
    )
    staged = await client.get("products", projection["id"])
    assert staged["masterData"]["hasStagedChanges"] is True
    published = await writeback.publish_product(client, projection["id"])
    assert published["masterData"]["current"]["name"] == {"en": "Renamed"}
    assert (await writeback.publish_product(client, projection["id"]))["version"] == published["version"]
    store = await client.get_store_by_key("sandbox-store")
    assert store["key"] == "sandbox-store"


async def test_orders_carry_payment_and_discount_code_when_the_client_may_read_them(sandbox: Backend) -> None:
    ids = seed_orders(_state(sandbox), 40, skus=known_skus(4))
    store = sandbox.store()
    orders = [await store.get_order(order_id) for order_id in ids]
    paid = [o for o in orders if o.payment is not None]
    assert paid and all(o.payment.method in ("creditcard", "paypal", "invoice") for o in paid if o.payment)
    assert all(o.payment.transaction_id.startswith("psp-") and o.payment.paid_at for o in paid if o.payment)
    coded = [o for o in orders if o.discounts]
    assert coded and all(d.code in ("WELCOME10", "SPRING15", "VIP20") for o in coded for d in o.discounts)
    assert all(sum((d.amount.amount for d in o.discounts), Decimal(0)) > 0 for o in coded)


async def test_narrow_clients_get_orders_without_expansion(sandbox: Backend) -> None:
    from pydantic import SecretStr

    from ledgerlink.sandbox.commercetools.credentials import CT_PROJECT_KEY

    [order_id] = seed_orders(_state(sandbox), 1, skus=known_skus(2), rng_seed=4)
    store = sandbox.store(
        client_id=SecretStr("reader"),
        client_secret=SecretStr("reader-secret"),
        scopes=[f"view_orders:{CT_PROJECT_KEY}"],
    )
    assert await store.expansions() == ()
    order = await store.get_order(order_id)
    assert order.computed_total() == order.total


async def test_project_settings(sandbox: Backend) -> None:
    project = await sandbox.client().project()
    assert project["key"] == "ledgerlink-sandbox"
    assert "EUR" in project["currencies"] and "USD" in project["currencies"]


async def test_order_by_number_in_the_store(sandbox: Backend) -> None:
    [order_id] = seed_orders(_state(sandbox), 1, skus=known_skus(2))
    client = sandbox.client(store_key="sandbox-store")
    order = await client.get_order(order_id)
    assert (await client.get_order_by_number(order["orderNumber"]))["id"] == order_id
    with pytest.raises(ProblemError) as raised:
        await client.get_order_by_number("NO-SUCH-NUMBER")
    assert raised.value.problem.code == Code.RECORD_NOT_FOUND
