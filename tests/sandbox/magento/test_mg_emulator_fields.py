"""``fields=`` partial responses, unknown search fields and condition types, as the real store answers them
(issue 21; Magento's ``FieldsFilter`` and ``ErrorProcessor``)."""

from __future__ import annotations

import re

import httpx
import pytest

from ledgerlink.sandbox.magento.fields import parse

pytestmark = pytest.mark.usefixtures("seeded")

REPORT = re.compile(
    r"^Internal Error\. Details are available in Magento log file\. Report ID: webapi-[0-9a-f]{13}$"
)
FIRST = "searchCriteria[filter_groups][0][filters][0]"


def one_filter(field: str, value: str, condition: str | None = None) -> dict[str, str]:
    params = {f"{FIRST}[field]": field, f"{FIRST}[value]": value}
    return params | ({f"{FIRST}[condition_type]": condition} if condition is not None else {})


def test_the_filter_syntax_parses_as_magentos_does() -> None:
    assert parse("items[entity_id,increment_id],total_count") == {
        "items": {"entity_id": 1, "increment_id": 1},
        "total_count": 1,
    }
    assert parse("name,sku,extension_attributes[category_links,stock_item[item_id,qty]]") == {
        "name": 1,
        "sku": 1,
        "extension_attributes": {"category_links": 1, "stock_item": {"item_id": 1, "qty": 1}},
    }
    assert parse("items[entity_id") is None  # unbalanced
    assert parse("items[entity_id], total_count") is None  # a space is not allowed
    assert parse("") is None


async def test_a_search_keeps_only_the_named_fields_in_the_answers_order(api: httpx.AsyncClient) -> None:
    params = {"searchCriteria[pageSize]": "2", "fields": "total_count,items[increment_id,entity_id,nope]"}
    body = (await api.get("/orders", params=params)).json()
    assert list(body) == ["items", "total_count"]  # the answer's order, not the filter's
    assert body["total_count"] == 30
    assert [list(item) for item in body["items"]] == [["entity_id", "increment_id"]] * 2


async def test_nested_objects_whole_objects_and_lists_inside_an_order(api: httpx.AsyncClient) -> None:
    fields = (
        "entity_id,billing_address,items[sku,qty_ordered],"
        "extension_attributes[shipping_assignments[shipping[method]]]"
    )
    order = (await api.get("/orders/3", params={"fields": fields})).json()
    full = (await api.get("/orders/3")).json()
    assert set(order) == {"entity_id", "billing_address", "items", "extension_attributes"}
    assert order["billing_address"] == full["billing_address"]
    assert order["items"] == [{"sku": i["sku"], "qty_ordered": i["qty_ordered"]} for i in full["items"]]
    assert order["extension_attributes"] == {
        "shipping_assignments": [{"shipping": {"method": "flatrate_flatrate"}}]
    }


async def test_the_php_quirks_of_empty_and_invalid_filters(api: httpx.AsyncClient) -> None:
    assert (await api.get("/orders/3", params={"fields": "nothing_like_it"})).json() == []
    assert (await api.get("/orders/3", params={"fields": "billing_address[nope]"})).json() == {
        "billing_address": []
    }
    assert (await api.get("/orders/3", params={"fields": "items[sku"})).json() == []
    assert (await api.get("/orders/3", params={"fields[]": "entity_id"})).json() == []
    empty = await api.get(
        "/orders", params=one_filter("entity_id", "999") | {"fields": "items[sku],total_count"}
    )
    assert empty.json() == {"items": None, "total_count": 0}  # applyFilter of an empty list is null
    whole = (await api.get("/orders/3")).json()
    assert (await api.get("/orders/3", params={"fields": "0"})).json() == whole  # "0" is false in PHP
    assert (await api.get("/orders/3", params={"fields": ""})).json() == whole


async def test_sub_fields_of_a_list_of_plain_values_are_an_internal_error(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders/3", params={"fields": "payment[additional_information[x]]"})
    assert response.status_code == 500
    assert REPORT.fullmatch(response.json()["message"])


async def test_custom_attributes_are_kept_by_attribute_code(api: httpx.AsyncClient) -> None:
    product = (
        await api.get("/products/SKU-0001", params={"fields": "sku,custom_attributes[url_key]"})
    ).json()
    assert product == {
        "sku": "SKU-0001",
        "custom_attributes": [{"attribute_code": "url_key", "value": "sku-0001"}],
    }


async def test_writes_filter_their_answers_and_bare_values_pass_untouched(api: httpx.AsyncClient) -> None:
    body = {"product": {"sku": "FIELDS-1", "name": "Fields", "price": 3}}
    saved = await api.put("/products/FIELDS-1", json=body, params={"fields": "sku,price"})
    assert saved.json() == {"sku": "FIELDS-1", "price": 3}
    processing = await api.get(
        "/orders", params=one_filter("state", "processing") | {"fields": "items[entity_id]"}
    )
    order_id = processing.json()["items"][0]["entity_id"]
    shipped = await api.post(f"/order/{order_id}/ship", json={}, params={"fields": "entity_id"})
    assert shipped.json().isdigit()  # a string answer is not a PHP array: no filter


async def test_an_unknown_filter_or_sort_field_is_an_internal_error_with_a_report_id(
    api: httpx.AsyncClient,
) -> None:
    unknown = await api.get("/orders", params=one_filter("customerId", "1"))
    assert unknown.status_code == 500
    assert unknown.json().keys() == {"message"}
    assert REPORT.fullmatch(unknown.json()["message"])
    nameless = await api.get("/orders", params={f"{FIRST}[value]": "pending"})
    assert nameless.status_code == 500
    sorted_by = {"searchCriteria[sortOrders][0][field]": "grandTotal", "searchCriteria[pageSize]": "1"}
    assert (await api.get("/orders", params=sorted_by)).status_code == 500
    other = await api.get("/orders", params=one_filter("customerId", "1"))
    assert other.json()["message"] != unknown.json()["message"]  # a report id per failure
    known = await api.get("/orders", params=one_filter("hold_before_state", "processing"))
    assert known.status_code == 200  # a column even where no order has a value


async def test_an_unknown_condition_type_filters_as_eq(api: httpx.AsyncClient) -> None:
    made_up = await api.get("/orders", params=one_filter("entity_id", "5", "equalish"))
    assert made_up.status_code == 200
    assert [o["entity_id"] for o in made_up.json()["items"]] == [5]
    assert made_up.json()["search_criteria"]["filter_groups"][0]["filters"][0]["condition_type"] == "equalish"
