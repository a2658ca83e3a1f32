"""Emulator answers checked against the vendor contract extracted from Oracle's REST API Browser.

The contract file lives in the shared specs folder beside the repository (``../shared/specs``); the
tests are skipped, saying so, when that folder is not there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary

from .conftest import RECORD, new_id, order_body, suiteql

CONTRACT_NAME = "specs/netsuite/netsuite-record-v1-2026.1-key-records.DERIVED.json"
_CANDIDATES = [Path(__file__).resolve().parents[3] / ".." / "shared", Path("/work/shared")]


def _contract() -> dict[str, Any]:
    for shared in _CANDIDATES:
        path = shared / CONTRACT_NAME
        if path.is_file():
            return dict(json.loads(path.read_text()))
    pytest.skip(
        f"NetSuite contract not found: expected {CONTRACT_NAME} under ../shared beside the repository"
    )


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    return _contract()


def ns_error_schema(contract: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema for ``nsError`` built from the contract's field list."""
    error = contract["nsError"]
    detail_fields = error["o:errorDetails[]"]
    return {
        "type": "object",
        "required": ["type", "title", "status", "o:errorDetails"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "o:errorDetails": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["detail", "o:errorCode"],
                    "additionalProperties": False,
                    "properties": {name: {"type": "string"} for name in detail_fields},
                },
            },
        },
    }


def collection_schema(contract: dict[str, Any]) -> dict[str, Any]:
    names = contract["collection_envelope"]
    return {
        "type": "object",
        "required": names,
        "additionalProperties": False,
        "properties": {
            "links": {"type": "array", "items": {"type": "object", "required": ["rel", "href"]}},
            "count": {"type": "integer"},
            "hasMore": {"type": "boolean"},
            "items": {"type": "array"},
            "offset": {"type": "integer"},
            "totalResults": {"type": "integer"},
        },
    }


async def test_error_envelopes_match_ns_error(
    contract: dict[str, Any], client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    schema = ns_error_schema(contract)
    bad_ref = order_body(seeded, entity={"id": "999999"})
    answers = [
        await client.get(f"{RECORD}/customer/999999"),
        await client.post(f"{RECORD}/salesOrder", json=bad_ref),
        await client.post(f"{RECORD}/customer", content=b"[", headers={"Content-Type": "application/json"}),
        await client.post(f"{RECORD}/customer/1", json={}),
        await suiteql(client, "SELECT nope FROM customer"),
        await client.get(f"{RECORD}/customer", params={"limit": 3, "offset": 1}),
        await client.get(f"{RECORD}/customer", headers={"Authorization": 'OAuth realm="x"'}, auth=None),
    ]
    assert [a.status_code for a in answers] == [404, 400, 400, 405, 400, 400, 401]
    for answer in answers:
        jsonschema.validate(answer.json(), schema)
        assert answer.headers["content-type"].startswith("application/vnd.oracle.resource+json; type=error")


async def test_collections_match_the_envelope(contract: dict[str, Any], client: httpx.AsyncClient) -> None:
    schema = collection_schema(contract)
    jsonschema.validate((await client.get(f"{RECORD}/inventoryItem", params={"limit": 5})).json(), schema)
    jsonschema.validate((await suiteql(client, "SELECT id FROM item", limit=5)).json(), schema)


async def test_sales_order_field_names_are_netsuite_names(
    contract: dict[str, Any], client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    spec = contract["records"]["salesOrder"]
    address = {name.split("{")[0] for name in spec["subrecords"]["shippingAddress"]}
    body = order_body(
        seeded,
        externalId="contract-1",
        memo="m",
        otherRefNum="PO-1",
        shipMethod={"id": REFERENCE_IDS["ship_item"]},
        shippingCost=5,
        location={"id": REFERENCE_IDS["location"]},
        shippingAddress={"addr1": "1 Main St", "city": "Austin", "country": {"id": "US"}},
    )
    order_id = new_id(
        await client.post(
            f"{RECORD}/salesOrder", json=body, headers={"X-NetSuite-PropertyNameValidation": "Error"}
        )
    )
    record = (
        await client.get(f"{RECORD}/salesOrder/{order_id}", params={"expandSubResources": "true"})
    ).json()
    assert set(record) <= set(spec["body_fields_complete"])
    for line in record["item"]["items"]:
        assert set(line) <= set(spec["sublists"]["item"]["fields_complete"])
    assert set(record["shippingAddress"]) <= address


async def test_customer_field_names_are_netsuite_names(
    contract: dict[str, Any], client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    spec = contract["records"]["customer"]
    customer_id = next(iter(seeded.customer_ids.values()))
    record = (
        await client.get(f"{RECORD}/customer/{customer_id}", params={"expandSubResources": "true"})
    ).json()
    assert set(record) <= set(spec["body_fields_partial_a_to_thirdPartyCountry"])
    book = spec["sublists"]["addressBook"]
    address = {name.split("{")[0] for name in book["subrecord addressBookAddress"]}
    for line in record["addressBook"]["items"]:
        assert set(line) <= set(book["fields_complete"])
        assert set(line["addressBookAddress"]) <= address
