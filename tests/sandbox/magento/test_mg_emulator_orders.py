"""Searching, order actions, catalogue, inventory and bulk operations of the emulated store."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledgerlink.sandbox.magento.app import create_app
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings

from .conftest import BASE, OAuth1

pytestmark = pytest.mark.usefixtures("seeded")


def criteria(*filters: tuple[str, str, str], **extra: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for group, (field, value, condition) in enumerate(filters):
        prefix = f"searchCriteria[filter_groups][{group}][filters][0]"
        params |= {
            f"{prefix}[field]": field,
            f"{prefix}[value]": value,
            f"{prefix}[condition_type]": condition,
        }
    return params | {f"searchCriteria[{k}]": v for k, v in extra.items()}


async def ids(api: httpx.AsyncClient, params: dict[str, str]) -> list[int]:
    response = await api.get("/orders", params=params)
    assert response.status_code == 200, response.text
    return [o["entity_id"] for o in response.json()["items"]]


async def test_condition_types(api: httpx.AsyncClient) -> None:
    assert await ids(api, criteria(("entity_id", "5", "eq"))) == [5]
    assert 5 not in await ids(api, criteria(("entity_id", "5", "neq")))
    assert await ids(api, criteria(("entity_id", "28", "gt"))) == [29, 30]
    assert await ids(api, criteria(("entity_id", "28", "gteq"))) == [28, 29, 30]
    assert await ids(api, criteria(("entity_id", "3", "lt"))) == [1, 2]
    assert await ids(api, criteria(("entity_id", "2", "lteq"))) == [1, 2]
    assert await ids(api, criteria(("entity_id", "3,7,11", "in"))) == [3, 7, 11]
    assert await ids(api, criteria(("increment_id", "%00012", "like"))) == [12]
    assert await ids(api, criteria(("entity_id", "3", "gteq"), ("entity_id", "4", "lteq"))) == [3, 4]


async def test_filters_in_one_group_are_ored(api: httpx.AsyncClient) -> None:
    prefix = "searchCriteria[filter_groups][0][filters]"
    params = {
        f"{prefix}[0][field]": "entity_id",
        f"{prefix}[0][value]": "2",
        f"{prefix}[1][field]": "entity_id",
        f"{prefix}[1][value]": "9",
    }
    assert await ids(api, params) == [2, 9]


async def test_sorting_paging_and_the_empty_page_past_the_end(api: httpx.AsyncClient) -> None:
    params = {
        "searchCriteria[sortOrders][0][field]": "entity_id",
        "searchCriteria[sortOrders][0][direction]": "DESC",
    }
    assert (await ids(api, params | {"searchCriteria[pageSize]": "3"}))[:3] == [30, 29, 28]
    last = await api.get(
        "/orders", params={"searchCriteria[pageSize]": "8", "searchCriteria[currentPage]": "4"}
    )
    past = await api.get(
        "/orders", params={"searchCriteria[pageSize]": "8", "searchCriteria[currentPage]": "40"}
    )
    assert last.json()["items"]
    assert past.json()["items"] == []  # past the end: empty, as on Magento 2.4.7-p3 (issue 21)
    assert past.json()["total_count"] == 30
    assert past.json()["search_criteria"]["current_page"] == 40
    assert len((await api.get("/orders", params={"searchCriteria": "0"})).json()["items"]) == 30


async def test_camel_case_spelling_is_accepted(api: httpx.AsyncClient) -> None:
    prefix = "searchCriteria[filterGroups][0][filters][0]"
    params = {f"{prefix}[field]": "entity_id", f"{prefix}[value]": "4", f"{prefix}[conditionType]": "lteq"}
    assert await ids(api, params) == [1, 2, 3, 4]


async def processing_order(api: httpx.AsyncClient) -> dict[str, Any]:
    found = (await api.get("/orders", params=criteria(("state", "processing", "eq")))).json()["items"]
    return dict(found[0])


def top_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in order["items"] if not i.get("parent_item_id")]


async def test_orders_add_up(api: httpx.AsyncClient) -> None:
    for order in (await api.get("/orders", params={"searchCriteria": "0"})).json()["items"]:
        parts = [
            Decimal(str(order[k])) for k in ("subtotal", "shipping_amount", "tax_amount", "discount_amount")
        ]
        assert sum(parts) == Decimal(str(order["grand_total"]))


async def test_partial_shipment_then_refusal_to_ship_more_than_ordered(api: httpx.AsyncClient) -> None:
    order = await processing_order(api)
    item = top_items(order)[0]
    body = {
        "items": [{"order_item_id": item["item_id"], "qty": 1}],
        "tracks": [{"track_number": "1Z1", "title": "UPS", "carrier_code": "ups"}],
    }
    shipped = await api.post(f"/order/{order['entity_id']}/ship", json=body)
    assert shipped.status_code == 200
    assert shipped.json().isdigit()  # a JSON string of digits, as the real store answers (issue 21)
    after = (await api.get(f"/orders/{order['entity_id']}")).json()
    assert top_items(after)[0]["qty_shipped"] == 1
    too_many = {"items": [{"order_item_id": item["item_id"], "qty": item["qty_ordered"] + 1}]}
    refused = await api.post(f"/order/{order['entity_id']}/ship", json=too_many)
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("Shipment Document Validation Error(s):\n")
    assert "must not be greater than the unshipped quantity" in refused.json()["message"]


async def test_shipping_and_invoicing_everything_completes_the_order(api: httpx.AsyncClient) -> None:
    order = await processing_order(api)
    order_id = order["entity_id"]
    assert (await api.post(f"/order/{order_id}/invoice", json={"capture": False})).json().isdigit()
    assert (await api.get(f"/orders/{order_id}")).json()["state"] == "processing"
    assert (await api.post(f"/order/{order_id}/ship", json={})).status_code == 200
    done = (await api.get(f"/orders/{order_id}")).json()
    assert (done["state"], done["status"]) == ("complete", "complete")
    assert done["total_paid"] == done["grand_total"]
    assert done["updated_at"] >= order["updated_at"]


async def test_refund_everything_closes_the_order(api: httpx.AsyncClient) -> None:
    order_id = (await processing_order(api))["entity_id"]
    before_invoice = await api.post(f"/order/{order_id}/refund", json={})
    assert before_invoice.status_code == 400  # nothing paid, nothing to refund
    await api.post(f"/order/{order_id}/invoice", json={})
    memo = await api.post(f"/order/{order_id}/refund", json={})
    assert memo.json().isdigit()
    refunded = (await api.get(f"/orders/{order_id}")).json()
    assert refunded["state"] == "closed"
    assert refunded["total_refunded"] == refunded["grand_total"]  # shipping and its tax included
    again = await api.post(f"/order/{order_id}/refund", json={})
    assert again.status_code == 400


async def test_partial_refund_with_explicit_shipping(api: httpx.AsyncClient) -> None:
    order = await processing_order(api)
    order_id = order["entity_id"]
    await api.post(f"/order/{order_id}/invoice", json={})
    item = top_items(order)[0]
    body = {"items": [{"order_item_id": item["item_id"], "qty": 1}], "arguments": {"shipping_amount": 0}}
    assert (await api.post(f"/order/{order_id}/refund", json=body)).status_code == 200
    partly = (await api.get(f"/orders/{order_id}")).json()
    assert partly["state"] == "processing"
    assert 0 < partly["total_refunded"] < partly["grand_total"]
    too_much = {"arguments": {"shipping_amount": partly["shipping_amount"] + 1}}
    assert (await api.post(f"/order/{order_id}/refund", json=too_much)).status_code == 400


async def test_cancel_and_comments(api: httpx.AsyncClient) -> None:
    order_id = (await processing_order(api))["entity_id"]
    comment = {
        "statusHistory": {
            "comment": "Picked",
            "is_customer_notified": 0,
            "is_visible_on_front": 0,
            "parent_id": order_id,
        }
    }
    assert (await api.post(f"/orders/{order_id}/comments", json=comment)).json() is True
    assert (await api.post(f"/orders/{order_id}/cancel")).json() is True
    cancelled = (await api.get(f"/orders/{order_id}")).json()
    assert cancelled["state"] == "canceled"
    assert cancelled["status_histories"][0]["comment"] == "Picked"
    assert (await api.post(f"/orders/{order_id}/cancel")).json() is False


async def test_products_configurable_tier_prices_and_media(api: httpx.AsyncClient) -> None:
    parent = (await api.get("/products/CFG-SKU-0001")).json()
    assert parent["type_id"] == "configurable"
    assert len(parent["extension_attributes"]["configurable_product_links"]) == 2
    simple = (await api.get("/products/SKU-0001")).json()
    assert simple["tier_prices"] and simple["media_gallery_entries"][0]["id"] == 1
    updated = await api.put("/products/SKU-0001", json={"product": {"sku": "SKU-0001", "price": 9.99}})
    assert updated.json()["price"] == 9.99
    missing = await api.get("/products/NOPE")
    assert missing.status_code == 404
    found = await api.get("/products", params=criteria(("sku", "SKU-000%", "like"), pageSize="5"))
    assert found.json()["total_count"] == 9


async def test_inventory_source_items_and_salable_quantity(api: httpx.AsyncClient) -> None:
    body = {"sourceItems": [{"sku": "SKU-0002", "source_code": "default", "quantity": 500, "status": 1}]}
    saved = await api.post("/inventory/source-items", json=body)
    assert saved.status_code == 200
    items = (await api.get("/inventory/source-items", params=criteria(("sku", "SKU-0002", "eq")))).json()
    assert items["items"][0]["quantity"] == 500
    salable = (await api.get("/inventory/get-product-salable-quantity/SKU-0002/1")).json()
    assert salable <= 500
    legacy = (await api.get("/stockItems/SKU-0002")).json()
    assert legacy["qty"] == 500
    put = await api.put(f"/products/SKU-0002/stockItems/{legacy['item_id']}", json={"stockItem": {"qty": 3}})
    assert put.json() == legacy["item_id"]
    assert (await api.get("/inventory/sources", params={"searchCriteria": "0"})).json()["total_count"] == 1
    assert (await api.get("/inventory/stocks", params={"searchCriteria": "0"})).json()["items"][0][
        "stock_id"
    ] == 1


async def test_directory_routes(api: httpx.AsyncClient) -> None:
    assert [w["code"] for w in (await api.get("/store/websites")).json()] == ["admin", "base"]
    assert "default" in [v["code"] for v in (await api.get("/store/storeViews")).json()]
    groups = (await api.get("/customerGroups/search", params={"searchCriteria": "0"})).json()
    assert groups["total_count"] == 4
    created = await api.post(
        "/customers", json={"customer": {"email": "n@example.com", "firstname": "N", "lastname": "M"}}
    )
    assert created.status_code == 200
    duplicate = await api.post(
        "/customers", json={"customer": {"email": "n@example.com", "firstname": "N", "lastname": "M"}}
    )
    assert duplicate.status_code == 400
    search = await api.get("/customers/search", params=criteria(("email", "n@example.com", "eq")))
    assert search.json()["items"][0]["id"] == created.json()["id"]


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, bulk_operations_per_request=1)])
async def test_bulk_operations_move_from_open_to_complete(http: Callable[..., httpx.AsyncClient]) -> None:
    bulk = http(prefix="/rest/all/async/bulk/V1")
    bodies = [{"product": {"sku": "SKU-0003", "price": 1.5}}, {"product": {"sku": "SKU-0004", "price": 2.5}}]
    accepted = await bulk.put("/products/bySku", json=bodies)
    assert accepted.status_code == 202
    reply = accepted.json()
    assert reply["errors"] is False
    assert [(i["id"], i["status"]) for i in reply["request_items"]] == [(0, "accepted"), (1, "accepted")]
    api = http()
    statuses = []
    for _ in range(3):
        status = (await api.get(f"/bulk/{reply['bulk_uuid']}/status")).json()
        statuses.append([op["status"] for op in status["operations_list"]])
    assert statuses[0] == [1, 4]  # the consumer completed one operation before this request
    assert statuses[-1] == [1, 1]
    assert (await api.get("/products/SKU-0004")).json()["price"] == 2.5


async def test_updated_at_moves_with_a_change_but_not_with_a_comment(
    api: httpx.AsyncClient, app: FastAPI
) -> None:
    order = await processing_order(api)
    comment = {
        "statusHistory": {"comment": "x", "is_customer_notified": 0, "is_visible_on_front": 0, "parent_id": 1}
    }
    await api.post(f"/orders/{order['entity_id']}/comments", json=comment)
    commented = (await api.get(f"/orders/{order['entity_id']}")).json()
    assert commented["updated_at"] == order["updated_at"]  # Magento 2.4.7-p3 (issue 21)
    assert commented["status_histories"][0]["comment"] == "x"
    await api.post(f"/orders/{order['entity_id']}/hold")
    assert (await api.get(f"/orders/{order['entity_id']}")).json()["updated_at"] >= order["updated_at"]


async def test_state_survives_a_restart(
    app: FastAPI, state_path: Path, settings: MagentoSandboxSettings
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE + "/rest/V1", auth=OAuth1()
    ) as before:
        await before.put("/products/KEEP", json={"product": {"sku": "KEEP", "name": "Kept", "price": 1}})
    reopened = create_app(state_path, settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=reopened), base_url=BASE + "/rest/V1", auth=OAuth1()
    ) as after:
        assert (await after.get("/products/KEEP")).json()["name"] == "Kept"
        assert (await after.get("/orders", params={"searchCriteria": "0"})).json()["total_count"] == 30


async def test_search_routes_require_search_criteria(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders")
    assert response.status_code == 400
    assert response.json() == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": "searchCriteria"},
    }


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, max_page_size=300)])
async def test_input_limits_cap_the_page_size(api: httpx.AsyncClient) -> None:
    refused = await api.get("/orders", params={"searchCriteria[pageSize]": "301"})
    assert refused.status_code == 400
    assert refused.json()["parameters"] == {"max": 300}
    assert (await api.get("/orders", params={"searchCriteria[pageSize]": "300"})).status_code == 200


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, bulk_operations_per_request=0)])
async def test_async_single_operations_and_their_status_views(
    http: Callable[..., httpx.AsyncClient], app: FastAPI
) -> None:
    queued = await http(prefix="/rest/default/async/V1").put(
        "/products/SKU-0005", json={"product": {"sku": "SKU-0005", "price": 7.25}}
    )
    assert queued.status_code == 202
    bulk_uuid = queued.json()["bulk_uuid"]
    api = http()
    assert (await api.get(f"/bulk/{bulk_uuid}/operation-status/4")).json() == 1
    detailed = (await api.get(f"/bulk/{bulk_uuid}/detailed-status")).json()
    assert detailed["operations_list"][0]["status"] == 4
    assert detailed["operations_list"][0]["topic_name"].startswith("async.magento.products")
    app.state.sandbox.settings.bulk_operations_per_request = 10  # the consumer starts
    assert (await api.get(f"/bulk/{bulk_uuid}/operation-status/1")).json() == 1
    assert (await api.get("/products/SKU-0005")).json()["price"] == 7.25


async def test_failed_bulk_operations_report_status_3(http: Callable[..., httpx.AsyncClient]) -> None:
    bulk = http(prefix="/rest/all/async/bulk/V1")
    accepted = (
        await bulk.put("/products/bySku", json=[{"product": {"sku": "NOT-THERE", "price": 1}}])
    ).json()
    status = (await http().get(f"/bulk/{accepted['bulk_uuid']}/status")).json()
    [operation] = status["operations_list"]
    assert operation["status"] == 3
    assert operation["result_message"] == '"name" is required. Enter and try again.'


async def test_hold_and_unhold(api: httpx.AsyncClient) -> None:
    order_id = (await processing_order(api))["entity_id"]
    assert (await api.post(f"/orders/{order_id}/hold")).json() is True
    held = (await api.get(f"/orders/{order_id}")).json()
    assert (held["state"], held["status"]) == ("holded", "holded")
    assert (await api.post(f"/orders/{order_id}/hold")).status_code == 400
    assert (await api.post(f"/orders/{order_id}/unhold")).json() is True
    assert (await api.get(f"/orders/{order_id}")).json()["state"] == "processing"


async def test_shipments_invoices_and_credit_memos_are_searchable(api: httpx.AsyncClient) -> None:
    order_id = (await processing_order(api))["entity_id"]
    shipment = int((await api.post(f"/order/{order_id}/ship", json={})).json())
    invoice = int((await api.post(f"/order/{order_id}/invoice", json={})).json())
    by_order = criteria(("order_id", str(order_id), "eq"))
    assert [s["entity_id"] for s in (await api.get("/shipments", params=by_order)).json()["items"]] == [
        shipment
    ]
    assert [i["entity_id"] for i in (await api.get("/invoices", params=by_order)).json()["items"]] == [
        invoice
    ]
    assert (await api.get("/creditmemos", params=by_order)).json()["total_count"] == 0


async def test_wrongly_typed_quantities_are_refused_not_crashed_on(api: httpx.AsyncClient) -> None:
    order = await processing_order(api)
    body = {"items": [{"order_item_id": top_items(order)[0]["item_id"], "qty": "lots"}]}
    refused = await api.post(f"/order/{order['entity_id']}/ship", json=body)
    assert refused.status_code == 400
    assert refused.json()["parameters"] == {"value": "lots", "type": "float"}


async def test_unexpected_input_gets_magentos_internal_error(api: httpx.AsyncClient) -> None:
    body = {"sourceItems": [{"sku": "SKU-0001", "source_code": "default", "quantity": "many"}]}
    response = await api.post("/inventory/source-items", json=body)
    assert response.status_code == 500
    assert response.json()["message"].startswith("Internal Error. Details are available in Magento log file.")


async def test_rows_are_printed_net_of_discount_and_whole_numbers_as_integers(api: httpx.AsyncClient) -> None:
    """Issue 21, Magento 2.4.7-p3: ``row_total`` is net of the item's discount (ChangeOutputArray) while
    ``subtotal`` is the rows before discount; 45 is printed as 45, not 45.0."""
    orders = (await api.get("/orders", params={"searchCriteria": "0"})).json()["items"]
    discounted = [o for o in orders if o["discount_amount"] != 0]
    assert discounted, "the seed should contain coupon orders"
    for order in discounted:
        top = top_items(order)
        rows = sum(Decimal(str(i["row_total"])) + Decimal(str(i["discount_amount"])) for i in top)
        assert rows == Decimal(str(order["subtotal"]))
        for item in top:
            with_tax = Decimal(str(item["row_total"])) + Decimal(str(item["tax_amount"]))
            assert Decimal(str(item["row_total_incl_tax"])) == with_tax
        assert order["extension_attributes"]["shipping_assignments"][0]["items"] == order["items"]
    assert all(
        isinstance(o["entity_id"], int) and isinstance(o["items"][0]["qty_ordered"], int) for o in orders
    )


async def test_order_ids_that_are_no_ids_answer_the_real_stores_400s(api: httpx.AsyncClient) -> None:
    """Observed on Magento 2.4.7-p3 (issue 21)."""
    wrong = await api.get("/orders/abc")
    assert wrong.status_code == 400
    assert wrong.json()["message"].startswith('The "%value" value\'s type is invalid.')
    assert wrong.json()["parameters"] == {"value": "abc", "type": "int"}
    zero = await api.get("/orders/0")
    assert zero.status_code == 400
    assert zero.json() == {"message": "An ID is needed. Set the ID and try again."}


async def test_cancelling_a_complete_order_answers_false(api: httpx.AsyncClient) -> None:
    """Observed on Magento 2.4.7-p3 (issue 21): 200 with ``false``, not an error."""
    order_id = (await processing_order(api))["entity_id"]
    await api.post(f"/order/{order_id}/invoice", json={})
    await api.post(f"/order/{order_id}/ship", json={})
    assert (await api.get(f"/orders/{order_id}")).json()["state"] == "complete"
    cancelled = await api.post(f"/orders/{order_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json() is False


async def test_source_items_for_an_unknown_sku_are_accepted(api: httpx.AsyncClient) -> None:
    """Observed on Magento 2.4.7-p3 (issue 21): an unknown SKU is saved and the answer is ``[]``."""
    body = {"sourceItems": [{"sku": "NO-SUCH-SKU", "source_code": "default", "quantity": 3, "status": 1}]}
    saved = await api.post("/inventory/source-items", json=body)
    assert saved.status_code == 200 and saved.json() == []


async def test_order_addresses_carry_no_customer_id(api: httpx.AsyncClient) -> None:
    """Observed on Magento 2.4.7-p3 (issue 21), registered buyers included."""
    orders = (await api.get("/orders", params={"searchCriteria": "0"})).json()["items"]
    assert any(o.get("customer_id") for o in orders)
    for order in orders:
        assert "customer_id" not in order["billing_address"]
        shipping = order["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
        assert "customer_id" not in shipping
