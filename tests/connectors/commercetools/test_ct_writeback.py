"""Write-back helpers against both backends: state changes, refunds and stock, each once."""

from __future__ import annotations

from decimal import Decimal

from ledgerlink.connectors.commercetools import writeback

from .conftest import Backend, create_product, import_order


async def test_state_changes(backend: Backend) -> None:
    client = backend.client()
    await create_product(client, "SKU-0001")
    order = await import_order(client, "S-1", [("SKU-0001", 1000, 1)])
    confirmed = await writeback.change_order_state(client, order["id"], "Confirmed")
    assert confirmed["orderState"] == "Confirmed"
    again = await writeback.change_order_state(client, order["id"], "Confirmed")
    assert again["version"] == confirmed["version"]
    ready = await writeback.change_shipment_state(client, order["id"], "Ready")
    assert ready["shipmentState"] == "Ready"
    assert ready["version"] == confirmed["version"] + 1


async def test_refund_once(backend: Backend) -> None:
    client = backend.client()
    payment = await client.create(
        "payments",
        {
            "amountPlanned": {"currencyCode": "EUR", "centAmount": 4200},
            "paymentMethodInfo": {"method": "card"},
            "transactions": [],
        },
    )
    first = await writeback.add_refund(client, payment["id"], Decimal("5.50"), "EUR", interaction_id="ref-1")
    second = await writeback.add_refund(client, payment["id"], Decimal("5.50"), "EUR", interaction_id="ref-1")
    refunds = [t for t in second["transactions"] if t["type"] == "Refund"]
    assert len(refunds) == 1
    assert refunds[0]["amount"]["centAmount"] == 550
    assert second["version"] == first["version"]


async def test_stock_in_a_channel(backend: Backend) -> None:
    client = backend.client()
    channel = await client.create("channels", {"key": "dc-east", "roles": ["InventorySupply"]})
    await client.create(
        "inventory",
        {
            "sku": "SKU-0009",
            "quantityOnStock": 10,
            "supplyChannel": {"typeId": "channel", "id": channel["id"]},
        },
    )
    entry = await writeback.set_stock(client, "SKU-0009", 4, channel_id=channel["id"])
    assert entry["quantityOnStock"] == 4
    assert entry["availableQuantity"] == 4
