"""Faults beyond single answers (storms, maintenance windows, timeouts), the admin endpoint, service
tiers and the latency model."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import httpx
import pytest
import yaml

from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.faults import Fault, FaultList, inject
from ledgerlink.sandbox.netsuite.governance import FrequencyLimiter
from ledgerlink.sandbox.netsuite.latency import LatencyModel, classify
from ledgerlink.sandbox.netsuite.seed import SeedSummary
from ledgerlink.sandbox.netsuite.settings import (
    NetSuiteSandboxSettings,
    load_settings,
    tier_concurrency_limit,
)

from .conftest import RECORD, TokenAuth, make_client, order_body


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_storm_lasts_its_duration_then_clears() -> None:
    clock = Clock()
    faults = FaultList([Fault(path="customer", status=429, duration_seconds=10)], clock=clock)
    assert all(faults.take("GET", "/record/v1/customer") is not None for _ in range(50))
    clock.now += 10.5
    assert faults.take("GET", "/record/v1/customer") is None
    assert list(faults) == []


def test_a_fault_with_a_probability_hits_that_share_and_counts_only_its_hits() -> None:
    faults = FaultList([Fault(status=503, probability=0.1, times=10_000)], rng=random.Random(5))
    hits = sum(faults.take("GET", "/record/v1/customer") is not None for _ in range(5000))
    assert 400 <= hits <= 600
    assert faults[0].times == 10_000 - hits  # the spared requests did not use the fault up


def test_a_request_a_probable_fault_spares_meets_the_next_fault() -> None:
    faults = FaultList(
        [Fault(status=503, probability=0.5, times=1000), Fault(status=429, times=1000)], rng=random.Random(1)
    )
    answers = [faults.take("PUT", "/record/v1/salesOrder/eid:x") for _ in range(200)]
    statuses = [a.status for a in answers if a is not None]
    assert len(statuses) == 200 and 60 <= statuses.count(503) <= 140 and 503 in statuses and 429 in statuses


def test_a_probability_outside_zero_to_one_is_not_a_fault() -> None:
    for probability in (0, 1.5):
        with pytest.raises(ValueError):
            Fault(probability=probability)


async def test_maintenance_window_answers_503_with_retry_after(
    app: object, client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    faults = app.state.sandbox.faults  # type: ignore[attr-defined]
    faults.append(Fault(kind="maintenance", duration_seconds=60, retry_after=300))
    for path in (f"{RECORD}/customer", f"{RECORD}/salesOrder"):
        answer = await client.get(path)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "300"
        assert "maintenance" in answer.json()["o:errorDetails"][0]["detail"]
    faults.clear()
    assert (await client.get(f"{RECORD}/customer")).status_code == 200


async def test_timeout_fault_outlasts_the_client_but_still_commits(
    live_server: str, seeded: SeedSummary
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as admin:
        added = await admin.post(
            "/__sandbox/faults",
            json={"method": "POST", "path": "salesOrder$", "kind": "timeout", "delay_seconds": 1.0},
        )
        assert added.status_code == 201 and added.json()["faults"][0]["kind"] == "timeout"
    async with httpx.AsyncClient(base_url=live_server, auth=TokenAuth(), timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"{RECORD}/salesOrder", json=order_body(seeded, externalId="slow-1"))
        time.sleep(1.2)
        async with httpx.AsyncClient(base_url=live_server, auth=TokenAuth(), timeout=5) as patient:
            assert (await patient.get(f"{RECORD}/salesOrder/eid:slow-1")).status_code == 200


async def test_admin_endpoint_lists_adds_and_clears_faults(app: object, client: httpx.AsyncClient) -> None:
    storm = [{"path": "customer", "status": 429, "times": 3}, {"kind": "maintenance", "path": "invoice"}]
    added = await client.post("/__sandbox/faults", json=storm)
    assert added.status_code == 201 and len(added.json()["faults"]) == 2
    assert (await client.get(f"{RECORD}/customer")).status_code == 429
    assert len((await client.get("/__sandbox/faults")).json()["faults"]) == 2
    assert (await client.delete("/__sandbox/faults")).json() == {"faults": []}
    assert (await client.get(f"{RECORD}/customer")).status_code == 200
    assert (await client.post("/__sandbox/faults", json={"kind": "earthquake"})).status_code == 400
    governance = (await client.get("/__sandbox/governance")).json()
    assert governance["concurrencyLimit"] == 5 and governance["serviceTier"] == "standard"
    assert governance["admitted"] == 2  # the two record reads; admin requests are outside the gate


@pytest.mark.parametrize(
    ("tier", "licences", "limit"),
    [
        ("standard", 0, 5),
        ("shared", 1, 15),
        ("premium", 0, 15),
        ("tier1", 5, 65),
        ("enterprise", 2, 40),
        ("ultimate", 5, 70),
        ("developer", 3, 5),
    ],
)
def test_concurrency_limit_follows_tier_and_suitecloud_plus(tier: str, licences: int, limit: int) -> None:
    assert tier_concurrency_limit(tier, licences) == limit
    settings = NetSuiteSandboxSettings.model_validate(
        {"service_tier": tier, "suitecloud_plus_licenses": licences}
    )
    assert settings.concurrency_limit == limit


def test_an_explicit_concurrency_limit_overrides_the_tier(state_path: Path, seeded: SeedSummary) -> None:
    settings = NetSuiteSandboxSettings(
        service_tier="ultimate", suitecloud_plus_licenses=4, concurrency_limit=3
    )
    assert settings.concurrency_limit == 3
    assert create_app(state_path, settings).state.sandbox.gate.limit == 3
    assert (
        create_app(state_path, NetSuiteSandboxSettings(service_tier="premium")).state.sandbox.gate.limit == 15
    )


def test_latency_model_prefers_the_most_specific_setting_and_is_reproducible() -> None:
    settings = NetSuiteSandboxSettings(
        latency_seconds=0.1,
        latency_by_operation={"suiteql": 0.5, "create": 0.3},
        latency_by_type={"salesOrder": 0.8, "salesorder.read": 0.2},
        latency_spread_seconds=0.4,
        rng_seed=42,
    )
    model = LatencyModel(settings)
    assert model.base("POST", f"{RECORD}/salesOrder") == 0.8
    assert model.base("GET", f"{RECORD}/salesorder/12") == 0.2
    assert model.base("POST", f"{RECORD}/customer") == 0.3
    assert model.base("POST", "/services/rest/query/v1/suiteql") == 0.5
    assert model.base("GET", f"{RECORD}/customer/3") == 0.1
    first = [model.delay("POST", f"{RECORD}/customer") for _ in range(5)]
    again = [LatencyModel(settings).delay("POST", f"{RECORD}/customer") for _ in range(1)]
    assert again[0] == first[0] and all(0.3 <= d <= 0.7 for d in first) and len(set(first)) == 5
    assert classify("DELETE", f"{RECORD}/customer").operation == "delete"
    assert classify("GET", f"{RECORD}/customer").operation == "list"


async def test_latency_by_type_slows_only_that_type(state_path: Path, seeded: SeedSummary) -> None:
    app = create_app(state_path, NetSuiteSandboxSettings(latency_by_type={"salesOrder": 0.3}))
    async with make_client(app) as client:
        started = time.monotonic()
        await client.get(f"{RECORD}/customer")
        fast = time.monotonic() - started
        started = time.monotonic()
        await client.get(f"{RECORD}/salesOrder")
        slow = time.monotonic() - started
    assert fast < 0.25 <= slow


async def test_an_integration_limit_caps_the_integration_below_the_account(
    state_path: Path, seeded: SeedSummary
) -> None:
    settings = NetSuiteSandboxSettings(
        service_tier="premium", integration_concurrency_limit=2, latency_by_operation={"list": 0.3}
    )
    app = create_app(state_path, settings)
    async with make_client(app) as client:
        limits = (await client.get("/services/rest/system/v1/governanceLimits")).json()
        assert limits == {
            "accountConcurrencyLimit": 15,
            "unallocatedConcurrencyLimit": 13,
            "limitType": "integrationSpecific",
            "integrationConcurrencyLimit": 2,
        }
        responses = await asyncio.gather(*(client.get(f"{RECORD}/customer") for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 200, 429, 429]
    assert app.state.sandbox.gate.in_flight == 0


def test_faults_and_governance_load_from_a_settings_file() -> None:
    text = """
service_tier: tier1
suitecloud_plus_licenses: 5
latency_by_type: {salesOrder: 0.8}
latency_spread_seconds: 0.2
rng_seed: 7
faults:
  - {kind: status, status: 429, path: salesOrder, duration_seconds: 30}
  - {kind: maintenance, duration_seconds: 600, retry_after: 900}
  - {kind: timeout, method: POST, path: invoice, delay_seconds: 120}
"""
    settings = NetSuiteSandboxSettings.model_validate(yaml.safe_load(text))
    assert settings.concurrency_limit == 65
    assert [f.kind for f in settings.faults] == ["status", "maintenance", "timeout"]
    assert settings.faults[1].retry_after == 900


def test_frequency_limiter_counts_a_sliding_minute_and_day() -> None:
    clock = Clock()
    limiter = FrequencyLimiter(per_minute=3, per_day=5, clock=clock)
    assert [limiter.admit() for _ in range(3)] == [None, None, None]
    assert limiter.admit() == pytest.approx(60.0)
    clock.now += 61
    assert [limiter.admit() for _ in range(2)] == [None, None]
    wait = limiter.admit()  # the day is full
    assert wait is not None and wait > 80_000 and limiter.rejected == 2


async def test_requests_over_the_minute_limit_get_429_with_retry_after(
    state_path: Path, seeded: SeedSummary
) -> None:
    app = create_app(state_path, NetSuiteSandboxSettings(requests_per_minute=2))
    async with make_client(app) as client:
        answers = [await client.get(f"{RECORD}/customer") for _ in range(3)]
        restlet = await client.get("/app/site/hosting/restlet.nl", params={"script": "1", "deploy": "1"})
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["o:errorDetails"][0]["o:errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert 55 <= int(answers[2].headers["Retry-After"]) <= 60
    assert restlet.status_code == 400 and restlet.json()["error"]["code"] == "SSS_REQUEST_LIMIT_EXCEEDED"


def test_settings_load_from_yaml_and_json_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "netsuite.yaml"
    yaml_file.write_text("service_tier: enterprise\nfaults:\n  - {status: 502, times: 2}\n")
    settings = load_settings(yaml_file, rng_seed=3)
    assert settings.concurrency_limit == 20 and settings.faults[0].times == 2 and settings.rng_seed == 3
    json_file = tmp_path / "netsuite.json"
    json_file.write_text('{"concurrency_limit": 9, "latency_by_operation": {"suiteql": 1.5}}')
    assert load_settings(json_file).concurrency_limit == 9
    (tmp_path / "empty.yaml").write_text("")
    assert load_settings(tmp_path / "empty.yaml").concurrency_limit == 5


def test_inject_adds_faults_to_a_running_server(live_server: str) -> None:
    active = inject(live_server, Fault(path="customer", status=429, times=2), clear=True)
    assert [(f.path, f.status, f.times) for f in active] == [("customer", 429, 2)]
    assert inject(live_server, clear=True) == []
