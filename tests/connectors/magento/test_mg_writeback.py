"""Ship, invoice and refund make exactly one document each, even when the store's answer is lost."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledgerlink.connectors.magento.client import MagentoClient
from ledgerlink.connectors.magento.search import Filter, SearchCriteria
from ledgerlink.connectors.magento.writeback import existing, invoice_once, refund_once, ship_once
from ledgerlink.engine.problems import Code, ProblemError

from .conftest import connection

pytestmark = pytest.mark.usefixtures("seeded")


class LosesAnswers(httpx.AsyncBaseTransport):
    """Passes every request to the store; for the next ``lose`` writes the store acts but the answer is
    lost on the way back (a timeout after the store committed)."""

    def __init__(self, app: FastAPI) -> None:
        self.store = httpx.ASGITransport(app=app)
        self.lose = 0
        self.posts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.store.handle_async_request(request)
        if request.method == "POST":
            self.posts.append(request.url.path)
            if self.lose:
                self.lose -= 1
                await response.aread()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


@pytest.fixture
async def lossy(app: FastAPI) -> Any:
    transport = LosesAnswers(app)
    client = MagentoClient(connection(), transport=transport)
    yield client, transport
    await client.aclose()


async def processing(client: MagentoClient) -> dict[str, Any]:
    criteria = SearchCriteria(filter_groups=((Filter("state", "processing"),),), page_size=1, current_page=1)
    return (await client.search_orders(criteria)).items[0]


async def documents(client: MagentoClient, route: str, order_id: int) -> list[dict[str, Any]]:
    criteria = SearchCriteria(filter_groups=((Filter("order_id", str(order_id)),),))
    return (await client.search(route, criteria)).items


@pytest.mark.parametrize("answer", ['"10"', "10"])
async def test_the_new_id_is_read_whatever_its_json_type(answer: str) -> None:
    def store(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answer.encode(), headers={"Content-Type": "application/json"})

    client = MagentoClient(connection(), transport=httpx.MockTransport(store))
    assert await client.ship(5) == 10
    assert await client.invoice(5) == 10
    assert await client.refund(5) == 10
    await client.aclose()


@pytest.mark.parametrize("answer", [True, "ten", None, [10], 0])
async def test_an_answer_that_is_no_entity_id_is_a_bad_response(answer: Any) -> None:
    def store(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(answer).encode())

    client = MagentoClient(connection(), transport=httpx.MockTransport(store))
    with pytest.raises(ProblemError) as raised:
        await client.ship(5)
    assert raised.value.problem.code == Code.BAD_RESPONSE
    await client.aclose()


async def test_the_emulator_answers_ids_as_strings_and_the_client_reads_them(client: MagentoClient) -> None:
    order = await processing(client)
    response = await client.request("POST", f"/V1/order/{order['entity_id']}/invoice", json={})
    assert response.json().isdigit()


async def test_a_shipment_whose_answer_was_lost_is_found_not_made_again(lossy: Any) -> None:
    client, transport = lossy
    order = await processing(client)
    order_id = order["entity_id"]
    item = next(i for i in order["items"] if not i.get("parent_item_id"))
    tracks = [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}]
    transport.lose = 1
    first = await ship_once(
        client, order_id, "NS-IF-77", [{"order_item_id": item["item_id"], "qty": 1}], tracks
    )
    again = await ship_once(
        client, order_id, "NS-IF-77", [{"order_item_id": item["item_id"], "qty": 1}], tracks
    )
    assert first == again
    shipments = await documents(client, "shipments", order_id)
    assert [s["entity_id"] for s in shipments] == [first]
    assert shipments[0]["comments"][0]["comment"] == "Ledgerlink reference NS-IF-77"
    assert len(transport.posts) == 1  # the retry read, it did not post


async def test_a_partial_refund_whose_answer_was_lost_makes_one_credit_memo(lossy: Any) -> None:
    client, transport = lossy
    order = await processing(client)
    order_id = order["entity_id"]
    await invoice_once(client, order_id, "NS-INV-1")
    item = next(i for i in order["items"] if not i.get("parent_item_id"))
    part = [{"order_item_id": item["item_id"], "qty": 1}]
    transport.lose = 1
    memo = await refund_once(client, order_id, "NS-CM-5", part, arguments={"shipping_amount": 0})
    assert await refund_once(client, order_id, "NS-CM-5", part, arguments={"shipping_amount": 0}) == memo
    assert [m["entity_id"] for m in await documents(client, "creditmemos", order_id)] == [memo]
    # A second, different refund is still allowed: its reference is its own.
    other = await refund_once(client, order_id, "NS-CM-6", arguments={"shipping_amount": 0})
    assert other != memo
    assert len(await documents(client, "creditmemos", order_id)) == 2


async def test_an_invoice_lost_on_an_earlier_attempt_is_matched_before_posting(lossy: Any) -> None:
    client, transport = lossy
    order_id = (await processing(client))["entity_id"]
    transport.lose = 1  # an earlier attempt (a crashed process) posted and never saw the answer
    with pytest.raises(ProblemError) as raised:
        await client.invoice(order_id, comment="Ledgerlink reference NS-INV-9")
    assert raised.value.problem.transient
    invoice = await invoice_once(client, order_id, "NS-INV-9")
    assert [i["entity_id"] for i in await documents(client, "invoices", order_id)] == [invoice]
    assert len(transport.posts) == 1


async def test_a_document_without_our_reference_is_not_taken_for_ours(client: MagentoClient) -> None:
    order_id = (await processing(client))["entity_id"]
    item = next(i for i in (await client.get_order(order_id))["items"] if not i.get("parent_item_id"))
    merchants = await client.ship(order_id, [{"order_item_id": item["item_id"], "qty": 1}], comment="by hand")
    assert await existing(client, "shipment", order_id, "NS-IF-1") is None
    ours = await ship_once(client, order_id, "NS-IF-1")
    assert ours != merchants


async def test_a_refusal_is_not_masked_by_the_re_read(client: MagentoClient) -> None:
    order_id = (await processing(client))["entity_id"]
    with pytest.raises(ProblemError) as raised:
        await refund_once(client, order_id, "NS-CM-1")  # nothing invoiced, nothing to refund
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    with pytest.raises(ValueError, match="reference"):
        await ship_once(client, order_id, " ")
