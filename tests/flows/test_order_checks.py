"""Orders that must not reach NetSuite as they are: totals that do not add up, and figures beyond the
sanity limits. Each stops before any NetSuite write, as a permanent problem saying what to do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.connectors.commercetools.conftest import import_order
from tests.flows.conftest import Sandbox
from tests.flows.test_orders_flow import create_store_order

from ledgerlink.config import OrderLimits
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


def held(sandbox: Sandbox) -> Job:
    [job] = failed_jobs(sandbox)
    assert job.problem is not None
    assert job.problem["code"] == "HELD_FOR_REVIEW"
    assert (job.problem["severity"], job.problem["team"]) == ("permanent", "operations")
    return job


async def nothing_written(sandbox: Sandbox) -> bool:
    """No sales order, no customer created, no customer job: the order stopped before any write."""
    customers = [
        r async for r in sandbox.netsuite.suiteql("SELECT id FROM customer WHERE externalid LIKE 'woo-%'")
    ]
    customer_jobs = [j for j in sandbox.runtime.queue.find() if j.kind.startswith("customers.sync")]
    return not await sandbox.sales_orders() and not customers and not customer_jobs


def set_limits(sandbox: Sandbox, flow_source: str, **limits: Any) -> None:
    [flow] = sandbox.runtime.flows_from(flow_source)
    update = {"limits": OrderLimits.model_validate(limits)}
    flow.config.mapping = flow.config.mapping.model_copy(update=update)


async def test_a_billion_units_on_a_line_are_held_for_review(sandbox: Sandbox) -> None:
    order = await create_store_order(sandbox, 1, quantity=10**9)
    stats = await sandbox.sync(flow="woo", record_id=str(order["id"]))
    assert stats.failed == 1
    problem = held(sandbox).problem or {}
    assert problem["what"] == f"order {order['number']} (store id {order['id']})"
    assert "line 1 (SKU-0001" in problem["why"]
    assert "quantity 1000000000, over the limit of 100000" in problem["why"]
    assert "limits.max_line_quantity" in problem["fix"]
    assert "correct it" in problem["fix"]
    assert "ledgerlink errors retry --code HELD_FOR_REVIEW" in problem["fix"]
    assert problem["details"]["beyond"][0]["setting"] == "limits.max_line_quantity"
    assert await nothing_written(sandbox)


async def test_raising_the_limit_and_retrying_brings_the_order_through(sandbox: Sandbox) -> None:
    set_limits(sandbox, "woo", max_line_quantity=5)
    order = await create_store_order(sandbox, 2, quantity=6)
    await sandbox.sync(flow="woo", record_id=str(order["id"]))
    job = held(sandbox)
    assert "quantity 6, over the limit of 5" in (job.problem or {})["why"]
    assert await nothing_written(sandbox)

    set_limits(sandbox, "woo", max_line_quantity=10)
    assert sandbox.runtime.queue.retry([job.id]) == 1
    await sandbox.work()
    assert external_id("woo", "order", str(order["id"])) in await sandbox.sales_orders()
    assert sandbox.runtime.queue.get(job.id).state == "done"  # type: ignore[union-attr]


async def test_line_amounts_and_totals_have_limits_per_currency(sandbox: Sandbox) -> None:
    set_limits(
        sandbox,
        "woo",
        max_line_amount=5,
        by_currency={"usd": {"max_order_total": "20.00"}, "JPY": {"max_line_amount": 900000}},
    )
    order = await create_store_order(sandbox, 3, quantity=1)
    await sandbox.sync(flow="woo", record_id=str(order["id"]))
    problem = held(sandbox).problem or {}
    line_amount = Decimal(order["line_items"][0]["subtotal"])
    assert f"has amount in USD {line_amount:.2f}, over the limit of 5" in problem["why"]
    assert "shipping 'Flat rate' has amount 5.00" not in problem["why"]  # 5.00 is not over 5
    assert (
        f"the order has total in USD {Decimal(order['total']):.2f}, over the limit of 20.00" in problem["why"]
    )
    assert "limits.max_line_amount and limits.by_currency.usd.max_order_total" in problem["fix"]
    assert await nothing_written(sandbox)


def test_the_default_limits() -> None:
    limits = OrderLimits()
    assert limits.limit("max_line_quantity", "USD") == (Decimal(100_000), "limits.max_line_quantity")
    assert limits.limit("max_line_amount", "EUR") == (Decimal(10_000_000), "limits.max_line_amount")
    assert limits.limit("max_order_total", "JPY") == (Decimal(10_000_000), "limits.max_order_total")
