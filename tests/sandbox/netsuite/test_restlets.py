"""RESTlets on the emulator: the script registry, authentication and RESTlet governance."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.faults import Fault
from ledgerlink.sandbox.netsuite.seed import SeedSummary
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

from .conftest import HOST, RECORD, make_client

RESTLET = "/app/site/hosting/restlet.nl"


async def test_echo_script_answers_every_method(client: httpx.AsyncClient) -> None:
    got = await client.get(RESTLET, params={"script": "1", "deploy": "1", "q": "x"})
    assert got.status_code == 200 and got.json() == {"method": "GET", "params": {"q": "x"}, "body": None}
    posted = await client.post(f"{RESTLET}?script=1&deploy=1", json={"a": [1, 2]})
    assert posted.json()["body"] == {"a": [1, 2]}
    put = await client.put(f"{RESTLET}?script=1&deploy=1", json={"b": True})
    assert put.json()["method"] == "PUT"
    deleted = await client.delete(RESTLET, params={"script": "1", "deploy": "1", "id": "7"})
    assert deleted.json()["params"] == {"id": "7"}


async def test_bulk_upsert_script_writes_records(client: httpx.AsyncClient) -> None:
    records = [
        {"externalId": "r-1", "isPerson": False, "companyName": "R One"},
        {"externalId": "r-2", "isPerson": False, "companyName": "R Two"},
        {"isPerson": False, "companyName": "No Eid"},
    ]
    answer = await client.post(
        f"{RESTLET}?script=2&deploy=1", json={"recordType": "customer", "records": records}
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2]["error"]["code"] == "INVALID_INPUT"
    fetched = await client.get(f"{RECORD}/customer/eid:r-2")
    assert fetched.json()["id"] == results[1]["id"]


async def test_restlet_errors_use_the_restlet_body(app: object, client: httpx.AsyncClient) -> None:
    unknown = await client.get(RESTLET, params={"script": "99", "deploy": "1"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "SSS_INVALID_SCRIPTLET_ID"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOST) as anonymous:  # type: ignore[arg-type]
        refused = await anonymous.get(RESTLET, params={"script": "1", "deploy": "1"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "INVALID_LOGIN_ATTEMPT"
    broken = await client.post(
        f"{RESTLET}?script=1&deploy=1", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "SYNTAX_ERROR"


async def test_restlets_over_the_account_limit_get_sss_request_limit_exceeded(
    state_path: Path, seeded: SeedSummary
) -> None:
    settings = NetSuiteSandboxSettings(concurrency_limit=2, latency_by_operation={"restlet": 0.3})
    app = create_app(state_path, settings)
    async with make_client(app) as client:
        calls = [client.get(RESTLET, params={"script": "1", "deploy": "1"}) for _ in range(5)]
        responses = await asyncio.gather(*calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 400, 400, 400]
    rejected = next(r for r in responses if r.status_code == 400)
    assert rejected.json() == {
        "error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Request Limit Exceeded!"}
    }


async def test_a_429_storm_on_a_restlet_is_answered_as_restlets_do(
    app: object, client: httpx.AsyncClient
) -> None:
    app.state.sandbox.faults.append(Fault(path="restlet", status=429, times=2))  # type: ignore[attr-defined]
    for _ in range(2):
        storm = await client.get(RESTLET, params={"script": "1", "deploy": "1"})
        assert storm.status_code == 400 and storm.json()["error"]["code"] == "SSS_REQUEST_LIMIT_EXCEEDED"
    assert (await client.get(RESTLET, params={"script": "1", "deploy": "1"})).status_code == 200
