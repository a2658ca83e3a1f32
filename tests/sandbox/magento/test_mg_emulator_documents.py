"""The fields only a real store sent the emulator's orders lacked (issue 21), shaped as Adobe's admin schema
defines them, and the ``*_invoiced``, ``*_refunded`` and ``*_canceled`` figures kept as Magento keeps them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("seeded")

FIRST = "searchCriteria[filter_groups][0][filters][0]"


def d(value: Any) -> Decimal:
    return Decimal(str(value))


def top_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in order["items"] if not i.get("parent_item_id")]


async def all_orders(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    return list((await api.get("/orders", params={"searchCriteria": "0"})).json()["items"])


async def fresh_processing(api: httpx.AsyncClient, *, items: int = 2) -> dict[str, Any]:
    """A processing order nothing was done to, with at least ``items`` priced items."""
    for order in await all_orders(api):
        if order["state"] == "processing" and "total_paid" not in order and len(top_items(order)) >= items:
            return order
    raise AssertionError("the seed should hold such an order")


async def test_coupons_name_their_rule_on_the_order_and_its_discounted_items(api: httpx.AsyncClient) -> None:
    coupons = [o for o in await all_orders(api) if o.get("coupon_code")]
    assert len({o["coupon_code"] for o in coupons}) == 2, "the seed uses two coupon codes"
    rule_of: dict[str, str] = {}
    for order in coupons:
        assert (
            rule_of.setdefault(order["coupon_code"], order["applied_rule_ids"]) == order["applied_rule_ids"]
        )
        for item in top_items(order):
            assert item["applied_rule_ids"] == order["applied_rule_ids"]
        assert all("applied_rule_ids" not in i for i in order["items"] if i.get("parent_item_id"))
    assert len(set(rule_of.values())) == 2  # one rule per code
    plain = [o for o in await all_orders(api) if not o.get("coupon_code")]
    assert all("applied_rule_ids" not in o for o in plain)


async def test_items_carry_quote_item_ids_and_configurable_choices(api: httpx.AsyncClient) -> None:
    orders = await all_orders(api)
    quote_items = [item["quote_item_id"] for o in orders for item in o["items"]]
    assert len(quote_items) == len(set(quote_items))
    configurable = [i for o in orders for i in o["items"] if i["product_type"] == "configurable"]
    assert configurable, "the seed should sell configurable products"
    for parent in configurable:
        [choice] = parent["product_option"]["extension_attributes"]["configurable_item_options"]
        assert choice["option_id"] == "93" and isinstance(choice["option_value"], int)
    children = [i for o in orders for i in o["items"] if i.get("parent_item_id")]
    assert all("product_option" not in child for child in children)
    products = (await api.get("/products", params={"searchCriteria": "0"})).json()["items"]
    offered = {
        p["id"]: {
            v["value_index"] for v in p["extension_attributes"]["configurable_product_options"][0]["values"]
        }
        for p in products
        if p["type_id"] == "configurable"
    }
    for parent in configurable:  # the chosen value is one the configurable product offers
        choice = parent["product_option"]["extension_attributes"]["configurable_item_options"][0]
        assert choice["option_value"] in offered[parent["product_id"]]


async def test_taxes_payment_info_and_the_placement_history(api: httpx.AsyncClient) -> None:
    order = await fresh_processing(api)
    extension = order["extension_attributes"]
    [row] = extension["taxes"]
    assert d(row["amount"]) == d(order["tax_amount"]) == d(row["base_real_amount"])
    assert {"tax_id", "order_id", "code", "percent", "priority", "position", "process"} <= set(row)
    assert extension["converting_from_quote"] is True
    assert d(extension["applied_taxes"][0]["amount"]) == d(order["tax_amount"])
    by_item = {t["item_id"]: t for t in extension["item_applied_taxes"] if t["type"] == "product"}
    for item in top_items(order):
        assert d(by_item[item["item_id"]]["applied_taxes"][0]["amount"]) == d(item["tax_amount"])
    [shipping] = [t for t in extension["item_applied_taxes"] if t["type"] == "shipping"]
    assert "item_id" not in shipping
    assert d(shipping["applied_taxes"][0]["amount"]) == d(order["shipping_tax_amount"])
    taxed = sum(d(t["applied_taxes"][0]["amount"]) for t in extension["item_applied_taxes"])
    assert taxed == d(order["tax_amount"])
    info = extension["payment_additional_info"]
    assert info == [{"key": "method_title", "value": order["payment"]["additional_information"][0]}]
    [placed] = order["status_histories"]
    assert placed["comment"] is None and placed["status"] == "processing"
    assert placed["entity_name"] == "order" and placed["created_at"] == order["created_at"]
    for name in ("total_paid", "total_invoiced", "total_refunded", "subtotal_invoiced", "total_canceled"):
        assert name not in order  # null columns until something is invoiced, refunded or cancelled


async def test_an_invoice_records_the_invoiced_figures_and_the_payment(api: httpx.AsyncClient) -> None:
    order = await fresh_processing(api)
    first = top_items(order)[0]
    body = {"items": [{"order_item_id": first["item_id"], "qty": first["qty_ordered"]}]}
    await api.post(f"/order/{order['entity_id']}/invoice", json=body)
    after = (await api.get(f"/orders/{order['entity_id']}")).json()
    item = next(i for i in after["items"] if i["item_id"] == first["item_id"])
    gross = d(first["row_total"]) + d(first["discount_amount"])  # the wire row is net of discount
    assert d(item["row_invoiced"]) == gross
    assert d(item["discount_invoiced"]) == d(first["discount_amount"])
    assert d(item["tax_invoiced"]) == d(first["tax_amount"])
    assert d(after["subtotal_invoiced"]) == gross
    assert d(after["discount_invoiced"]) == -d(first["discount_amount"])  # negative on the order
    assert d(after["shipping_invoiced"]) == d(order["shipping_amount"])  # the first invoice takes it
    assert d(after["tax_invoiced"]) == d(first["tax_amount"]) + d(order["shipping_tax_amount"])
    invoiced = gross - d(first["discount_amount"]) + d(after["tax_invoiced"]) + d(order["shipping_amount"])
    assert d(after["total_invoiced"]) == d(after["total_paid"]) == invoiced
    assert d(after["payment"]["amount_paid"]) == invoiced
    assert d(after["total_due"]) == d(order["grand_total"]) - invoiced
    child = [i for i in after["items"] if i.get("parent_item_id") == first["item_id"]]
    assert all(c["parent_item"]["qty_invoiced"] == first["qty_ordered"] for c in child)


async def test_invoices_and_credit_memos_in_parts_add_up_to_the_order(api: httpx.AsyncClient) -> None:
    order = await fresh_processing(api)
    order_id = order["entity_id"]
    for item in top_items(order):
        body = {"items": [{"order_item_id": item["item_id"], "qty": item["qty_ordered"]}]}
        assert (await api.post(f"/order/{order_id}/invoice", json=body)).status_code == 200
    invoiced = (await api.get(f"/orders/{order_id}")).json()
    assert d(invoiced["total_invoiced"]) == d(order["grand_total"])
    assert d(invoiced["subtotal_invoiced"]) == d(order["subtotal"])
    assert d(invoiced["discount_invoiced"]) == d(order["discount_amount"])
    for n, item in enumerate(top_items(order)):
        body: dict[str, Any] = {"items": [{"order_item_id": item["item_id"], "qty": item["qty_ordered"]}]}
        if n:
            body["arguments"] = {"shipping_amount": 0}
        assert (await api.post(f"/order/{order_id}/refund", json=body)).status_code == 200
    refunded = (await api.get(f"/orders/{order_id}")).json()
    assert refunded["state"] == "closed"
    for name in ("total_refunded", "total_offline_refunded"):
        assert d(refunded[name]) == d(order["grand_total"])
    assert d(refunded["subtotal_refunded"]) == d(order["subtotal"])
    assert d(refunded["tax_refunded"]) == d(order["tax_amount"])
    assert d(refunded["shipping_refunded"]) == d(order["shipping_amount"])
    assert d(refunded["shipping_tax_refunded"]) == d(order["shipping_tax_amount"])
    assert d(refunded["discount_refunded"]) == d(order["discount_amount"])
    assert d(refunded["payment"]["amount_refunded"]) == d(order["grand_total"])
    for item in top_items(refunded):
        assert d(item["amount_refunded"]) == d(item["row_invoiced"])
        assert d(item["tax_refunded"]) == d(item["tax_amount"])
    last, *earlier, placed = refunded["status_histories"]
    assert last["comment"].startswith("We refunded $") and last["comment"].endswith(" offline.")
    assert last["status"] == "closed"
    assert all(h["status"] == "processing" for h in earlier) and placed["comment"] is None


async def test_a_partly_invoiced_order_can_be_cancelled_as_on_magento(api: httpx.AsyncClient) -> None:
    order = await fresh_processing(api)
    order_id = order["entity_id"]
    first, *rest = top_items(order)
    body = {"items": [{"order_item_id": first["item_id"], "qty": first["qty_ordered"]}]}
    await api.post(f"/order/{order_id}/invoice", json=body)
    assert (await api.post(f"/orders/{order_id}/cancel")).json() is True  # Order::canCancel: not all invoiced
    after = (await api.get(f"/orders/{order_id}")).json()
    assert after["state"] == after["status"] == "processing"  # an invoiced item is left to ship and refund
    items = {i["item_id"]: i for i in after["items"]}
    assert items[first["item_id"]]["qty_canceled"] == 0
    assert all(items[i["item_id"]]["qty_canceled"] == i["qty_ordered"] for i in rest)
    assert all(d(items[i["item_id"]]["tax_canceled"]) == d(i["tax_amount"]) for i in rest)
    assert d(after["subtotal_canceled"]) == d(order["subtotal"]) - d(after["subtotal_invoiced"])
    assert d(after["tax_canceled"]) == d(order["tax_amount"]) - d(after["tax_invoiced"])
    assert d(after["shipping_canceled"]) == 0  # the first invoice took the shipping
    assert d(after["total_canceled"]) == d(order["grand_total"]) - d(after["total_paid"])
    # Magento's own arithmetic: abs(discount_amount) - discount_invoiced, the latter negative.
    assert d(after["discount_canceled"]) == abs(d(order["discount_amount"])) - d(after["discount_invoiced"])
    assert (await api.post(f"/orders/{order_id}/cancel")).json() is False  # everything left is invoiced


async def test_an_order_cancelled_before_anything_is_invoiced(api: httpx.AsyncClient) -> None:
    order = await fresh_processing(api, items=1)
    assert (await api.post(f"/orders/{order['entity_id']}/cancel")).json() is True
    after = (await api.get(f"/orders/{order['entity_id']}")).json()
    assert after["state"] == "canceled"
    assert d(after["total_canceled"]) == d(order["grand_total"])
    assert d(after["subtotal_canceled"]) == d(order["subtotal"])
    assert all(i["qty_canceled"] == i["qty_ordered"] for i in after["items"])


async def test_holding_keeps_the_state_and_status_to_return_to(api: httpx.AsyncClient) -> None:
    held = [o for o in await all_orders(api) if o["state"] == "holded"]
    assert held, "the seed puts some orders on hold"
    assert all(
        (o["hold_before_state"], o["hold_before_status"]) == ("processing", "processing") for o in held
    )
    order = await fresh_processing(api)
    await api.post(f"/orders/{order['entity_id']}/hold")
    holding = (await api.get(f"/orders/{order['entity_id']}")).json()
    assert (holding["hold_before_state"], holding["hold_before_status"]) == ("processing", "processing")
    await api.post(f"/orders/{order['entity_id']}/unhold")
    released = (await api.get(f"/orders/{order['entity_id']}")).json()
    assert "hold_before_state" not in released and "hold_before_status" not in released
    search = {f"{FIRST}[field]": "hold_before_state", f"{FIRST}[value]": "processing"}
    found = (await api.get("/orders", params=search)).json()
    assert {o["entity_id"] for o in found["items"]} == {o["entity_id"] for o in held}
