"""Asynchronous requests, batch operations and idempotency keys on the emulator."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.seed import SeedSummary
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

from .conftest import HOST, RECORD, SUITEQL, make_client, order_body, suiteql

ASYNC = {"Prefer": "respond-async"}
BATCH = {**ASYNC, "Content-Type": "application/vnd.oracle.resource+json; type=collection"}


async def finished(client: httpx.AsyncClient, location: str) -> dict[str, Any]:
    for _ in range(200):
        job = (await client.get(location)).json()
        if job["completed"]:
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job {location} never completed")


async def task_results(client: httpx.AsyncClient, location: str) -> list[httpx.Response]:
    tasks = (await client.get(f"{location}/task")).json()["items"]
    return [await client.get(f"{location}/task/{t['id']}/result") for t in tasks]


async def test_any_request_runs_asynchronously(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    accepted = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded), headers=ASYNC)
    assert accepted.status_code == 202
    assert accepted.headers["Preference-Applied"] == "respond-async"
    location = accepted.headers["Location"]
    assert location.startswith("/services/rest/async/v1/job/")
    job = await finished(client, location)
    assert job["progress"] == "succeeded" and job["id"] == location.rsplit("/", 1)[-1]
    assert job["task"]["links"][0]["href"].endswith(f"{location}/task")
    task = (await client.get(f"{location}/task/1")).json()
    assert task["completed"] is True and task["progress"] == "succeeded"
    assert {link["rel"] for link in task["links"]} == {"related", "self"}
    [result] = await task_results(client, location)
    assert result.status_code == 204 and "/salesOrder/" in result.headers["Location"]
    assert (await client.get(f"{RECORD}/salesOrder")).json()["totalResults"] == 1


async def test_async_suiteql_result_is_the_page(client: httpx.AsyncClient) -> None:
    accepted = await client.post(
        SUITEQL,
        json={"q": "SELECT id FROM customer"},
        headers={**ASYNC, "Prefer": "respond-async, transient"},
    )
    assert accepted.status_code == 202
    location = accepted.headers["Location"]
    await finished(client, location)
    [result] = await task_results(client, location)
    assert result.status_code == 200 and result.json()["count"] == 5


async def test_batch_upsert_creates_then_updates_by_external_id(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    items = [
        {"externalId": f"shop-{n}", "isPerson": False, "companyName": f"Shop {n}", "email": f"s{n}@x.example"}
        for n in range(3)
    ]
    accepted = await client.put(f"{RECORD}/customer", json={"items": items}, headers=BATCH)
    assert accepted.status_code == 202, accepted.text
    location = accepted.headers["Location"]
    assert (await finished(client, location))["progress"] == "succeeded"
    results = await task_results(client, location)
    assert [r.status_code for r in results] == [204, 204, 204]
    ids = [r.headers["Location"].rsplit("/", 1)[-1] for r in results]
    items[0]["companyName"] = "Shop Zero"
    again = await client.put(f"{RECORD}/customer", json={"items": items}, headers=BATCH)
    await finished(client, again.headers["Location"])
    second = await task_results(client, again.headers["Location"])
    assert [r.headers["Location"].rsplit("/", 1)[-1] for r in second] == ids  # updated, not duplicated
    assert (await client.get(f"{RECORD}/customer/eid:shop-0")).json()["companyName"] == "Shop Zero"


async def test_batch_reports_each_failure_on_its_task(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    good = order_body(seeded, externalId="ok-1")
    bad = order_body(seeded, externalId="bad-1", entity={"id": "999999"})
    accepted = await client.post(f"{RECORD}/salesOrder", json={"items": [good, bad]}, headers=BATCH)
    job = await finished(client, accepted.headers["Location"])
    assert job["progress"] == "failed"
    ok, failed = await task_results(client, accepted.headers["Location"])
    assert ok.status_code == 204
    assert failed.status_code == 400
    assert failed.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_KEY_OR_REF"


async def test_batch_patch_and_delete(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    items = [{"externalId": f"c-{n}", "isPerson": False, "companyName": f"C {n}"} for n in range(2)]
    created = await client.put(f"{RECORD}/customer", json={"items": items}, headers=BATCH)
    await finished(client, created.headers["Location"])
    patch = [{"externalId": "c-0", "companyName": "C zero"}, {"externalId": "c-1", "phone": "555"}]
    patched = await client.patch(f"{RECORD}/customer", json={"items": patch}, headers=BATCH)
    assert (await finished(client, patched.headers["Location"]))["progress"] == "succeeded"
    assert (await client.get(f"{RECORD}/customer/eid:c-0")).json()["companyName"] == "C zero"
    deleted = await client.delete(f"{RECORD}/customer", params={"ids": "eid:c-0,eid:c-1"}, headers=ASYNC)
    assert deleted.status_code == 202
    assert (await finished(client, deleted.headers["Location"]))["progress"] == "succeeded"
    assert (await client.get(f"{RECORD}/customer/eid:c-1")).status_code == 404


async def test_batch_limits_and_headers(client: httpx.AsyncClient) -> None:
    many = {"items": [{"externalId": f"x{n}", "companyName": "X"} for n in range(101)]}
    too_many = await client.put(f"{RECORD}/customer", json=many, headers=BATCH)
    assert too_many.status_code == 400
    assert "at most 100" in too_many.json()["o:errorDetails"][0]["detail"]
    collection_type = {"Content-Type": BATCH["Content-Type"]}
    not_async = await client.post(f"{RECORD}/customer", json={"items": [{}]}, headers=collection_type)
    assert not_async.status_code == 400 and not_async.json()["o:errorDetails"][0]["o:errorHeader"] == "Prefer"
    no_eid = await client.put(f"{RECORD}/customer", json={"items": [{"companyName": "Y"}]}, headers=BATCH)
    assert no_eid.status_code == 400
    empty = await client.post(f"{RECORD}/customer", json={"items": []}, headers=BATCH)
    assert empty.status_code == 400
    assert (await client.get("/services/rest/async/v1/job/424242")).status_code == 404


async def test_repeated_idempotency_key_never_runs_twice(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    key = str(uuid.uuid4())
    headers = {**ASYNC, "X-NetSuite-Idempotency-Key": key}
    first = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded), headers=headers)
    assert first.status_code == 202
    second = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded), headers=headers)
    assert second.status_code == 400
    assert second.headers["Location"] == first.headers["Location"]
    body = second.json()
    assert body["title"] == "Conflict" and body["status"] == 400
    assert body["o:errorDetails"][0]["o:errorCode"] == "IDEMPOTENCY_ERROR"
    await finished(client, first.headers["Location"])
    rows = await suiteql(client, "SELECT id FROM transaction WHERE type = 'SalesOrd'")
    assert rows.json()["totalResults"] == 1
    bad_key = await client.post(
        f"{RECORD}/salesOrder", json=order_body(seeded), headers={**ASYNC, "X-NetSuite-Idempotency-Key": "x"}
    )
    assert bad_key.status_code == 400


async def test_idempotency_key_is_ignored_on_synchronous_requests(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    headers = {"X-NetSuite-Idempotency-Key": str(uuid.uuid4())}
    for _ in range(2):
        response = await client.post(f"{RECORD}/salesOrder", json=order_body(seeded), headers=headers)
        assert response.status_code == 204


async def test_jobs_stay_pending_until_a_processor_takes_them(state_path: Any, seeded: SeedSummary) -> None:
    settings = NetSuiteSandboxSettings(async_start_delay_seconds=0.3, async_processors=1)
    async with make_client(create_app(state_path, settings)) as client:
        accepted = await client.get(f"{RECORD}/customer", headers=ASYNC)
        job = (await client.get(accepted.headers["Location"])).json()
        assert job == {
            "links": [{"rel": "self", "href": f"{HOST}{accepted.headers['Location']}"}],
            "completed": False,
            "id": job["id"],
            "progress": "pending",
            "task": {"links": [{"rel": "self", "href": job["links"][0]["href"] + "/task"}]},
        }
        early = await client.get(f"{accepted.headers['Location']}/task/1/result")
        assert early.status_code == 400
        done = await finished(client, accepted.headers["Location"])
        assert done["progress"] == "succeeded" and "endTime" in done
