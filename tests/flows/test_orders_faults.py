"""NetSuite failing the way real accounts fail: nothing is lost, nothing is created twice."""

from __future__ import annotations

from tests.flows.conftest import Sandbox

from ledgerlink.sandbox.netsuite.faults import Fault


def faults(sandbox: Sandbox) -> list[Fault]:
    return sandbox.netsuite_app.state.sandbox.faults  # type: ignore[no-any-return]


async def test_a_lost_response_after_a_committed_write_creates_no_duplicate(sandbox: Sandbox) -> None:
    sandbox.seed_orders(3)
    faults(sandbox).append(
        Fault(method="PUT", path=r"/salesOrder/eid:", kind="lost_response", status=0, times=2)
    )
    await sandbox.sync()
    await sandbox.runtime.worker().run(until_idle=True, idle_horizon=30)
    held = await sandbox.sales_orders()
    assert len(held) == len(sandbox.runtime.links.all("order"))
    assert sandbox.runtime.queue.counts()["dead"] == 0
    history = [
        p
        for j in sandbox.runtime.queue.find(states=["done"])
        for p in sandbox.runtime.queue.problems_for(j.id)
    ]
    assert any(p["code"] == "REMOTE_UNAVAILABLE" for p in history), "the lost responses were seen and retried"


async def test_a_lost_response_with_a_gateway_timeout_is_retried(sandbox: Sandbox) -> None:
    sandbox.seed_orders(2)
    faults(sandbox).append(Fault(method="PUT", path=r"/salesOrder/eid:", kind="lost_response", status=504))
    await sandbox.sync()
    await sandbox.runtime.worker().run(until_idle=True, idle_horizon=30)
    assert len(await sandbox.sales_orders()) == len(sandbox.runtime.links.all("order"))


async def test_throttling_and_outages_delay_but_do_not_lose_orders(sandbox: Sandbox) -> None:
    sandbox.seed_orders(6)
    faults(sandbox).append(Fault(path=r"/record/v1/salesOrder", status=429, times=4, retry_after=0.1))
    faults(sandbox).append(Fault(path=r"/query/v1/suiteql", status=503, times=2))
    await sandbox.sync()
    await sandbox.runtime.worker().run(until_idle=True, idle_horizon=30)
    counts = sandbox.runtime.queue.counts()
    assert counts["dead"] == 0 and counts["retrying"] == 0
    assert len(await sandbox.sales_orders()) == len(sandbox.runtime.links.all("order")) > 0
