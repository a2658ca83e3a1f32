"""Versioned updates, in-store views and the other resources of the emulated project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from ledgerlink.sandbox.commercetools.app import create_app
from ledgerlink.sandbox.commercetools.seed import seed_orders, seed_products
from ledgerlink.sandbox.seeding import known_skus

from .conftest import BASE, PROJECT


async def _order(api: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await api.get(f"{PROJECT}/orders/{order_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_update_bumps_version_and_time(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(3))
    before = await _order(api, order_id)
    response = await api.post(
        f"{PROJECT}/orders/{order_id}",
        json={
            "version": before["version"],
            "actions": [{"action": "changeShipmentState", "shipmentState": "Delayed"}],
        },
    )
    assert response.status_code == 200
    after = response.json()
    assert after["version"] == before["version"] + 1
    assert after["lastModifiedAt"] > before["lastModifiedAt"]
    assert after["lastModifiedAt"].endswith("Z") and len(after["lastModifiedAt"]) == 24
    assert after["shipmentState"] == "Delayed"
    assert await _order(api, order_id) == after


async def test_stale_version_is_409(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(3))
    action = {"action": "changeShipmentState", "shipmentState": "Ready"}
    first = await api.post(f"{PROJECT}/orders/{order_id}", json={"version": 1, "actions": [action]})
    assert first.status_code == 200
    stale = await api.post(f"{PROJECT}/orders/{order_id}", json={"version": 1, "actions": [action]})
    assert stale.status_code == 409
    body = stale.json()
    assert body["statusCode"] == 409
    assert body["errors"][0]["code"] == "ConcurrentModification"
    assert body["errors"][0]["currentVersion"] == 2


async def test_unknown_action_changes_nothing(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(3))
    actions = [{"action": "changeOrderState", "orderState": "Complete"}, {"action": "teleport"}]
    response = await api.post(f"{PROJECT}/orders/{order_id}", json={"version": 1, "actions": actions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"
    assert (await _order(api, order_id))["version"] == 1


async def test_add_delivery_with_parcels(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(3))
    order = await _order(api, order_id)
    line = order["lineItems"][0]
    action = {
        "action": "addDelivery",
        "items": [{"id": line["id"], "quantity": line["quantity"]}],
        "parcels": [{"trackingData": {"trackingId": "1Z999", "carrier": "UPS"}}],
    }
    response = await api.post(f"{PROJECT}/orders/{order_id}", json={"version": 1, "actions": [action]})
    assert response.status_code == 200, response.text
    [delivery] = response.json()["shippingInfo"]["deliveries"]
    assert delivery["items"] == [{"id": line["id"], "quantity": line["quantity"]}]
    assert delivery["parcels"][0]["trackingData"] == {"trackingId": "1Z999", "carrier": "UPS"}
    bad = {**action, "items": [{"id": "nope", "quantity": 1}]}
    refused = await api.post(f"{PROJECT}/orders/{order_id}", json={"version": 2, "actions": [bad]})
    assert refused.status_code == 400


async def test_in_store_view(api: httpx.AsyncClient, state_path: Path) -> None:
    mine = seed_orders(state_path, 2, skus=known_skus(3), store_key="sandbox-store")
    theirs = seed_orders(state_path, 2, skus=known_skus(3), store_key=None, rng_seed=9)
    listed = (await api.get(f"{PROJECT}/in-store/key=sandbox-store/orders")).json()["results"]
    assert {o["id"] for o in listed} == set(mine)
    assert (await api.get(f"{PROJECT}/in-store/key=sandbox-store/orders/{theirs[0]}")).status_code == 404
    assert (await api.get(f"{PROJECT}/in-store/key=sandbox-store/orders/{mine[0]}")).status_code == 200


async def test_import_order(api: httpx.AsyncClient, state_path: Path) -> None:
    seed_products(state_path, ["SKU-0001"])
    draft = {
        "orderNumber": "IMP-1",
        "customerEmail": "buyer@example.com",
        "lineItems": [
            {
                "name": {"en": "Mug"},
                "variant": {"sku": "SKU-0001"},
                "price": {"value": {"currencyCode": "EUR", "centAmount": 1190}},
                "quantity": 2,
                "taxRate": {"name": "MwSt", "amount": 0.19, "includedInPrice": True, "country": "DE"},
            }
        ],
        "totalPrice": {"currencyCode": "EUR", "centAmount": 2380},
        "taxedPrice": {
            "totalNet": {"currencyCode": "EUR", "centAmount": 2000},
            "totalGross": {"currencyCode": "EUR", "centAmount": 2380},
            "taxPortions": [
                {"rate": 0.19, "amount": {"currencyCode": "EUR", "centAmount": 380}, "name": "MwSt"}
            ],
        },
    }
    response = await api.post(f"{PROJECT}/orders/import", json=draft)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["version"] == 1
    assert order["lineItems"][0]["taxedPrice"]["totalNet"]["centAmount"] == 2000
    assert order["taxedPrice"]["totalTax"]["centAmount"] == 380
    by_number = await api.get(f"{PROJECT}/orders/order-number=IMP-1")
    assert by_number.json()["id"] == order["id"]


async def test_payment_transactions(api: httpx.AsyncClient) -> None:
    draft = {
        "amountPlanned": {"currencyCode": "EUR", "centAmount": 5000},
        "paymentMethodInfo": {"method": "card"},
    }
    created = await api.post(f"{PROJECT}/payments", json=draft)
    assert created.status_code == 201
    payment = created.json()
    refund = {"type": "Refund", "amount": {"currencyCode": "EUR", "centAmount": 1250}, "state": "Success"}
    response = await api.post(
        f"{PROJECT}/payments/{payment['id']}",
        json={"version": 1, "actions": [{"action": "addTransaction", "transaction": refund}]},
    )
    [transaction] = response.json()["transactions"]
    assert transaction["type"] == "Refund"
    assert transaction["amount"]["centAmount"] == 1250
    assert transaction["id"]


async def test_inventory_per_channel(api: httpx.AsyncClient) -> None:
    channel = (
        await api.post(f"{PROJECT}/channels", json={"key": "eu-dc", "roles": ["InventorySupply"]})
    ).json()
    entry = await api.post(
        f"{PROJECT}/inventory",
        json={"sku": "SKU-9", "quantityOnStock": 10, "supplyChannel": {"typeId": "channel", "key": "eu-dc"}},
    )
    assert entry.status_code == 201
    assert entry.json()["supplyChannel"] == {"typeId": "channel", "id": channel["id"]}
    where = f'sku = "SKU-9" and supplyChannel(id = "{channel["id"]}")'
    [found] = (await api.get(f"{PROJECT}/inventory", params={"where": where})).json()["results"]
    changed = await api.post(
        f"{PROJECT}/inventory/{found['id']}",
        json={"version": 1, "actions": [{"action": "changeQuantity", "quantity": 3}]},
    )
    assert changed.json()["quantityOnStock"] == 3
    assert changed.json()["availableQuantity"] == 3
    unknown = await api.post(
        f"{PROJECT}/inventory",
        json={"sku": "SKU-9", "quantityOnStock": 1, "supplyChannel": {"typeId": "channel", "key": "nope"}},
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["code"] == "ReferencedResourceNotFound"


async def test_products_publish_and_projections(api: httpx.AsyncClient) -> None:
    draft = {
        "productType": {"typeId": "product-type", "id": "pt"},
        "name": {"en": "Lamp"},
        "slug": {"en": "lamp"},
        "masterVariant": {
            "sku": "LAMP-1",
            "prices": [{"value": {"currencyCode": "EUR", "centAmount": 4999}}],
        },
    }
    product = (await api.post(f"{PROJECT}/products", json=draft)).json()
    assert product["masterData"]["published"] is False
    assert (await api.get(f"{PROJECT}/product-projections/{product['id']}")).status_code == 404
    staged = await api.get(f"{PROJECT}/product-projections/{product['id']}", params={"staged": "true"})
    assert staged.json()["masterVariant"]["sku"] == "LAMP-1"
    published = await api.post(
        f"{PROJECT}/products/{product['id']}", json={"version": 1, "actions": [{"action": "publish"}]}
    )
    assert published.json()["masterData"]["published"] is True
    found = await api.get(f"{PROJECT}/product-projections", params={"where": 'masterVariant(sku = "LAMP-1")'})
    assert [p["id"] for p in found.json()["results"]] == [product["id"]]


async def test_customers_and_stores(api: httpx.AsyncClient, state_path: Path) -> None:
    created = await api.post(f"{PROJECT}/customers", json={"email": "ada@example.com", "firstName": "Ada"})
    assert created.status_code == 201
    customer = created.json()["customer"]
    again = await api.post(f"{PROJECT}/customers", json={"email": "ADA@example.com"})
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "DuplicateField"
    assert (await api.get(f"{PROJECT}/customers/{customer['id']}")).json()["firstName"] == "Ada"
    seed_products(state_path, ["SKU-0001"])
    store = await api.get(f"{PROJECT}/stores/key=sandbox-store")
    assert store.status_code == 200
    assert store.json()["supplyChannels"][0]["typeId"] == "channel"


async def test_state_survives_restart(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(2))
    await api.post(
        f"{PROJECT}/orders/{order_id}",
        json={"version": 1, "actions": [{"action": "changeShipmentState", "shipmentState": "Delayed"}]},
    )
    app = create_app(state_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as other:
        other.headers["Authorization"] = api.headers["Authorization"]
        order = (await other.get(f"{PROJECT}/orders/{order_id}")).json()
    assert order["version"] == 2
    assert order["shipmentState"] == "Delayed"


async def test_head_checks_existence(api: httpx.AsyncClient, state_path: Path) -> None:
    [order_id] = seed_orders(state_path, 1, skus=known_skus(2))
    assert (await api.head(f"{PROJECT}/orders/{order_id}")).status_code == 200
    assert (await api.head(f"{PROJECT}/orders/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await api.head(f"{PROJECT}/orders", params={"where": f'id = "{order_id}"'})).status_code == 200
    assert (await api.head(f"{PROJECT}/orders", params={"where": 'id = "nope"'})).status_code == 404


async def test_import_with_shipping_and_custom_lines(api: httpx.AsyncClient) -> None:
    eur = {"currencyCode": "EUR"}
    tax = {"name": "VAT", "amount": 0.2, "includedInPrice": False, "country": "FR"}
    line = {
        "name": {"en": "Cup"},
        "variant": {"sku": "CUP"},
        "price": {"value": {**eur, "centAmount": 500}},
        "quantity": 3,
        "taxRate": tax,
    }
    wrap = {
        "name": {"en": "Wrap"},
        "slug": "wrap",
        "money": {**eur, "centAmount": 250},
        "quantity": 1,
        "taxRate": tax,
    }
    shipping = {
        "shippingMethodName": "Standard",
        "price": {**eur, "centAmount": 490},
        "shippingRate": {"price": {**eur, "centAmount": 490}},
        "taxRate": tax,
    }
    draft = {
        "lineItems": [line],
        "customLineItems": [wrap],
        "shippingInfo": shipping,
        "totalPrice": {**eur, "centAmount": 2240},
        "taxedPrice": {
            "totalNet": {**eur, "centAmount": 2240},
            "totalGross": {**eur, "centAmount": 2688},
            "taxPortions": [{"rate": 0.2, "amount": {**eur, "centAmount": 448}}],
        },
    }
    response = await api.post(f"{PROJECT}/orders/import", json=draft)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["customLineItems"][0]["taxedPrice"]["totalGross"]["centAmount"] == 300
    assert order["shippingInfo"]["taxedPrice"]["totalTax"]["centAmount"] == 98
    item = order["lineItems"][0]
    delivery = {"action": "addDelivery", "items": [{"id": item["id"], "quantity": 3}], "parcels": []}
    shipped = await api.post(f"{PROJECT}/orders/{order['id']}", json={"version": 1, "actions": [delivery]})
    assert len(shipped.json()["shippingInfo"]["deliveries"]) == 1
