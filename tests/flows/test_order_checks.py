"""Orders that must not reach NetSuite as they are: totals that do not add up, and figures beyond the
sanity limits. Each stops before any NetSuite write, as a permanent problem saying what to do."""

from __future__ import annotations

from tests.connectors.commercetools.conftest import import_order
from tests.flows.conftest import Sandbox

from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.engine.queue import Job


async def import_ct_order(
    sandbox: Sandbox, number: str, lines: list[tuple[str, int, int]], net_cents: int
) -> str:
    """An imported commercetools order from a new buyer whose stated (untaxed) total is ``net_cents``."""
    client = sandbox.runtime.stores["ct"].client  # type: ignore[attr-defined]
    buyer = {"firstName": "Grace", "lastName": number, "country": "DE", "city": "Berlin"}
    created = await import_order(client, number, lines, net_cents=net_cents, billingAddress=buyer)
    return str(created["id"])


def failed_jobs(sandbox: Sandbox) -> list[Job]:
    return [j for j in sandbox.runtime.queue.find(states=["failed"]) if j.kind.startswith("orders.sync")]


async def test_a_commercetools_total_that_does_not_add_up_is_a_total_mismatch(sandbox: Sandbox) -> None:
    order_id = await import_ct_order(sandbox, "CT-1500", [("SKU-0001", 1000, 1)], net_cents=1500)
    stats = await sandbox.sync(flow="ct", record_id=order_id)
    assert stats.failed == 1
    [failed] = failed_jobs(sandbox)
    assert failed.problem is not None
    assert failed.problem["code"] == "TOTAL_MISMATCH"
    assert "15.00" in failed.problem["why"] and "10.00" in failed.problem["why"]
    assert external_id("ct", "order", order_id) not in await sandbox.sales_orders()
