"""Record calls: the URLs, methods, headers and bodies NetSuite expects, and reading its answers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.problems import Code, ProblemError, Severity, Team

ORDER = {
    "externalId": "woo-shop-1001",
    "entity": {"id": "311"},
    "item": {"items": [{"item": {"id": "88"}, "quantity": 2, "rate": Decimal("40.50")}]},
}


async def test_create_posts_json_and_returns_the_id_from_location(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.no_content(fake.record_url("salesOrder", "5087")))

    assert await client.create("salesOrder", ORDER) == "5087"

    request = fake.last
    assert request.method == "POST"
    assert request.url.path == "/services/rest/record/v1/salesOrder"
    assert request.url.query == b""
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-NetSuite-PropertyNameValidation"] == "Error"
    assert "Prefer" not in request.headers
    body = fake.body()
    assert body["item"]["items"][0] == {"item": {"id": "88"}, "quantity": 2, "rate": 40.5}
    assert body["entity"] == {"id": "311"}


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        ({"status": 204, "location": None}, "without a Location"),
        ({"status": 204, "location": "https://example.com/somewhere/"}, "does not end"),
        ({"status": 202, "location": "/services/rest/async/v1/job/3"}, "asynchronous"),
    ],
)
async def test_create_without_a_usable_location_is_a_bad_response(
    client: NetSuiteClient, fake: Any, answer: dict[str, Any], complaint: str
) -> None:
    response = fake.no_content(answer["location"])
    response.status_code = answer["status"]
    fake.answer(response)
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", ORDER)
    problem = raised.value.problem
    assert problem.code == Code.BAD_RESPONSE
    assert problem.severity is Severity.PERMANENT
    assert complaint in problem.why
    assert problem.details["method"] == "POST"


async def test_get_reads_a_record_with_expand_and_fields(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.json({"links": [], "id": "5087", "tranId": "SO1001", "total": 95.0}))

    record = await client.get("salesOrder", "5087", expand=True, fields=["tranId", "total"])

    assert record["tranId"] == "SO1001"
    request = fake.last
    assert request.method == "GET"
    assert request.url.path == "/services/rest/record/v1/salesOrder/5087"
    assert dict(request.url.params) == {"expandSubResources": "true", "fields": "tranId,total"}
    assert "Content-Type" not in request.headers
    assert "X-NetSuite-PropertyNameValidation" not in request.headers


async def test_get_by_external_id_uses_the_eid_path(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.json({"id": "311", "externalId": "woo-shop-c-17"}))
    record = await client.get_by_external_id("customer", "woo-shop-c-17")
    assert record == {"id": "311", "externalId": "woo-shop-c-17"}
    assert fake.last.url.path == "/services/rest/record/v1/customer/eid:woo-shop-c-17"


async def test_get_by_external_id_is_none_when_netsuite_has_none(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(
        fake.error(
            404,
            "NONEXISTENT_ID",
            "The record instance does not exist. Provide a valid record instance ID.",
            title="Not Found",
        )
    )
    assert await client.get_by_external_id("customer", "woo-shop-c-404") is None


async def test_get_by_external_id_raises_other_failures(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.error(403, "INSUFFICIENT_PERMISSION", "Permission Violation", title="Forbidden"))
    with pytest.raises(ProblemError) as raised:
        await client.get_by_external_id("customer", "woo-shop-c-17")
    assert raised.value.problem.code == Code.PERMISSION_DENIED


async def test_external_ids_are_escaped_into_one_path_segment(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.json({"id": "1"}))
    await client.get("customer", "eid:a b/c?d")
    assert fake.last.url.raw_path == b"/services/rest/record/v1/customer/eid:a%20b%2Fc%3Fd"


@pytest.mark.parametrize("payload", [b"<html>login</html>", b"[1, 2]"])
async def test_get_with_an_unusable_body_is_a_bad_response(
    client: NetSuiteClient, fake: Any, payload: bytes
) -> None:
    fake.answer(httpx.Response(200, headers={"Content-Type": "application/json"}, content=payload))
    with pytest.raises(ProblemError) as raised:
        await client.get("customer", "1")
    assert raised.value.problem.code == Code.BAD_RESPONSE
    assert raised.value.problem.details["path"] == "/services/rest/record/v1/customer/1"


async def test_update_patches_with_replace(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.no_content())
    await client.update("salesOrder", "5087", {"item": {"items": []}, "memo": "x"}, replace=["item"])
    request = fake.last
    assert request.method == "PATCH"
    assert request.url.path == "/services/rest/record/v1/salesOrder/5087"
    assert dict(request.url.params) == {"replace": "item"}
    assert request.headers["X-NetSuite-PropertyNameValidation"] == "Error"
    assert fake.body() == {"item": {"items": []}, "memo": "x"}


async def test_upsert_puts_to_the_external_id_and_returns_the_internal_id(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(fake.no_content(fake.record_url("salesOrder", "5090")))
    internal_id = await client.upsert("salesOrder", "woo-shop-1001", ORDER, replace=["item"])
    assert internal_id == "5090"
    request = fake.last
    assert request.method == "PUT"
    assert request.url.path == "/services/rest/record/v1/salesOrder/eid:woo-shop-1001"
    assert dict(request.url.params) == {"replace": "item"}
    assert request.headers["X-NetSuite-PropertyNameValidation"] == "Error"


async def test_upsert_reads_the_id_back_when_location_names_the_external_id(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(
        fake.no_content(fake.record_url("customer", "eid:woo-shop-c-17")),
        fake.json({"links": [], "id": "311"}),
    )
    assert await client.upsert("customer", "woo-shop-c-17", {"companyName": "Acme"}) == "311"
    follow_up = fake.last
    assert follow_up.method == "GET"
    assert follow_up.url.path == "/services/rest/record/v1/customer/eid:woo-shop-c-17"
    assert follow_up.url.query == b""


async def test_delete(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.no_content())
    await client.delete("customerDeposit", "eid:dep-9")
    assert fake.last.method == "DELETE"
    assert fake.last.url.path == "/services/rest/record/v1/customerDeposit/eid:dep-9"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create("salesOrder", ORDER),
        lambda c: c.update("salesOrder", "1", {"memo": "x"}),
        lambda c: c.upsert("salesOrder", "woo-1", ORDER),
        lambda c: c.delete("salesOrder", "1"),
    ],
)
async def test_writes_are_not_sent_when_the_connection_forbids_them(
    make_client: Callable[..., NetSuiteClient], fake: Any, connection: Any, call: Callable[..., Any]
) -> None:
    async with make_client(connection.model_copy(update={"allow_writes": False})) as client:
        with pytest.raises(ProblemError) as raised:
            await call(client)
    assert raised.value.problem.code == Code.CONFIG_INVALID
    assert raised.value.problem.team is Team.INTEGRATION
    assert fake.requests == []


@pytest.mark.parametrize("record_type", ["", "sales order", "../customer", "9lives"])
async def test_malformed_record_types_are_refused_before_sending(
    client: NetSuiteClient, fake: Any, record_type: str
) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.get(record_type, "1")
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert fake.requests == []


async def test_a_body_that_is_not_json_is_refused_before_sending(client: NetSuiteClient, fake: Any) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"memo": object()})
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert fake.requests == []
    with pytest.raises(ProblemError):
        await client.create("salesOrder", {"total": float("nan")})
    assert fake.requests == []
