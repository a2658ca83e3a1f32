"""The client's requests and parsing checked against the DERIVED NetSuite REST contract in ../shared.

Skipped (with the path it looked for) when the shared folder is not beside the repository.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.errors import NsError
from ledgerlink.connectors.netsuite.suiteql import parse_page

OWN_HEADERS = {"authorization", "content-type", "accept", "user-agent", "host", "content-length"}
OWN_HEADERS |= {"accept-encoding", "connection"}


def operation_matches(operations: list[dict[str, Any]], method: str, path: str) -> dict[str, Any] | None:
    """The contract operation for a concrete path: ``/salesOrder/5087`` matches ``/salesOrder/{id}``."""
    for operation in operations:
        pattern = re.escape(operation["path"]).replace(r"\{id\}", r"(?:eid:)?[^/]+")
        if operation["method"] == method and re.fullmatch(pattern, path):
            return operation
    return None


def shared_names(spec: dict[str, Any]) -> set[str]:
    return {name.lower() for name in spec["shared_headers"]}


async def test_host_is_derived_like_the_contract_says(connection: Any, derived_spec: dict[str, Any]) -> None:
    template = derived_spec["hosts"]["record"]
    slug = connection.account.lower().replace("_", "-")
    assert connection.url + "/services/rest/record/v1" == template.replace("{accountId}", slug)
    assert derived_spec["hosts"]["suiteql"].endswith("/services/rest/query/v1/suiteql")


async def test_sales_order_calls_match_the_operation_table(
    client: NetSuiteClient, fake: Any, derived_spec: dict[str, Any]
) -> None:
    fields = set(derived_spec["records"]["salesOrder"]["body_fields_complete"])
    item_fields = set(derived_spec["records"]["salesOrder"]["sublists"]["item"]["fields_complete"])
    body = {
        "externalId": "woo-shop-1001",
        "entity": {"id": "311"},
        "orderStatus": {"id": "B"},
        "item": {"items": [{"item": {"id": "88"}, "quantity": 2, "rate": 40.5}]},
    }
    fake.answer(
        fake.no_content(fake.record_url("salesOrder", "5087")),
        fake.json({"id": "5087"}),
        fake.no_content(),
        fake.no_content(fake.record_url("salesOrder", "5087")),
        fake.no_content(),
    )
    await client.create("salesOrder", body)
    await client.get("salesOrder", "5087", expand=True, fields=["tranId"])
    await client.update("salesOrder", "5087", {"memo": "paid"}, replace=["item"])
    await client.upsert("salesOrder", "woo-shop-1001", body, replace=["item"])
    await client.delete("salesOrder", "5087")

    operations = derived_spec["operations_salesOrder_example"]
    query_params = set(derived_spec["shared_query_params"])
    for request in fake.requests:
        path = request.url.path.removeprefix("/services/rest/record/v1")
        operation = operation_matches(operations, request.method, path)
        assert operation is not None, f"{request.method} {path} is not in the contract"
        assert set(request.url.params) <= query_params
        assert set(request.url.params) <= set(operation.get("params", query_params))
        assert {name.lower() for name in request.headers} <= OWN_HEADERS | shared_names(derived_spec)
        if request.content:
            sent = json.loads(request.content)
            assert set(sent) <= fields
            for line in sent.get("item", {}).get("items", []):
                assert set(line) <= item_fields
    upsert = operation_matches(operations, "PUT", "/salesOrder/eid:woo-shop-1001")
    assert upsert is not None and "EXTERNAL id (eid:" in upsert["note"]
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.url.path.endswith("/salesOrder/eid:woo-shop-1001")


async def test_shared_headers_use_values_the_contract_allows(
    client: NetSuiteClient, fake: Any, derived_spec: dict[str, Any]
) -> None:
    headers = derived_spec["shared_headers"]
    fake.answer(fake.no_content(fake.record_url("customer", "9")), fake.suiteql([], has_more=False))
    await client.create("customer", {"companyName": "Acme"})
    await client.suiteql_page("SELECT id FROM customer ORDER BY id")
    write, query = fake.requests
    allowed = [v.strip() for v in headers["X-NetSuite-PropertyNameValidation"].split("(")[0].split("|")]
    assert write.headers["X-NetSuite-PropertyNameValidation"] in allowed
    assert "SuiteQL uses Prefer: transient" in headers["Prefer"]
    assert query.headers["Prefer"] == "transient"


@pytest.mark.parametrize("record_type", ["salesOrder", "customer", "itemFulfillment", "customerDeposit"])
async def test_record_type_names_are_sent_as_the_contract_spells_them(
    client: NetSuiteClient, fake: Any, derived_spec: dict[str, Any], record_type: str
) -> None:
    assert record_type in derived_spec["records"]
    fake.answer(fake.json({"id": "1"}))
    await client.get(record_type, "1")
    assert fake.last.url.path == f"/services/rest/record/v1/{record_type}/1"


def test_ns_error_shaped_by_the_contract_parses_completely(derived_spec: dict[str, Any]) -> None:
    schema = derived_spec["nsError"]
    detail_fields = schema["o:errorDetails[]"]
    example = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [{name: f"value of {name}" for name in detail_fields}],
    }
    assert set(example) - {"o:errorDetails"} == set(schema) - {"o:errorDetails[]"}
    error = NsError.parse(json.dumps(example))
    assert error is not None
    assert (error.type, error.title, error.status) == (example["type"], "Bad Request", 400)
    detail = error.details[0]
    parsed = {
        "detail": detail.detail,
        "o:errorCode": detail.code,
        "o:errorPath": detail.path,
        "o:errorHeader": detail.header,
        "o:errorQueryParam": detail.query_param,
        "o:errorUrl": detail.url,
    }
    assert parsed == {name: f"value of {name}" for name in detail_fields}


def test_collection_envelope_from_the_contract_parses(derived_spec: dict[str, Any], fake: Any) -> None:
    envelope = derived_spec["collection_envelope"]
    answer = json.loads(fake.suiteql([{"id": "1"}], has_more=False).content)
    assert set(answer) == set(envelope)  # the fake answers in the contract's shape
    page = parse_page({name: answer[name] for name in envelope})
    assert page.items == [{"id": "1"}]
