"""The orders flow from the commercetools emulator into the NetSuite emulator, both in-process.

The runtime does not wire commercetools connections yet, so the flow is assembled here the way the
runtime assembles it for WooCommerce: queue, links, the NetSuite ERP and the commercetools store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ledgerlink.config import parse_config
from ledgerlink.connectors.commercetools.store import CommercetoolsStore
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.erp import NetSuiteErp
from ledgerlink.connectors.netsuite.translate import external_id
from ledgerlink.engine.links import Links
from ledgerlink.engine.queue import Queue
from ledgerlink.engine.worker import Worker, WorkerStats
from ledgerlink.flows.orders import OrdersFlow
from ledgerlink.sandbox.commercetools.app import create_app as create_ct_app
from ledgerlink.sandbox.commercetools.connection import sandbox_connection
from ledgerlink.sandbox.commercetools.seed import seed_orders, seed_store
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.netsuite.app import create_app as create_netsuite_app
from ledgerlink.sandbox.netsuite.seed import seed_netsuite
from ledgerlink.store.db import open_database

NETSUITE_URL = "http://netsuite.test"
CT_URL = "http://ct.test"
ITEMS = 12


@dataclass
class Setup:
    state: Path
    flow: OrdersFlow
    queue: Queue
    store: CommercetoolsStore
    netsuite: NetSuiteClient

    async def sync(self) -> WorkerStats:
        self.queue.enqueue(self.flow.poll_job())
        worker = Worker(self.queue, self.flow.handlers(), concurrency=4, poll_interval=0.05, role="sync")
        return await worker.run(until_idle=True, idle_horizon=0.5)

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


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    seed_netsuite(tmp_path / "netsuite.db", items=ITEMS, customers=4)
    raw = sandbox_config(database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}", netsuite_url=NETSUITE_URL)
    raw["connections"] = {
        "netsuite": raw["connections"]["netsuite"],
        "ct": sandbox_connection(CT_URL, store_key="sandbox-store"),
    }
    # One flow, ct -> netsuite, with the sandbox's NetSuite mapping (other storefronts' flows left out).
    raw["flows"] = [{**raw["flows"][0], "from": "ct", "to": "netsuite", "webhooks": False}]
    config = parse_config(raw)
    engine = open_database(config.database_url)
    queue, links = Queue(engine), Links(engine)
    netsuite_app = create_netsuite_app(tmp_path / "netsuite.db")
    erp = NetSuiteErp(
        NetSuiteClient(config.connections["netsuite"], transport=httpx.ASGITransport(app=netsuite_app))  # type: ignore[arg-type]
    )
    ct_state = tmp_path / "ct.sqlite"
    ct_app = create_ct_app(ct_state)
    store = CommercetoolsStore(
        "ct",
        config.connections["ct"],  # type: ignore[arg-type]
        transport=httpx.ASGITransport(app=ct_app),
    )
    flow = OrdersFlow(config=config.flows[0], store=store, erp=erp, queue=queue, links=links)
    checker = NetSuiteClient(config.connections["netsuite"], transport=httpx.ASGITransport(app=netsuite_app))  # type: ignore[arg-type]
    yield Setup(ct_state, flow, queue, store, checker)
    await checker.aclose()
    await store.aclose()
    await erp.aclose()
    engine.dispose()


async def _store_totals(setup: Setup, order_ids: list[str]) -> dict[str, Decimal]:
    totals = {}
    for order_id in order_ids:
        order = await setup.store.get_order(order_id)
        if order.status in setup.flow.config.mapping.statuses:
            totals[external_id("ct", "order", order_id)] = order.total.amount
    return totals


async def test_one_sales_order_per_order_with_equal_totals_and_nothing_new_twice(setup: Setup) -> None:
    seeded = seed_store(setup.state, orders=20, products=ITEMS, currency="USD")
    order_ids = [str(i) for i in seeded.order_ids]
    stats = await setup.sync()
    assert stats.failed == 0
    expected = await _store_totals(setup, order_ids)
    assert expected, "the seed should produce orders in synced states"
    assert await setup.sales_orders() == expected
    await setup.sync()
    assert await setup.sales_orders() == expected


async def test_eur_orders_reach_netsuite(setup: Setup) -> None:
    order_ids = seed_orders(
        setup.state, 6, skus=[f"SKU-{n:04d}" for n in range(1, ITEMS + 1)], currency="EUR"
    )
    stats = await setup.sync()
    assert stats.failed == 0
    assert await setup.sales_orders() == await _store_totals(setup, order_ids)


async def test_unknown_sku_is_sku_not_found(setup: Setup) -> None:
    [odd] = seed_orders(setup.state, 1, skus=["NEW-0001"], rng_seed=3, currency="USD")
    await setup.sync()
    failed = setup.queue.find(states=["failed"])
    assert [job.problem["code"] for job in failed if job.problem] == ["SKU_NOT_FOUND"]
    assert "NEW-0001" in failed[0].problem["why"]  # type: ignore[index]
    assert external_id("ct", "order", odd) not in await setup.sales_orders()
