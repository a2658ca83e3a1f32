"""searchCriteria paging, write-backs and error mapping of the Magento client."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from ledgerlink.connectors.magento.client import MagentoClient
from ledgerlink.connectors.magento.errors import fill_message, magento_message
from ledgerlink.connectors.magento.search import Filter, SearchCriteria
from ledgerlink.engine.problems import Code, ProblemError

from .conftest import connection

pytestmark = pytest.mark.usefixtures("seeded")


def test_search_criteria_query_string_is_magentos_bracket_form() -> None:
    criteria = SearchCriteria(
        filter_groups=((Filter("updated_at", "2026-01-01 00:00:00", "gteq"),),),
        sort_orders=(("entity_id", "ASC"),),
        page_size=50,
        current_page=2,
    )
    assert criteria.params() == [
        ("searchCriteria[filter_groups][0][filters][0][field]", "updated_at"),
        ("searchCriteria[filter_groups][0][filters][0][value]", "2026-01-01 00:00:00"),
        ("searchCriteria[filter_groups][0][filters][0][condition_type]", "gteq"),
        ("searchCriteria[sortOrders][0][field]", "entity_id"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[pageSize]", "50"),
        ("searchCriteria[currentPage]", "2"),
    ]


def test_messages_are_filled_from_list_and_named_parameters() -> None:
    assert fill_message("No such entity with %1 = %2", ["id", 7]) == "No such entity with id = 7"
    assert fill_message('"%fieldName" is required.', {"fieldName": "sku"}) == '"sku" is required.'
    assert (
        magento_message({"message": "%resources needed", "parameters": {"resources": "X::y"}})
        == "X::y needed"
    )


async def test_a_page_past_the_end_is_empty_as_on_the_real_store(client: MagentoClient) -> None:
    beyond = await client.search_orders(SearchCriteria(page_size=7, current_page=9))
    assert beyond.total_count == 30
    assert beyond.items == []  # Magento 2.4.7-p3 (issue 21)


async def test_search_pages_stops_by_total_count(client: MagentoClient) -> None:
    pages = [page async for page in client.search_pages("orders", SearchCriteria(), page_size=7)]
    seen = [o["entity_id"] for page in pages for o in page.items]
    assert len(pages) == 5
    assert sorted(seen) == list(range(1, 31))


async def test_amounts_arrive_as_decimals(client: MagentoClient) -> None:
    order = await client.get_order(1)
    assert isinstance(order["grand_total"], Decimal)


async def test_unknown_order_is_record_not_found_with_magentos_message(client: MagentoClient) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.get_order(999)
    assert raised.value.problem.code == Code.RECORD_NOT_FOUND
    assert "doesn't exist" in raised.value.problem.why


async def test_unknown_route_is_a_configuration_problem(client: MagentoClient) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.request("GET", "/V1/no-such-route")
    assert raised.value.problem.code == Code.CONFIG_INVALID


async def test_writes_are_refused_locally_when_switched_off(
    make_client: Callable[..., MagentoClient],
) -> None:
    client = make_client(allow_writes=False)
    with pytest.raises(ProblemError) as raised:
        await client.cancel(1)
    assert raised.value.problem.code == Code.CONFIG_INVALID


async def test_unavailable_and_throttled_stores_are_transient_and_honour_retry_after() -> None:
    answers = iter(
        [
            httpx.Response(503, text="<html>maintenance</html>", headers={"Retry-After": "30"}),
            httpx.Response(429, json={"message": "Too many"}, headers={"Retry-After": "12"}),
        ]
    )
    client = MagentoClient(connection(), transport=httpx.MockTransport(lambda request: next(answers)))
    for retry in (30.0, 12.0):
        with pytest.raises(ProblemError) as raised:
            await client.get_order(1)
        assert raised.value.problem.transient
        assert raised.value.problem.retry_after == retry
    await client.aclose()


async def test_timeouts_are_transient() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = MagentoClient(connection(), transport=httpx.MockTransport(slow))
    with pytest.raises(ProblemError) as raised:
        await client.get_order(1)
    assert raised.value.problem.transient
    assert raised.value.problem.code == Code.REMOTE_UNAVAILABLE
    await client.aclose()


async def test_html_instead_of_json_is_not_taken_for_magentos_verdict() -> None:
    client = MagentoClient(
        connection(), transport=httpx.MockTransport(lambda r: httpx.Response(403, text="<html>WAF</html>"))
    )
    with pytest.raises(ProblemError) as raised:
        await client.get_order(1)
    assert raised.value.problem.code == Code.BAD_RESPONSE
    assert "HTML page" in raised.value.problem.why
    await client.aclose()


async def test_ship_invoice_refund_comment_and_cancel_round_trip(client: MagentoClient) -> None:
    processing = SearchCriteria(
        filter_groups=((Filter("state", "processing"),),), page_size=1, current_page=1
    )
    order = (await client.search_orders(processing)).items[0]
    order_id = order["entity_id"]
    first = next(i for i in order["items"] if i.get("parent_item_id") is None)
    tracks = [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}]
    shipment = await client.ship(order_id, [{"order_item_id": first["item_id"], "qty": 1}], tracks)
    assert isinstance(shipment, int)
    assert isinstance(await client.invoice(order_id), int)
    assert isinstance(await client.refund(order_id, [{"order_item_id": first["item_id"], "qty": 1}]), int)
    assert await client.add_comment(order_id, "synced to NetSuite") is True
    refreshed = await client.get_order(order_id)
    assert refreshed["status_histories"][0]["comment"] == "synced to NetSuite"
    assert await client.cancel(order_id) is False  # invoiced orders cannot be cancelled


async def test_problems_name_the_wrong_store_code(make_client: Callable[..., MagentoClient]) -> None:
    with pytest.raises(ProblemError) as raised:
        await make_client(store_code="nowhere").get_order(1)
    problem = raised.value.problem
    assert problem.code == Code.CONFIG_INVALID
    assert "store_code" in problem.fix and "quantities" not in problem.fix


async def test_products_inventory_and_bulk(client: MagentoClient) -> None:
    product = await client.put_product("NEW-SKU", {"name": "New thing", "price": 12.5, "type_id": "simple"})
    assert product["sku"] == "NEW-SKU"
    await client.source_items([{"sku": "NEW-SKU", "source_code": "default", "quantity": 7, "status": 1}])
    assert (await client.get_product("NEW-SKU"))["extension_attributes"]["stock_item"]["qty"] == 7
    accepted = await client.bulk_async(
        "products/bySku", [{"product": {"sku": "NEW-SKU", "price": 13}}], method="PUT"
    )
    assert accepted["errors"] is False
    status = await client.bulk_status(accepted["bulk_uuid"])
    assert [op["status"] for op in status["operations_list"]] == [1]
    assert (await client.get_product("NEW-SKU"))["price"] == 13


async def test_a_throttled_store_is_retried_later_not_given_up(client: MagentoClient, app: FastAPI) -> None:
    app.state.sandbox.api.fail_next(429, retry_after=7)
    with pytest.raises(ProblemError) as raised:
        await client.get_order(1)
    assert raised.value.problem.code == Code.RATE_LIMITED
    assert raised.value.problem.retry_after == 7
    assert (await client.get_order(1))["entity_id"] == 1


async def test_an_internal_error_names_its_report_id_in_the_fix(client: MagentoClient) -> None:
    """An unknown search field is a masked SQL error on the real store (issue 21): the problem sends the
    operator to the report id in the store's exception log."""
    with pytest.raises(ProblemError) as raised:
        await client.search_orders(SearchCriteria(filter_groups=((Filter("customerId", "1"),),)))
    problem = raised.value.problem
    assert problem.code == Code.REMOTE_UNAVAILABLE
    report = re.search(r"webapi-[0-9a-f]{13}", problem.why)
    assert report is not None
    assert f"find {report.group(0)} in var/log/exception.log" in problem.fix
