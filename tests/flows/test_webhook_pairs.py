"""A real WooCommerce store delivers every new order twice (``order.created``, then ``order.updated``
about 50 ms later, FACTS.md §7), so the second delivery reaches the console while the first one's job
runs. New guest buyers make every such job park on its customer: the worst case for the pair."""

from __future__ import annotations

import asyncio
import time

from tests.flows.conftest import Sandbox
from tests.flows.test_orders_flow import create_store_order

from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.engine.worker import Worker

GUESTS = 8
UNSETTLED = ("queued", "running", "waiting", "retrying")


async def sales_order_counts(sandbox: Sandbox) -> dict[str, int]:
    """externalid -> how many sales orders NetSuite holds under it, asked of NetSuite itself."""
    rows = [
        r
        async for r in sandbox.netsuite.suiteql(
            "SELECT externalid, COUNT(*) AS n FROM transaction WHERE type = 'SalesOrd' GROUP BY externalid"
        )
    ]
    return {str(r["externalid"]): int(r["n"]) for r in rows}


async def settle(sandbox: Sandbox, *, quiet_seconds: float = 3.0, deadline_seconds: float = 30.0) -> None:
    """Let the running worker finish what there is to do. Stops early once nothing has moved for
    ``quiet_seconds`` with no retry pending: a job stuck in ``running`` (and the jobs queued behind its
    lock) then stays stuck for its whole lease, and the test reports it."""
    queue = sandbox.runtime.queue
    deadline = time.monotonic() + deadline_seconds
    last, since = queue.counts(), time.monotonic()
    while time.monotonic() < deadline:
        counts = queue.counts()
        if not any(counts[state] for state in UNSETTLED):
            return
        if counts != last:
            last, since = counts, time.monotonic()
        elif time.monotonic() - since > quiet_seconds and not counts["retrying"]:
            return
        await asyncio.sleep(0.05)


async def test_created_and_updated_pairs_for_new_guests_sync_each_order_once(sandbox: Sandbox) -> None:
    [flow] = sandbox.runtime.flows_from("woo")
    await flow.ensure_webhooks(None)  # type: ignore[arg-type]
    woo = sandbox.woo_app.state.sandbox
    dispatcher = woo.webhooks
    # A real store answers a GET in about 64 ms (FACTS.md §7), longer than the 50 ms between the
    # pair, and a busy worker claims a new job at once: the updated delivery lands mid-job.
    woo.settings.latency_seconds = 0.08
    runtime = sandbox.runtime
    stop = asyncio.Event()
    worker = Worker(runtime.queue, runtime.handlers(), concurrency=8, poll_interval=0.005)
    running = asyncio.create_task(worker.run(stop))
    try:
        # guest checkouts (no customer id), each buyer an e-mail NetSuite has never seen
        orders = [await create_store_order(sandbox, guest) for guest in range(1, GUESTS + 1)]
        await dispatcher.drain()
        orders.append(await create_store_order(sandbox, GUESTS + 1))  # one more, after the pairs
        await dispatcher.drain()
        await settle(sandbox)
    finally:
        stop.set()
        await running

    sent = dispatcher.sent()
    for order in orders:
        topics = [d.topic for d in sent if d.resource_id == order["id"]]
        assert topics == ["order.created", "order.updated"], order["id"]
    assert all(d.succeeded for d in sent), [(d.topic, d.status_code) for d in sent if not d.succeeded]

    counts = await sales_order_counts(sandbox)
    expected = {external_id("woo", "order", str(order["id"])): 1 for order in orders}
    assert counts == expected
    left = sandbox.runtime.queue.find(states=list(UNSETTLED))
    assert left == [], [(job.kind, job.record_key, job.state) for job in left]
