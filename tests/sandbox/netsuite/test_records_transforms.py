"""Fulfilling and billing sales orders by transform, and what that does to the order and the stock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary, seed_catalog

from .conftest import RECORD, new_id, order_body, suiteql

LOCATION = REFERENCE_IDS["location"]


def detail(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()["o:errorDetails"][0])


async def get(client: httpx.AsyncClient, kind: str, record_id: str) -> dict[str, Any]:
    response = await client.get(f"{RECORD}/{kind}/{record_id}", params={"expandSubResources": "true"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def make_order(client: httpx.AsyncClient, seeded: SeedSummary, **extra: Any) -> str:
    body = order_body(seeded, location={"id": LOCATION}, **extra)
    return new_id(await client.post(f"{RECORD}/salesOrder", json=body))


def status(record: dict[str, Any]) -> str:
    return str(record["status"]["id"])


async def test_fulfil_everything_by_default_then_bill(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded)
    body = {
        "shipStatus": {"id": "C"},
        "package": {"items": [{"packageTrackingNumber": "1Z999AA10123456784", "packageWeight": 1.5}]},
    }
    response = await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json=body)
    fulfilment_id = new_id(response)
    assert response.headers["Location"].endswith(f"/itemFulfillment/{fulfilment_id}")
    fulfilment = await get(client, "itemFulfillment", fulfilment_id)
    assert fulfilment["createdFrom"]["id"] == order_id
    assert fulfilment["shipStatus"] == {"id": "C", "refName": "Shipped"}
    assert fulfilment["tranId"].startswith("IF")
    lines = fulfilment["item"]["items"]
    assert [(line["orderLine"], line["quantity"]) for line in lines] == [(1, 2.0), (2, 1.0)]
    assert fulfilment["package"]["items"][0]["packageTrackingNumber"] == "1Z999AA10123456784"

    order = await get(client, "salesOrder", order_id)
    assert status(order) == "F" and order["orderStatus"]["refName"] == "Pending Billing"
    assert [line["quantityFulfilled"] for line in order["item"]["items"]] == [2.0, 1.0]

    invoice_id = new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/invoice", json={}))
    invoice = await get(client, "invoice", invoice_id)
    assert invoice["total"] == order["total"] == 25.5
    assert invoice["status"]["refName"] == "Open" and invoice["createdFrom"]["id"] == order_id
    order = await get(client, "salesOrder", order_id)
    assert status(order) == "G"
    assert [line["quantityBilled"] for line in order["item"]["items"]] == [2.0, 1.0]

    rows = (
        await suiteql(
            client,
            "SELECT t.type, tl.quantityshiprecv, tl.quantitybilled FROM transaction t "
            f"JOIN transactionline tl ON tl.transaction = t.id WHERE t.id = {order_id} AND tl.mainline = 'F' "
            "ORDER BY tl.id",
        )
    ).json()["items"]
    assert [(r["type"], r["quantityshiprecv"], r["quantitybilled"]) for r in rows] == [
        ("SalesOrd", "2", "2"),
        ("SalesOrd", "1", "1"),
    ]
    types = (
        await suiteql(
            client, f"SELECT DISTINCT t.type FROM transaction t WHERE t.id IN ({fulfilment_id}, {invoice_id})"
        )
    ).json()["items"]
    assert {r["type"] for r in types} == {"ItemShip", "CustInvc"}


async def test_partial_fulfilment_and_over_fulfilment(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded)
    url = f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment"
    first = {"item": {"items": [{"orderLine": 1, "quantity": 1, "itemReceive": True}]}}
    new_id(await client.post(url, json=first))
    order = await get(client, "salesOrder", order_id)
    assert status(order) == "E" and order["status"]["refName"] == "Pending Billing/Partially Fulfilled"

    too_many = await client.post(url, json={"item": {"items": [{"orderLine": 1, "quantity": 2}]}})
    assert too_many.status_code == 400
    assert detail(too_many)["o:errorCode"] == "USER_ERROR"
    assert detail(too_many)["o:errorPath"] == "item.items[0].quantity"
    assert "remaining quantity (1)" in detail(too_many)["detail"]

    missing = await client.post(url, json={"item": {"items": [{"orderLine": 9, "quantity": 1}]}})
    assert (missing.status_code, detail(missing)["o:errorCode"]) == (400, "INVALID_KEY_OR_REF")

    # bill what shipped: pending billing / partially fulfilled until the rest ships
    invoice_url = f"{RECORD}/salesOrder/{order_id}/!transform/invoice"
    new_id(await client.post(invoice_url, json={"item": {"items": [{"orderLine": 1, "quantity": 1}]}}))
    order = await get(client, "salesOrder", order_id)
    assert status(order) == "D" and order["status"]["refName"] == "Partially Fulfilled"  # shipped = billed
    new_id(await client.post(url, json={}))  # the rest: line 1 x1, line 2 x1
    order = await get(client, "salesOrder", order_id)
    assert status(order) == "F"
    nothing_left = await client.post(url, json={})
    assert (nothing_left.status_code, detail(nothing_left)["o:errorCode"]) == (400, "INVALID_INITIALIZE_REF")
    assert detail(nothing_left)["detail"].endswith(
        f"You can not initialize itemfulfillment: invalid reference {order_id}."
    )
    unselected = await client.post(url, json={"item": {"items": [{"orderLine": 1, "itemReceive": False}]}})
    assert (unselected.status_code, detail(unselected)["o:errorCode"]) == (400, "VALID_LINE_ITEM_REQD")


async def test_deleting_a_fulfilment_reopens_the_order(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    order_id = await make_order(client, seeded)
    fulfilment_id = new_id(
        await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={})
    )
    assert status(await get(client, "salesOrder", order_id)) == "F"
    assert (await client.delete(f"{RECORD}/itemFulfillment/{fulfilment_id}")).status_code == 204
    order = await get(client, "salesOrder", order_id)
    assert status(order) == "B"
    assert [line["quantityFulfilled"] for line in order["item"]["items"]] == [0.0, 0.0]


async def test_pending_approval_cancel_and_close(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded, orderStatus={"id": "A"})
    url = f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment"
    refused = await client.post(url, json={})
    assert (refused.status_code, detail(refused)["o:errorCode"]) == (400, "INVALID_INITIALIZE_REF")
    assert (
        await client.patch(f"{RECORD}/salesOrder/{order_id}", json={"orderStatus": {"id": "B"}})
    ).status_code == 204
    assert status(await get(client, "salesOrder", order_id)) == "B"
    derived = await client.patch(f"{RECORD}/salesOrder/{order_id}", json={"orderStatus": {"id": "G"}})
    assert derived.status_code == 400 and detail(derived)["o:errorPath"] == "orderStatus"

    assert (
        await client.patch(f"{RECORD}/salesOrder/{order_id}", json={"orderStatus": {"id": "C"}})
    ).status_code == 204
    cancelled = await get(client, "salesOrder", order_id)
    assert cancelled["status"] == {"id": "C", "refName": "Cancelled"}
    assert (await client.post(url, json={})).status_code == 400

    shipped = await make_order(client, seeded)
    new_id(await client.post(f"{RECORD}/salesOrder/{shipped}/!transform/itemFulfillment", json={}))
    no_cancel = await client.patch(f"{RECORD}/salesOrder/{shipped}", json={"orderStatus": {"id": "C"}})
    assert no_cancel.status_code == 400 and detail(no_cancel)["o:errorCode"] == "USER_ERROR"

    closing = await make_order(client, seeded)
    patch = {"item": {"items": [{"line": 1, "isClosed": True}, {"line": 2, "isClosed": True}]}}
    assert (await client.patch(f"{RECORD}/salesOrder/{closing}", json=patch)).status_code == 204
    assert status(await get(client, "salesOrder", closing)) == "H"


async def test_quantity_cannot_drop_below_fulfilled(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded)
    new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={}))
    response = await client.patch(
        f"{RECORD}/salesOrder/{order_id}", json={"item": {"items": [{"line": 1, "quantity": 1}]}}
    )
    assert response.status_code == 400 and detail(response)["o:errorPath"] == "item.items[0].quantity"
    ignored = await client.patch(
        f"{RECORD}/salesOrder/{order_id}", json={"item": {"items": [{"line": 1, "quantityFulfilled": 0}]}}
    )
    assert ignored.status_code == 204  # read-only line field: ignored, as NetSuite ignores it
    assert (await get(client, "salesOrder", order_id))["item"]["items"][0]["quantityFulfilled"] == 2.0


async def test_fulfilment_moves_stock_and_orders_commit_it(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    sku = seeded.item_ids["SKU-0001"]

    async def balance() -> dict[str, str]:
        q = (
            "SELECT quantityonhand, quantitycommitted, quantityavailable, quantitybackordered "
            f"FROM inventoryitemlocations WHERE item = {sku} AND location = {LOCATION}"
        )
        rows = (await suiteql(client, q)).json()["items"]
        return {k: v for k, v in rows[0].items() if k != "links"}

    start = await balance()
    on_hand = int(start["quantityonhand"])
    assert int(start["quantitycommitted"]) == 0
    order_id = await make_order(client, seeded)
    committed = await balance()
    assert int(committed["quantitycommitted"]) == 2
    assert int(committed["quantityavailable"]) == on_hand - 2
    new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={}))
    shipped = await balance()
    assert (int(shipped["quantityonhand"]), int(shipped["quantitycommitted"])) == (on_hand - 2, 0)

    big = order_body(seeded, location={"id": LOCATION})
    big["item"]["items"][0]["quantity"] = on_hand + 5
    new_id(await client.post(f"{RECORD}/salesOrder", json=big))
    short = await balance()
    assert int(short["quantitybackordered"]) == 7 and int(short["quantityavailable"]) == 0
    same = (
        await suiteql(
            client,
            "SELECT quantityonhand, quantitycommitted, quantityavailable, quantitybackordered "
            f"FROM aggregateItemLocation WHERE item = {sku} AND location = {LOCATION}",
        )
    ).json()["items"]
    assert {k: v for k, v in same[0].items() if k != "links"} == short


async def test_other_transforms_and_refusals(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded)
    cash_sale = new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/cashSale", json={}))
    assert (await get(client, "cashSale", cash_sale))["total"] == 25.5
    rma = new_id(await client.post(f"{RECORD}/cashSale/{cash_sale}/!transform/returnAuthorization", json={}))
    assert (await get(client, "returnAuthorization", rma))["status"]["refName"] == "Pending Receipt"
    memo = new_id(await client.post(f"{RECORD}/returnAuthorization/{rma}/!transform/creditMemo", json={}))
    credit = await get(client, "creditMemo", memo)
    assert credit["total"] == 25.5 and credit["tranId"].startswith("CM")
    refund = new_id(await client.post(f"{RECORD}/cashSale/{cash_sale}/!transform/cashRefund", json={}))
    assert (await get(client, "cashRefund", refund))["createdFrom"]["id"] == cash_sale

    unsupported = await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/journalEntry", json={})
    assert unsupported.status_code == 400
    gone = await client.post(f"{RECORD}/salesOrder/999999/!transform/invoice", json={})
    assert gone.status_code == 404
    direct = await client.post(f"{RECORD}/itemFulfillment", json={"createdFrom": {"id": order_id}})
    assert direct.status_code == 400

    billed = await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/invoice", json={})
    assert billed.status_code == 400  # the cash sale billed everything
    dup = {"externalId": "inv-1"}
    fresh = await make_order(client, seeded)
    assert (await client.post(f"{RECORD}/salesOrder/{fresh}/!transform/invoice", json=dup)).status_code == 204
    again = await make_order(client, seeded)
    second = await client.post(f"{RECORD}/salesOrder/{again}/!transform/invoice", json=dup)
    assert (second.status_code, detail(second)["o:errorCode"]) == (400, "DUP_RCRD")


async def test_invoice_payments(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = await make_order(client, seeded)
    invoice_id = new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/invoice", json={}))
    fresh = await get(client, "invoice", invoice_id)
    assert (fresh["amountPaid"], fresh["amountRemaining"], fresh["status"]["id"]) == (0.0, 25.5, "A")
    url = f"{RECORD}/invoice/{invoice_id}/!transform/customerPayment"
    part = new_id(await client.post(url, json={"payment": 10.5}))
    payment = await get(client, "customerPayment", part)
    assert payment["apply"]["items"][0]["doc"]["id"] == invoice_id
    assert (payment["payment"], payment["applied"], payment["unapplied"]) == (10.5, 10.5, 0.0)
    assert payment["status"] == {"id": "B", "refName": "Not Deposited"}
    invoice = await get(client, "invoice", invoice_id)
    assert (invoice["status"]["id"], invoice["amountPaid"], invoice["amountRemaining"]) == ("A", 10.5, 15.0)

    rest = new_id(await client.post(url, json={}))
    assert (await get(client, "customerPayment", rest))["payment"] == 15.0
    invoice = await get(client, "invoice", invoice_id)
    assert invoice["status"] == {"id": "B", "refName": "Paid In Full"} and invoice["amountRemaining"] == 0.0
    paid = await client.post(url, json={})
    assert (paid.status_code, detail(paid)["o:errorCode"]) == (400, "INVALID_INITIALIZE_REF")

    assert (await client.delete(f"{RECORD}/customerPayment/{rest}")).status_code == 204
    assert (await get(client, "invoice", invoice_id))["status"]["id"] == "A"
    customer = next(iter(seeded.customer_ids.values()))
    over = {
        "customer": {"id": customer},
        "payment": 100,
        "apply": {"items": [{"doc": {"id": invoice_id}, "amount": 20}]},
    }
    too_much = await client.post(f"{RECORD}/customerPayment", json=over)
    assert too_much.status_code == 400 and detail(too_much)["o:errorPath"] == "apply.items[0].amount"
    over["apply"]["items"][0]["amount"] = 15  # type: ignore[index]
    direct = await get(
        client, "customerPayment", new_id(await client.post(f"{RECORD}/customerPayment", json=over))
    )
    assert direct["unapplied"] == 85.0
    assert (await get(client, "invoice", invoice_id))["status"]["id"] == "B"


async def test_kits_commit_and_ship_their_members(
    client: httpx.AsyncClient, seeded: SeedSummary, state_path: Path
) -> None:
    catalog = seed_catalog(state_path)
    kit = catalog.kits["GIFT-BOX"]
    one, two = seeded.item_ids["SKU-0001"], seeded.item_ids["SKU-0002"]
    members = (
        await suiteql(client, f"SELECT item, quantity FROM itemmember WHERE parentitem = {kit}")
    ).json()
    assert [(r["item"], r["quantity"]) for r in members["items"]] == [(one, "2"), (two, "1")]

    async def stock() -> dict[str, tuple[int, int]]:
        q = (
            "SELECT item, quantityonhand, quantitycommitted FROM inventoryitemlocations "
            f"WHERE location = {LOCATION} AND item IN ({one}, {two})"
        )
        rows = (await suiteql(client, q)).json()["items"]
        return {r["item"]: (int(r["quantityonhand"]), int(r["quantitycommitted"])) for r in rows}

    start = await stock()
    body = order_body(
        seeded, location={"id": LOCATION}, item={"items": [{"item": {"id": kit}, "quantity": 2}]}
    )
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=body))
    committed = await stock()
    assert committed[one] == (start[one][0], start[one][1] + 4) and committed[two][1] == start[two][1] + 2
    new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={}))
    shipped = await stock()
    assert shipped[one] == (start[one][0] - 4, start[one][1]) and shipped[two][0] == start[two][0] - 2


async def test_partial_invoices_add_up_to_the_order(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    body = order_body(seeded, location={"id": LOCATION}, taxRate=10, shippingCost=5)
    for line in body["item"]["items"]:
        line["isTaxable"] = True
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=body))
    order = await get(client, "salesOrder", order_id)
    assert (order["taxTotal"], order["total"]) == (2.55, 33.05)
    url = f"{RECORD}/salesOrder/{order_id}/!transform/invoice"
    first = await get(
        client,
        "invoice",
        new_id(await client.post(url, json={"item": {"items": [{"orderLine": 1, "quantity": 1}]}})),
    )
    second = await get(client, "invoice", new_id(await client.post(url, json={})))
    assert (first["total"], first["shippingCost"], first["taxTotal"]) == (16.0, 5.0, 1.0)
    assert "shippingCost" not in second and (second["total"], second["taxTotal"]) == (17.05, 1.55)
    assert first["total"] + second["total"] == order["total"]
    assert (await get(client, "salesOrder", order_id))["status"]["id"] == "B"  # billed, not yet shipped


async def test_returns_are_received_then_refunded(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    sku = seeded.item_ids["SKU-0001"]

    async def on_hand() -> int:
        q = f"SELECT quantityonhand FROM inventoryitemlocations WHERE item = {sku} AND location = {LOCATION}"
        return int((await suiteql(client, q)).json()["items"][0]["quantityonhand"])

    order_id = await make_order(client, seeded)
    new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={}))
    invoice_id = new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/invoice", json={}))
    rma_id = new_id(
        await client.post(
            f"{RECORD}/invoice/{invoice_id}/!transform/returnAuthorization",
            json={"item": {"items": [{"orderLine": 1, "quantity": 2}]}},
        )
    )
    rma = await get(client, "returnAuthorization", rma_id)
    assert rma["status"] == {"id": "B", "refName": "Pending Receipt"} and rma["total"] == 20.0
    stock = await on_hand()

    receive = f"{RECORD}/returnAuthorization/{rma_id}/!transform/itemReceipt"
    receipt_id = new_id(
        await client.post(receive, json={"item": {"items": [{"orderLine": 1, "quantity": 1}]}})
    )
    receipt = await get(client, "itemReceipt", receipt_id)
    assert receipt["tranId"].startswith("IR") and receipt["item"]["items"][0]["location"]["id"] == LOCATION
    assert await on_hand() == stock + 1
    assert (await get(client, "returnAuthorization", rma_id))["status"][
        "refName"
    ] == "Pending Refund/Partially Received"

    refund = f"{RECORD}/returnAuthorization/{rma_id}/!transform/creditMemo"
    memo = new_id(await client.post(refund, json={"item": {"items": [{"orderLine": 1, "quantity": 1}]}}))
    assert (await get(client, "creditMemo", memo))["total"] == 10.0
    assert (await get(client, "returnAuthorization", rma_id))["status"]["refName"] == "Partially Received"
    too_many = await client.post(receive, json={"item": {"items": [{"orderLine": 1, "quantity": 2}]}})
    assert too_many.status_code == 400 and detail(too_many)["o:errorPath"] == "item.items[0].quantity"

    new_id(await client.post(receive, json={}))
    assert (await get(client, "returnAuthorization", rma_id))["status"]["refName"] == "Pending Refund"
    new_id(await client.post(refund, json={}))
    rma = await get(client, "returnAuthorization", rma_id)
    assert rma["status"] == {"id": "G", "refName": "Refunded"}
    assert [(line["quantityReceived"], line["quantityBilled"]) for line in rma["item"]["items"]] == [
        (2.0, 2.0)
    ]
    assert await on_hand() == stock + 2
    assert (await client.post(receive, json={})).status_code == 400
    direct = await client.post(f"{RECORD}/itemReceipt", json={"createdFrom": {"id": rma_id}})
    assert direct.status_code == 400


async def test_records_with_dependents_cannot_be_deleted(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    order_id = await make_order(client, seeded)
    fulfilment_id = new_id(
        await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={})
    )
    code = "THIS_RECORD_CANNOT_BE_DELETED_BECAUSE_IT_HAS_DEPENDENT_RECORDS"
    for path in (
        f"salesOrder/{order_id}",
        f"customer/{next(iter(seeded.customer_ids.values()))}",
        f"inventoryItem/{seeded.item_ids['SKU-0001']}",
    ):
        refused = await client.delete(f"{RECORD}/{path}")
        assert (refused.status_code, detail(refused)["o:errorCode"]) == (400, code), path
    assert (await client.delete(f"{RECORD}/itemFulfillment/{fulfilment_id}")).status_code == 204
    assert (await client.delete(f"{RECORD}/salesOrder/{order_id}")).status_code == 204
    assert (await client.delete(f"{RECORD}/inventoryItem/{seeded.item_ids['SKU-0030']}")).status_code == 204
