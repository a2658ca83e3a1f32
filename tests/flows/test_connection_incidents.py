"""A connection that fails as a whole opens one incident, pauses its jobs without sending their requests,
and everything resumes by itself once a probe gets an answer: each order reaches NetSuite once."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from tests.flows.conftest import NETSUITE_URL, WOO_URL, NetworkTransport, Sandbox

from ledgerlink.config import Config, parse_config
from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.engine.incidents import WAITING_FOR_CONNECTION, ConnectionDown, probing
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.engine.queue import ERROR_STATES
from ledgerlink.operations import sync
from ledgerlink.runtime import Runtime
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.netsuite.faults import Fault
from ledgerlink.sandbox.server import free_port
from ledgerlink.sandbox.woocommerce.app import create_app as create_woo_app
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.service import run_service
from ledgerlink.store.tables import problems

WORKERS = 4
SYNCED_STATUSES = ("processing", "completed", "on-hold")
UPSERT = "/services/rest/record/v1/salesOrder/eid:"


class Counting(httpx.AsyncBaseTransport):
    """Everything a connection sends, in order, before it reaches the emulator (or the closed port)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def upserts(self) -> list[str]:
        return [path.removeprefix(UPSERT) for method, path in self.sent if method == "PUT" and UPSERT in path]


def runtime_for(sandbox: Sandbox, **options: Any) -> Runtime:
    """A runtime on the sandbox's database: what ``ledgerlink run`` builds at start, with short probes."""
    config, transports = deployment(sandbox, **options)
    return Runtime(config, transports=transports)


def config_data(sandbox: Sandbox, **urls: str | None) -> dict[str, Any]:
    """The sandbox's configuration on its database; only the WooCommerce store unless ``urls`` name
    the others."""
    defaults: dict[str, str | None] = {
        "netsuite_url": NETSUITE_URL,
        "woo_url": WOO_URL,
        "magento_url": None,
        "commercetools_url": None,
    }
    return sandbox_config(database_url=f"sqlite:///{sandbox.tmp / 'ledgerlink.db'}", **(defaults | urls))  # type: ignore[arg-type]


def deployment(
    sandbox: Sandbox,
    *,
    netsuite: httpx.AsyncBaseTransport | None = None,
    woo: httpx.AsyncBaseTransport | None = None,
    netsuite_url: str = NETSUITE_URL,
    woo_url: str = WOO_URL,
    token_secret: str | None = None,
) -> tuple[Config, dict[str, httpx.AsyncBaseTransport]]:
    """The configuration and transports of one deployment of the sandbox's WooCommerce flow. A
    connection with an URL on loopback is reached over the network; the others in-process."""
    data = config_data(sandbox, netsuite_url=netsuite_url, woo_url=woo_url)
    if token_secret is not None:
        data["connections"]["netsuite"]["token_secret"] = token_secret
    data["engine"] = {"workers": WORKERS, "incident_probe_seconds": 0.05, "incident_probe_cap_seconds": 0.2}
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    if netsuite or netsuite_url == NETSUITE_URL:
        transports["netsuite"] = netsuite or NetworkTransport(app=sandbox.netsuite_app)
    if woo or woo_url == WOO_URL:
        transports["woo"] = woo or httpx.ASGITransport(app=sandbox.woo_app)
    return parse_config(data), transports


async def synced_orders(sandbox: Sandbox, order_ids: list[int]) -> dict[str, Decimal]:
    """external id -> total of the seeded orders in statuses the flow writes to NetSuite."""
    client = sandbox.runtime.stores["woo"].client  # type: ignore[attr-defined]
    totals = {}
    for order_id in order_ids:
        order = await client.get_order(order_id)
        if order["status"] in SYNCED_STATUSES:
            totals[external_id("woo", "order", str(order_id))] = Decimal(order["total"])
    return totals


def problem_codes(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as db:
        return [row.code for row in db.execute(select(problems.c.code))]


def assert_no_flood(runtime: Runtime) -> None:
    """No record carries the connection's failure as its own: nothing in the error queue, no problem rows
    of the cause, no DEPENDENCY_FAILED."""
    assert runtime.queue.find(states=ERROR_STATES) == []
    codes = problem_codes(runtime)
    for code in (Code.AUTH_FAILED, "DEPENDENCY_FAILED", Code.REMOTE_UNAVAILABLE, Code.REMOTE_MAINTENANCE):
        assert code not in codes


async def until(condition: Callable[[], bool], *, guard_seconds: float = 60.0) -> None:
    """Wait for ``condition``; the guard only stops a broken run from hanging the suite."""
    deadline = time.monotonic() + guard_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never came true")
        await asyncio.sleep(0.02)


async def test_a_wrong_token_secret_pauses_netsuite_until_the_fixed_secret_is_deployed(
    sandbox: Sandbox,
) -> None:
    order_ids = sandbox.seed_orders(50)
    expected = await synced_orders(sandbox, order_ids)
    assert len(expected) > 20, "the seed should give many orders to sync, most of them new buyers"
    refused = Counting(NetworkTransport(app=sandbox.netsuite_app))
    wrong = runtime_for(sandbox, netsuite=refused, token_secret="not-the-token-secret")
    try:
        await sync(wrong, idle_horizon=1.0)
        [incident] = wrong.incidents.history()
        assert incident.connection == "netsuite" and incident.closed_at is None
        assert incident.code == Code.AUTH_FAILED
        cause = incident.problem
        assert cause.what == "NetSuite did not accept the connection's credentials"
        assert "token_secret" in cause.fix and cause.details["connection"] == "netsuite"
        # Only the requests in flight when the first refusal came back, then one per probe, each probe
        # later than the one before by the backoff.
        assert incident.probes >= 1
        assert len(refused.sent) <= WORKERS + incident.probes
        assert incident.last_probe_at is not None
        assert incident.next_probe_at - incident.last_probe_at == pytest.approx(
            wrong.incidents.probe_delay(incident.probes)
        )
        assert_no_flood(wrong)
        paused = wrong.queue.find(states=["waiting"], limit=1000)
        customers = [j for j in paused if j.kind.startswith("customers.sync")]
        assert customers and all(j.waiting_on == "incident:netsuite" for j in customers)
        assert all(j.problem and j.problem["code"] == WAITING_FOR_CONNECTION for j in customers)
        assert wrong.incidents.paused_counts() == {"netsuite": len(customers)}
        orders = [j for j in paused if j.kind.startswith("orders.sync")]
        assert len(orders) == len(expected), "orders wait on their customers, none failed"

        # The next scheduled delta read finds every order already pending: nothing is queued again.
        jobs_before = sum(wrong.queue.counts().values())
        await sync(wrong, idle_horizon=0.2)
        assert sum(wrong.queue.counts().values()) == jobs_before + 1  # the poll job itself
        assert len(wrong.incidents.history()) == 1
        assert refused.upserts() == []
    finally:
        await wrong.aclose()

    # The operator fixes the secret and restarts: the probe answers, the incident closes, work resumes.
    answered = Counting(NetworkTransport(app=sandbox.netsuite_app))
    fixed = runtime_for(sandbox, netsuite=answered)
    try:
        await sync(fixed, idle_horizon=1.0)
        [closed] = fixed.incidents.history()
        assert closed.id == incident.id and closed.closed_at is not None
        assert fixed.incidents.open_incidents() == []
        assert await sandbox.sales_orders() == expected
        assert sorted(answered.upserts()) == sorted(expected), "each order was written exactly once"
        assert fixed.queue.counts()["waiting"] == 0
        assert_no_flood(fixed)
    finally:
        await fixed.aclose()


@contextlib.contextmanager
def serving(app: Any, port: int) -> Iterator[None]:
    """``app`` on a real loopback port, in a thread of its own."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the server on port {port} did not start")
            time.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def test_an_unreachable_store_pauses_its_jobs_until_the_host_answers_again(sandbox: Sandbox) -> None:
    order_ids = sandbox.seed_orders(12)
    expected = await synced_orders(sandbox, order_ids)
    port = free_port()  # nothing listens there yet: the store's host is down
    woo_url = f"http://127.0.0.1:{port}"
    attempts = Counting(httpx.AsyncHTTPTransport())
    runtime = runtime_for(sandbox, woo=attempts, woo_url=woo_url)
    [flow] = runtime.flows
    for order_id in order_ids:  # webhooks that came in before the store went down
        runtime.queue.enqueue(flow.order_job(str(order_id), reason="webhook"))
    runtime.queue.enqueue(flow.poll_job())
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(runtime.worker().run(stop)),
        asyncio.create_task(runtime.prober().run(stop)),
    ]
    try:
        await until(lambda: (i := runtime.incidents.get_open("woo")) is not None and i.probes >= 2)
        incident = runtime.incidents.get_open("woo")
        assert incident is not None and incident.code == Code.REMOTE_UNAVAILABLE
        assert incident.problem.details["error"] == "ConnectError"
        assert len(attempts.sent) <= WORKERS + incident.probes
        assert runtime.incidents.paused_counts() == {"woo": len(order_ids) + 1}
        assert_no_flood(runtime)

        store = create_woo_app(sandbox.woo_state, WooSandboxSettings(home_url=woo_url))
        with serving(store, port):  # the host is back; nobody restarts anything

            def all_done() -> bool:
                counts = runtime.queue.counts()
                return counts["done"] > 0 and sum(counts[s] for s in ("queued", "running", "waiting")) == 0

            await until(all_done)
            stop.set()
            await asyncio.gather(*tasks)
        assert runtime.incidents.open_incidents() == []
        assert await sandbox.sales_orders() == expected
        assert_no_flood(runtime)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtime.aclose()


async def test_a_netsuite_maintenance_window_pauses_and_resumes_by_itself(sandbox: Sandbox) -> None:
    order_ids = sandbox.seed_orders(20)
    expected = await synced_orders(sandbox, order_ids)
    # The next eight requests meet the maintenance window, whichever they are: the first jobs' and then
    # the probes'.
    window = Fault(kind="maintenance", times=8, retry_after=1)
    sandbox.netsuite_app.state.sandbox.faults.append(window)
    sent = Counting(NetworkTransport(app=sandbox.netsuite_app))
    runtime = runtime_for(sandbox, netsuite=sent)
    try:
        await sync(runtime, idle_horizon=3.0)
        [incident] = runtime.incidents.history()
        assert incident.connection == "netsuite" and incident.closed_at is not None
        assert incident.code == Code.REMOTE_MAINTENANCE
        assert incident.problem.what == "NetSuite is in a maintenance window"
        assert incident.probes >= 8 - WORKERS, "the probes met the rest of the window"
        assert sandbox.netsuite_app.state.sandbox.faults == [], "the window was used up"
        assert await sandbox.sales_orders() == expected
        assert sorted(sent.upserts()) == sorted(expected)
        assert_no_flood(runtime)
    finally:
        await runtime.aclose()


async def test_an_https_url_on_a_plain_http_port_is_a_configuration_incident(sandbox: Sandbox) -> None:
    order_ids = sandbox.seed_orders(8)
    port = free_port()
    with serving(sandbox.netsuite_app, port):
        runtime = runtime_for(sandbox, netsuite_url=f"https://127.0.0.1:{port}")
        try:
            await sync(runtime, idle_horizon=0.3)
            [incident] = runtime.incidents.history()
        finally:
            await runtime.aclose()
    assert incident.connection == "netsuite" and incident.closed_at is None
    assert incident.code == Code.TLS_MISMATCH
    problem = incident.problem
    assert problem.what == f"NetSuite at https://127.0.0.1:{port} does not speak TLS"
    assert "the TLS handshake was answered in plain HTTP" in problem.why
    assert problem.fix.startswith("this port speaks plain HTTP: use http:// or the TLS port")
    assert f"http://127.0.0.1:{port}" in problem.fix
    assert not problem.transient, "no outage: retrying cannot help"
    assert_no_flood(runtime)
    assert runtime.queue.counts()["done"] >= 1 and len(order_ids) == 8


async def test_a_store_url_with_https_on_a_plain_http_port_names_the_fix(sandbox: Sandbox) -> None:
    port = free_port()
    store = create_woo_app(sandbox.woo_state, WooSandboxSettings(home_url=f"http://127.0.0.1:{port}"))
    with serving(store, port):
        runtime = runtime_for(sandbox, woo_url=f"https://127.0.0.1:{port}")
        try:
            with pytest.raises(ProblemError) as raised:
                await runtime.stores["woo"].probe()
        finally:
            await runtime.aclose()
    problem = raised.value.problem
    assert problem.code == Code.TLS_MISMATCH and problem.details["tls_reason"]
    assert "this port speaks plain HTTP: use http:// or the TLS port in base_url" in problem.fix


async def test_ledgerlink_run_probes_and_resumes_paused_work(sandbox: Sandbox) -> None:
    """The worker role of ``ledgerlink run`` closes the incident that an earlier process opened."""
    order_ids = sandbox.seed_orders(6)
    expected = await synced_orders(sandbox, order_ids)
    wrong = runtime_for(sandbox, token_secret="not-the-token-secret")
    try:
        await sync(wrong, idle_horizon=0.2)
        assert len(wrong.incidents.open_incidents()) == 1
    finally:
        await wrong.aclose()
    config, transports = deployment(sandbox)
    stop = asyncio.Event()
    service = asyncio.create_task(run_service(config, role="worker", stop=stop, transports=transports))
    try:
        await until(lambda: sandbox.runtime.incidents.open_incidents() == [])
        await until(lambda: len(sandbox.runtime.links.all("order")) == len(expected))
    finally:
        stop.set()
        await service
    assert await sandbox.sales_orders() == expected


@pytest.mark.parametrize("name", ["woo", "magento", "ct"])
async def test_every_store_sends_nothing_while_its_connection_is_paused(sandbox: Sandbox, name: str) -> None:
    """Each platform's client goes through its gate: the first unreachable call opens the incident, the
    next is refused before anything is sent, and only a probe gets through."""
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    data = config_data(sandbox, woo_url=closed, magento_url=closed, commercetools_url=closed)
    attempts = Counting(httpx.AsyncHTTPTransport())
    runtime = Runtime(parse_config(data), transports={name: attempts})
    store = runtime.stores[name]
    try:
        with pytest.raises(ConnectionDown) as first:
            await store.get_order("1")
        assert first.value.sent and first.value.problem.details["connection"] == name
        assert first.value.problem.details["error"] == "ConnectError"
        runtime.incidents.open(name, first.value.problem)
        tried = len(attempts.sent)
        assert tried >= 1
        with pytest.raises(ConnectionDown) as refused:
            await store.get_order("2")
        assert not refused.value.sent and len(attempts.sent) == tried, "nothing was sent"
        with probing(), pytest.raises(ProblemError) as probed:
            await store.probe()
        assert not isinstance(probed.value, ConnectionDown) and len(attempts.sent) > tried
    finally:
        await runtime.aclose()
