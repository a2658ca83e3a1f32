"""The record helpers' requests checked against the DERIVED operation table (transforms) and NetSuite's
answer shapes, with the signing fake NetSuite."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from ledgerlink.connectors.netsuite import records
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.problems import ProblemError


def transform_targets(spec: dict[str, Any]) -> set[str]:
    for operation in spec["operations_salesOrder_example"]:
        found = re.fullmatch(r"/salesOrder/\{id\}/!transform/\{(.+)\}", operation["path"])
        if found and operation["method"] == "POST":
            return set(found.group(1).split("|"))
    raise AssertionError("the contract lists no salesOrder transform")


async def test_fulfil_and_bill_send_the_transforms_the_contract_lists(
    client: NetSuiteClient, fake: Any, derived_spec: dict[str, Any]
) -> None:
    targets = transform_targets(derived_spec)
    assert {"itemFulfillment", "invoice", "cashSale"} <= targets
    fake.answer(
        fake.no_content(fake.record_url("itemFulfillment", "901")),
        fake.no_content(fake.record_url("invoice", "902")),
    )
    request = records.FulfilmentRequest(
        lines=(records.FulfilmentLine(order_line=2, quantity=Decimal("1.5"), location_id="3"),),
        packages=(records.Package(tracking_number="1Z", weight=Decimal("0.25")),),
    )
    assert await records.fulfil_order(client, "5087", request) == "901"
    sent = fake.last
    assert (sent.method, sent.url.path) == (
        "POST",
        "/services/rest/record/v1/salesOrder/5087/!transform/itemFulfillment",
    )
    assert sent.headers["X-NetSuite-PropertyNameValidation"] == "Error"
    assert fake.body() == {
        "shipStatus": {"id": "C"},
        "item": {"items": [{"orderLine": 2, "itemReceive": True, "quantity": 1.5, "location": {"id": "3"}}]},
        "package": {"items": [{"packageTrackingNumber": "1Z", "packageWeight": 0.25}]},
    }
    fields = set(derived_spec["records"]["itemFulfillment"]["sublists"]["package"]["fields_complete"])
    assert set(fake.body()["package"]["items"][0]) <= fields
    line_fields = set(derived_spec["records"]["itemFulfillment"]["sublists"]["item"]["fields_complete"])
    assert set(fake.body()["item"]["items"][0]) <= line_fields

    assert await records.bill_order(client, "5087") == "902"
    assert fake.last.url.path.endswith("/salesOrder/5087/!transform/invoice") and fake.body() == {}


async def test_a_transform_without_location_or_refused_is_a_problem(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(
        fake.no_content(),
        fake.error(400, "INVALID_INITIALIZE_REF", "You can not initialize invoice: invalid reference 5087."),
    )
    with pytest.raises(ProblemError) as missing:
        await records.bill_order(client, "5087")
    assert missing.value.problem.code.name == "BAD_RESPONSE"
    with pytest.raises(ProblemError) as refused:
        await records.bill_order(client, "5087")
    assert "invalid reference 5087" in str(refused.value.problem)
    with pytest.raises(ProblemError):
        await records.transform(client, "salesOrder", "5087", "not a type")


def test_request_models_refuse_what_netsuite_would() -> None:
    with pytest.raises(ValueError):
        records.FulfilmentLine(order_line=0)
    with pytest.raises(ValueError):
        records.CustomerDeposit(customer_id="1", payment=Decimal(0))
    deposit = records.CustomerDeposit(customer_id="7", payment=Decimal("12.50"), sales_order_id="9")
    assert deposit.body() == {"customer": {"id": "7"}, "payment": Decimal("12.50"), "salesOrder": {"id": "9"}}
