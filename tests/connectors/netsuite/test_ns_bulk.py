"""Batch writes and RESTlet calls from the client, against the emulator; and the error mapping of the
codes the client can see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerlink.connectors.netsuite.bulk import BulkWriter, PollPolicy
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.faults import Fault
from ledgerlink.sandbox.netsuite.seed import SeedSummary, seed_netsuite

from .conftest import HOST_URL, make_connection


def sandbox_connection(**overrides: Any) -> Any:
    return make_connection(
        base_url=HOST_URL,
        consumer_key=credentials.NETSUITE_CONSUMER_KEY,
        consumer_secret=credentials.NETSUITE_CONSUMER_SECRET,
        token_id=credentials.NETSUITE_TOKEN_ID,
        token_secret=credentials.NETSUITE_TOKEN_SECRET,
        **overrides,
    )


@pytest.fixture
async def emulated(tmp_path: Path) -> AsyncIterator[tuple[NetSuiteClient, Any, SeedSummary]]:
    state = tmp_path / "netsuite.sqlite"
    summary = seed_netsuite(state, items=3, customers=2)
    app = create_app(state)

    async def quick(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.01))

    client = NetSuiteClient(sandbox_connection(), transport=httpx.ASGITransport(app=app), sleep=quick)
    async with client:
        yield client, app, summary


def writer(client: NetSuiteClient) -> BulkWriter:
    async def quick(seconds: float) -> None:
        await asyncio.sleep(0.01)

    return BulkWriter(client, poll=PollPolicy(first_seconds=0.01, timeout_seconds=10), sleep=quick)


async def test_upsert_splits_into_batches_of_100_and_reports_every_record(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, _, _ = emulated
    records = [{"externalId": f"bulk-{n}", "isPerson": False, "companyName": f"Bulk {n}"} for n in range(102)]
    results = await writer(client).upsert("customer", records)
    assert len(results) == 102 and all(r.ok for r in results)
    assert [r.external_id for r in results[:2]] == ["bulk-0", "bulk-1"]
    assert (await client.get("customer", "eid:bulk-101"))["id"] == results[101].internal_id
    again = await writer(client).upsert("customer", records[:3])
    assert [r.internal_id for r in again] == [
        r.internal_id for r in results[:3]
    ]  # same records, no duplicates


async def test_failed_records_become_problems_naming_the_missing_reference(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, _, summary = emulated
    customer = next(iter(summary.customer_ids.values()))
    item = summary.item_ids["SKU-0001"]
    line = {"item": {"items": [{"item": {"id": item}, "quantity": 1, "rate": 5}]}}
    good = {"externalId": "so-ok", "entity": {"id": customer}, **line}
    bad = {"externalId": "so-bad", "entity": {"id": "987654"}, **line}
    ok, failed = await writer(client).upsert("salesOrder", [good, bad])
    assert ok.ok and ok.internal_id
    assert failed.problem is not None and failed.problem.code == Code.INVALID_REFERENCE
    assert failed.problem.details["missing"] == "customer" and "987654" in failed.problem.why
    assert failed.problem.details["record_id"] == "eid:so-bad" and failed.problem.details["task_id"] == "2"


async def test_a_resubmitted_batch_follows_the_first_job(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, app, _ = emulated
    bulk = writer(client)
    records = [{"externalId": "idem-1", "isPerson": False, "companyName": "Idem"}]
    first = await bulk.submit("PUT", "customer", records)
    second = await bulk.submit("PUT", "customer", records)  # same content -> same idempotency key
    assert first == second
    await bulk.wait(first)
    assert len(app.state.netsuite_async.store.jobs) == 1


async def test_delete_in_bulk(emulated: tuple[NetSuiteClient, Any, SeedSummary]) -> None:
    client, _, _ = emulated
    records = [{"externalId": f"del-{n}", "isPerson": False, "companyName": "Del"} for n in range(2)]
    await writer(client).upsert("customer", records)
    results = await writer(client).delete("customer", ["eid:del-0", "eid:del-1", "eid:nobody"])
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].problem is not None and results[2].problem.code == Code.RECORD_NOT_FOUND


async def test_batch_arguments_are_checked_before_sending(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, _, _ = emulated
    with pytest.raises(ProblemError, match="externalId"):
        await writer(client).upsert("customer", [{"companyName": "No eid"}])
    with pytest.raises(ProblemError, match="at most 100"):
        await writer(client).submit("POST", "customer", [{}] * 101)


async def test_restlet_calls_and_restlet_rate_limits(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, app, _ = emulated
    assert await client.call_restlet(1, 1, params={"a": "b"}) == {
        "method": "GET",
        "params": {"a": "b"},
        "body": None,
    }
    app.state.sandbox.faults.append(Fault(path="restlet", status=429, times=2))
    answer = await client.call_restlet(
        2,
        1,
        "POST",
        {
            "recordType": "customer",
            "records": [{"externalId": "rl-1", "isPerson": False, "companyName": "RL"}],
        },
    )
    assert answer["results"][0]["success"] is True  # two SSS_REQUEST_LIMIT_EXCEEDED, then through
    assert client.governor.rate_limited == 2  # type: ignore[attr-defined]
    app.state.sandbox.faults.append(Fault(path="restlet", status=429, times=10))
    with pytest.raises(ProblemError) as raised:
        await client.call_restlet(1, 1)
    assert raised.value.problem.code == Code.RATE_LIMITED and raised.value.problem.transient
    app.state.sandbox.faults.clear()
    with pytest.raises(ProblemError) as raised:
        await client.call_restlet(77, 1)
    assert raised.value.problem.details["error_codes"] == ["SSS_INVALID_SCRIPTLET_ID"]
    assert (
        raised.value.problem.code == Code.CONFIG_INVALID and "Script Deployments" in raised.value.problem.fix
    )


async def test_maintenance_and_storms_are_transient(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, app, _ = emulated
    app.state.sandbox.faults.append(Fault(kind="maintenance", duration_seconds=30, retry_after=600))
    with pytest.raises(ProblemError) as raised:
        await client.get("customer", "1")
    assert raised.value.problem.code == Code.REMOTE_MAINTENANCE and raised.value.problem.retry_after == 600
    assert raised.value.problem.transient
    app.state.sandbox.faults.clear()
    app.state.sandbox.faults.append(Fault(path="customer", status=429, times=2))
    customer = await client.get_by_external_id("customer", "nobody")
    assert customer is None


# -- error mapping of codes the client can see --------------------------------------------------------------


async def test_nonexistent_id_on_a_write_names_the_missing_customer(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(fake.error(400, "NONEXISTENT_ID", "The record instance does not exist.", path="entity"))
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"entity": {"id": "4242"}})
    problem = raised.value.problem
    assert problem.code == Code.INVALID_REFERENCE
    assert problem.details["missing"] == "customer" and problem.details["value"] == "4242"
    assert "the customer 4242" in problem.fix


async def test_user_error_names_the_field(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(
        fake.error(
            400,
            "USER_ERROR",
            "Error while accessing a resource. Please enter value(s) for: Customer.",
            path="entity",
        )
    )
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"memo": "x"})
    problem = raised.value.problem
    assert problem.code == Code.VALIDATION_FAILED and problem.details["field"] == "entity"
    assert problem.fix.startswith("Fill in Customer (field entity)")


@pytest.mark.parametrize(
    ("detail", "permission"),
    [
        (
            "Permission Violation: You need a higher level of the 'Transactions -> Sales Order' permission.",
            "Transactions > Sales Order",
        ),
        ("You do not have permissions to access this record.", "Transactions > Sales Order"),
    ],
)
async def test_insufficient_permission_names_the_role_permission(
    client: NetSuiteClient, fake: Any, detail: str, permission: str
) -> None:
    fake.answer(fake.error(403, "INSUFFICIENT_PERMISSION", detail, title="Forbidden"))
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"memo": "x"})
    problem = raised.value.problem
    assert problem.code == Code.PERMISSION_DENIED and problem.details["permission"] == permission
    assert permission in problem.fix and "Log in using Access Tokens" in problem.fix


async def test_invalid_signature_is_an_auth_failure(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.error(401, "INVALID_SIGNATURE", "Invalid signature.", title="Unauthorized"))
    with pytest.raises(ProblemError) as raised:
        await client.get("customer", "1")
    assert raised.value.problem.code == Code.AUTH_FAILED and "token_secret" in raised.value.problem.fix


async def test_governance_limits_are_read_from_netsuite(
    emulated: tuple[NetSuiteClient, Any, SeedSummary],
) -> None:
    client, _, _ = emulated
    limits = await client.governance_limits()
    assert limits["accountConcurrencyLimit"] == 5 and limits["limitType"] == "accountUnallocated"
