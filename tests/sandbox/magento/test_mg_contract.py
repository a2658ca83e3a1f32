"""Contract: the client's requests and the emulator's responses checked against Magento's own schema.

The schema is Adobe's admin REST schema for 2.4.8 (Swagger 2.0, in the shared specs). openapi-core reads
OpenAPI 3 only, so responses are validated with jsonschema (Draft 4, the dialect Swagger 2.0 uses) against
the schema's definitions, and requests by matching them to the schema's operations: path and method must
exist, every query parameter must be one the operation declares (the schema spells searchCriteria
camelCase with index 0; Magento reads both spellings and any index), and JSON bodies must fit the body
parameter's schema. Where real Magento output and the schema disagree, the schema is patched below,
each patch with its reason:

* ``sales-data-order-payment-interface.account_status`` and ``cc_last4``: ``null`` on real orders paid
  offline (required strings in the schema);
* ``sales-data-order-status-history-interface.comment``: ``null`` on the entry Magento writes when an order
  is placed without a customer note (``Order/Payment::updateOrder`` adds the note, or nothing, as comment;
  a required string in the schema, so the serializer keeps the ``null``);
* ``asynchronous-operations-data-summary-operation-status-interface.result_message`` and ``error_code``:
  ``null`` while an operation is open;
* ``catalog-inventory-data-stock-item-interface.low_stock_date``: ``null`` until stock ran low;
* ``error-response.parameters``: an object when the message has named placeholders (``%resources``,
  ``%fieldName``), a list only for ``%1``-style ones.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from fastapi import FastAPI

from ledgerlink.config import MagentoConnection
from ledgerlink.connectors.magento.client import MagentoClient
from ledgerlink.connectors.magento.search import Filter, SearchCriteria
from ledgerlink.connectors.magento.store import MagentoStore
from ledgerlink.sandbox.magento.init_config import magento_connection

from .conftest import BASE

SPEC = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "specs" / "magento" / "admin-schema-2.4.8.yaml"
).resolve()

pytestmark = [
    pytest.mark.skipif(
        not SPEC.exists(),
        reason=f"shared Magento admin schema not found at {SPEC} (sibling 'shared' folder absent)",
    ),
    pytest.mark.usefixtures("seeded"),
]


def _nullable(definition: dict[str, Any], *names: str) -> None:
    for name in names:
        prop = definition["properties"][name]
        prop["type"] = [prop["type"], "null"]


@functools.cache
def _original() -> dict[str, Any]:
    """The schema as published, parsed once per session (1 MB of YAML)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(SPEC.read_text(), Loader=loader)  # noqa: S506 - a safe loader
    return spec


@functools.cache
def _spec() -> dict[str, Any]:
    """The schema patched as the module docstring says."""
    patched = copy.deepcopy(_original())
    definitions = patched["definitions"]
    _nullable(definitions["sales-data-order-payment-interface"], "account_status", "cc_last4")
    _nullable(definitions["sales-data-order-status-history-interface"], "comment")
    _nullable(
        definitions["asynchronous-operations-data-summary-operation-status-interface"],
        "result_message",
        "error_code",
    )
    _nullable(definitions["catalog-inventory-data-stock-item-interface"], "low_stock_date")
    named = {"type": "object", "additionalProperties": {"type": ["string", "number"]}}
    definitions["error-response"]["properties"]["parameters"] = {
        "anyOf": [{"$ref": "#/definitions/error-parameters"}, named]
    }
    return patched


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _spec()


def check(spec: dict[str, Any], schema: dict[str, Any], document: Any) -> None:
    rooted = {**schema, "definitions": spec["definitions"]}
    jsonschema.Draft4Validator(rooted).validate(document)


def response_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return dict(spec["paths"][path][method]["responses"]["200"]["schema"])


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to the emulator and keeps them for checking."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


def _operation(spec: dict[str, Any], request: httpx.Request) -> tuple[dict[str, Any], dict[str, str]]:
    path = re.sub(r"^/rest/[A-Za-z0-9_]+", "", request.url.path)
    for template, operations in spec["paths"].items():
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
        if (found := re.fullmatch(pattern, path)) and request.method.lower() in operations:
            return operations[request.method.lower()], found.groupdict()
    raise AssertionError(f"{request.method} {path} is not in the Magento schema")


def _canonical(name: str) -> str:
    name = re.sub(r"\[\d+\]", "[0]", name)
    return name.replace("[filter_groups]", "[filterGroups]").replace("[condition_type]", "[conditionType]")


def check_request(spec: dict[str, Any], request: httpx.Request) -> None:
    operation, path_args = _operation(spec, request)
    parameters = operation.get("parameters", [])
    declared = {p["name"] for p in parameters if p.get("in") == "query"}
    for name, _ in request.url.params.multi_items():
        if name == "searchCriteria":
            continue  # the bare form Magento accepts for "no criteria"
        assert _canonical(name) in declared, (
            f"{name} is not a parameter of {request.method} {request.url.path}"
        )
    for parameter in parameters:
        if parameter.get("in") == "path" and parameter.get("type") == "integer":
            assert path_args[parameter["name"]].isdigit()
        if parameter.get("in") == "body" and request.content:
            check(spec, parameter["schema"], json.loads(request.content))


def _connection() -> MagentoConnection:
    return MagentoConnection.model_validate(magento_connection(BASE))


@pytest.fixture
async def recorded(app: FastAPI) -> AsyncIterator[tuple[MagentoClient, Recorder]]:
    recorder = Recorder(app)
    client = MagentoClient(_connection(), transport=recorder)
    yield client, recorder
    await client.aclose()


async def test_orders_search_and_get_match_the_schema(
    spec: dict[str, Any], recorded: tuple[MagentoClient, Recorder]
) -> None:
    client, recorder = recorded
    criteria = SearchCriteria(
        filter_groups=((Filter("updated_at", "2000-01-01 00:00:00", "gteq"),),),
        sort_orders=(("entity_id", "ASC"),),
    )
    found = await client.search("orders", criteria.with_page(1, 10))
    response = await client.request("GET", "/V1/orders", params=criteria.with_page(1, 10).params())
    check(spec, response_schema(spec, "/V1/orders", "get"), response.json())
    order = await client.request("GET", f"/V1/orders/{found.items[0]['entity_id']}")
    check(spec, response_schema(spec, "/V1/orders/{id}", "get"), order.json())
    for request in recorder.requests:
        check_request(spec, request)


async def test_the_delta_reads_of_order_pages_match_the_schema(spec: dict[str, Any], app: FastAPI) -> None:
    recorder = Recorder(app)
    store = MagentoStore("magento", _connection(), transport=recorder, page_size=7)
    orders = [
        o
        async for page in store.order_pages(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
        for o in page
    ]
    await store.aclose()
    assert orders
    assert len(recorder.requests) > 2
    for request in recorder.requests:
        check_request(spec, request)


async def test_write_backs_match_the_schema(
    spec: dict[str, Any], recorded: tuple[MagentoClient, Recorder]
) -> None:
    client, recorder = recorded
    order = (
        await client.search_orders(SearchCriteria(filter_groups=((Filter("state", "processing"),),)))
    ).items[0]
    item = next(i for i in order["items"] if not i.get("parent_item_id"))
    shipment = await client.ship(
        order["entity_id"],
        [{"order_item_id": item["item_id"], "qty": 1}],
        [{"track_number": "1Z1", "title": "UPS", "carrier_code": "ups"}],
        comment="shipped from the warehouse",
    )
    check(spec, response_schema(spec, "/V1/order/{orderId}/ship", "post"), shipment)
    await client.invoice(order["entity_id"])
    await client.refund(order["entity_id"], [{"order_item_id": item["item_id"], "qty": 1}])
    await client.add_comment(order["entity_id"], "synced")
    order_schema = response_schema(spec, "/V1/orders/{id}", "get")
    check(spec, order_schema, await client.get_order(order["entity_id"]))  # the *_invoiced, *_refunded
    other = (
        await client.search_orders(SearchCriteria(filter_groups=((Filter("state", "processing"),),)))
    ).items[1]
    first = next(i for i in other["items"] if not i.get("parent_item_id"))
    await client.invoice(other["entity_id"], [{"order_item_id": first["item_id"], "qty": 1}])
    assert await client.cancel(other["entity_id"]) is True
    check(spec, order_schema, await client.get_order(other["entity_id"]))  # and the *_canceled figures
    product = await client.put_product("SPEC-1", {"name": "Spec", "price": 3, "type_id": "simple"})
    check(spec, response_schema(spec, "/V1/products/{sku}", "put"), product)
    await client.source_items([{"sku": "SPEC-1", "source_code": "default", "quantity": 4, "status": 1}])
    for request in recorder.requests:
        check_request(spec, request)


async def test_catalog_inventory_and_bulk_responses_match_the_schema(
    spec: dict[str, Any], recorded: tuple[MagentoClient, Recorder]
) -> None:
    client, _ = recorded
    page = SearchCriteria(page_size=5, current_page=1)
    for path in ("/V1/products", "/V1/inventory/source-items", "/V1/customers/search"):
        body = (await client.request("GET", path, params=page.params())).json()
        check(spec, response_schema(spec, path, "get"), body)
    check(spec, response_schema(spec, "/V1/products/{sku}", "get"), await client.get_product("CFG-SKU-0001"))
    accepted = await client.bulk_async(
        "products/bySku", [{"product": {"sku": "SKU-0001", "price": 4}}], method="PUT"
    )
    status = await client.bulk_status(accepted["bulk_uuid"])
    check(spec, response_schema(spec, "/V1/bulk/{bulkUuid}/status", "get"), status)


async def test_errors_match_the_schema(spec: dict[str, Any], http: Callable[..., httpx.AsyncClient]) -> None:
    anonymous = http(auth=httpx.Auth())
    for response in (await anonymous.get("/orders/1"), await http().get("/orders/99999")):
        check(spec, {"$ref": "#/definitions/error-response"}, response.json())


def test_the_patches_are_still_needed() -> None:
    # If the shared file is ever corrected, this points at the patch list above to be trimmed.
    definitions = _original()["definitions"]
    payment = definitions["sales-data-order-payment-interface"]
    assert payment["properties"]["account_status"]["type"] == "string"
    assert "account_status" in payment["required"]
    history = definitions["sales-data-order-status-history-interface"]
    assert history["properties"]["comment"]["type"] == "string"
    assert "comment" in history["required"]
    operation = definitions["asynchronous-operations-data-summary-operation-status-interface"]
    assert operation["properties"]["result_message"]["type"] == "string"
    stock = definitions["catalog-inventory-data-stock-item-interface"]
    assert stock["properties"]["low_stock_date"]["type"] == "string"
    assert definitions["error-parameters"]["type"] == "array"
