"""The unchanged orders flow, fed by the Magento store: emulated NetSuite and Magento, both in-process.

The runtime does not build Magento stores yet, so the flow is constructed here the way the runtime
would construct it, from the same configuration, with webhooks off (Magento connections are polled).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerlink.config import FlowConfig, MagentoConnection, NetSuiteConnection, parse_config
from ledgerlink.connectors.magento.store import MagentoStore
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.engine.worker import WorkerStats
from ledgerlink.flows.orders import OrdersFlow
from ledgerlink.operations import sync
from ledgerlink.runtime import Runtime
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.magento import actions
from ledgerlink.sandbox.magento.app import create_app as create_magento_app
from ledgerlink.sandbox.magento.init_config import magento_connection
from ledgerlink.sandbox.magento.orders import ORDER, save_order, set_state
from ledgerlink.sandbox.magento.seed import seed_store
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore
from ledgerlink.sandbox.netsuite.app import create_app as create_netsuite_app
from ledgerlink.sandbox.netsuite.seed import seed_netsuite

NETSUITE_URL = "http://netsuite.test"
MAGENTO_URL = "http://magento.test"
ITEMS = 12
SYNCED = {"processing", "complete", "holded"}


@dataclass
class Setup:
    runtime: Runtime
    store: MagentoStore
    netsuite: NetSuiteClient
    order_ids: list[int]
    unknown: list[int]
    state_path: Path

    async def sync(self) -> WorkerStats:
        return await sync(self.runtime, idle_horizon=0.5)

    async def sales_orders(self) -> dict[str, Decimal]:
        rows = [
            r
            async for r in self.netsuite.suiteql(
                "SELECT externalid, foreigntotal FROM transaction WHERE type = 'SalesOrd' ORDER BY id"
            )
        ]
        externals = [str(r["externalid"]) for r in rows]
        assert len(externals) == len(set(externals)), "NetSuite holds a duplicate sales order"
        return {str(r["externalid"]): Decimal(str(r["foreigntotal"])) for r in rows}

    async def expected(self) -> dict[str, Decimal]:
        totals = {}
        for order_id in self.order_ids:
            if order_id in self.unknown:
                continue
            order = await self.store.client.get_order(order_id)
            if order["state"] in SYNCED:
                totals[external_id("magento", "order", str(order_id))] = Decimal(str(order["grand_total"]))
        return totals


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    seed_netsuite(tmp_path / "netsuite.db", items=ITEMS, customers=4)
    seeded = seed_store(tmp_path / "magento.db", orders=20, products=ITEMS, unknown_sku_orders=1)
    netsuite_app = create_netsuite_app(tmp_path / "netsuite.db")
    magento_app = create_magento_app(tmp_path / "magento.db", MagentoSandboxSettings(base_url=MAGENTO_URL))
    data = sandbox_config(database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}", netsuite_url=NETSUITE_URL)
    flow_data = {**data["flows"][0], "from": "magento", "webhooks": False}
    data["connections"]["magento"] = magento_connection(MAGENTO_URL)
    data["flows"] = []
    config = parse_config(data)
    runtime = Runtime(config, transports={"netsuite": httpx.ASGITransport(app=netsuite_app)})
    connection = config.connections["magento"]
    assert isinstance(connection, MagentoConnection)
    store = MagentoStore("magento", connection, transport=httpx.ASGITransport(app=magento_app))
    runtime.stores["magento"] = store
    runtime.flows.append(
        OrdersFlow(
            config=FlowConfig.model_validate(flow_data),
            store=store,
            erp=runtime.erps["netsuite"],
            queue=runtime.queue,
            links=runtime.links,
            overlap_seconds=config.engine.cursor_overlap_seconds,
            webhook_url=None,
        )
    )
    ns_connection = config.connections["netsuite"]
    assert isinstance(ns_connection, NetSuiteConnection)
    netsuite = NetSuiteClient(ns_connection, transport=httpx.ASGITransport(app=netsuite_app))
    yield Setup(
        runtime, store, netsuite, seeded.order_ids, seeded.orders_with_unknown_skus, tmp_path / "magento.db"
    )
    await netsuite.aclose()
    await runtime.aclose()


async def test_one_sales_order_per_magento_order_with_equal_totals(setup: Setup) -> None:
    await setup.sync()
    expected = await setup.expected()
    assert expected, "the seed should produce orders in synced states"
    assert await setup.sales_orders() == expected


async def test_a_second_sync_creates_nothing(setup: Setup) -> None:
    await setup.sync()
    before = await setup.sales_orders()
    await setup.sync()
    assert await setup.sales_orders() == before


async def test_an_unknown_sku_lands_as_sku_not_found(setup: Setup) -> None:
    [odd] = setup.unknown
    with StateStore(setup.state_path).transaction() as tx:
        order = tx.get(ORDER, odd)
        assert order is not None
        set_state(order, "processing")  # whatever the seed chose, this order must be one the flow syncs
        save_order(tx, order)
    await setup.sync()
    failed = setup.runtime.queue.find(states=["failed"])
    problems = [job.problem for job in failed if job.problem]
    assert any(p["code"] == "SKU_NOT_FOUND" and "NEW-0001" in p["why"] for p in problems)
    assert external_id("magento", "order", str(odd)) not in await setup.sales_orders()


def act(setup: Setup, order_id: int, *steps: str) -> None:
    """Do to one order what an admin would: invoice all, refund all, cancel (Magento's own rules)."""
    with StateStore(setup.state_path).transaction() as tx:
        for step in steps:
            if step == "invoice":
                actions.invoice(tx, order_id, {})
            elif step == "refund":
                actions.refund(tx, order_id, {})
            elif step == "cancel":
                assert actions.cancel(tx, order_id) is True
            else:
                raise AssertionError(step)


def results(setup: Setup, order_id: int) -> list[dict[str, Any]]:
    """The results of the order's finished jobs, newest first."""
    done = setup.runtime.queue.find(states=["done"], limit=1000)
    return [job.result or {} for job in done if job.record_key == str(order_id)]


def processing_ids(setup: Setup, count: int) -> list[int]:
    with StateStore(setup.state_path).transaction() as tx:
        orders = [tx.get(ORDER, order_id) for order_id in setup.order_ids if order_id not in setup.unknown]
    return [int(o["entity_id"]) for o in orders if o and o["state"] == "processing"][:count]


async def test_orders_cancelled_or_refunded_before_their_first_sync_are_skipped_by_name(setup: Setup) -> None:
    cancelled, refunded = processing_ids(setup, 2)
    act(setup, cancelled, "cancel")
    act(setup, refunded, "invoice", "refund")
    await setup.sync()
    synced = await setup.sales_orders()
    for order_id, status in ((cancelled, "cancelled"), (refunded, "refunded")):
        assert external_id("magento", "order", str(order_id)) not in synced
        [result] = results(setup, order_id)
        assert result["skipped"] == f"status {status} is not synced"
        assert "left_as_synced" not in result


async def test_orders_cancelled_or_refunded_after_their_sync_keep_their_sales_order(setup: Setup) -> None:
    cancelled, refunded, partly = processing_ids(setup, 3)
    await setup.sync()
    before = await setup.sales_orders()
    act(setup, cancelled, "cancel")
    act(setup, refunded, "invoice", "refund")
    with StateStore(setup.state_path).transaction() as tx:  # one item invoiced, the rest cancelled
        order = tx.get(ORDER, partly)
        assert order is not None
        first = next(i for i in order["items"] if not i.get("parent_item_id"))
        actions.invoice(
            tx, partly, {"items": [{"order_item_id": first["item_id"], "qty": first["qty_ordered"]}]}
        )
        assert actions.cancel(tx, partly) is True
    await setup.sync()
    assert await setup.sales_orders() == before  # nothing rewritten, nothing added
    for order_id, status in ((cancelled, "cancelled"), (refunded, "refunded")):
        latest = results(setup, order_id)[0]
        assert latest["skipped"] == f"status {status} is not synced"
        assert latest["netsuite_id"]
        assert f"was synced before it became {status}" in latest["left_as_synced"]
    # Partly cancelled, Magento keeps the order processing with its ordered totals: nothing to rewrite.
    assert (await setup.store.get_order(str(partly))).status == "processing"
    assert results(setup, partly)[0]["skipped"] == "unchanged"
