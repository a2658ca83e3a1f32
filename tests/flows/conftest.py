"""The orders flow against the sandbox, in-process: both emulators and the console as ASGI apps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ledgerlink.config import parse_config
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.console.app import create_console_app
from ledgerlink.engine.worker import WorkerStats
from ledgerlink.operations import sync
from ledgerlink.runtime import Runtime
from ledgerlink.sandbox.commercetools.app import create_app as create_commercetools_app
from ledgerlink.sandbox.commercetools.seed import seed_orders as seed_commercetools_orders
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.magento.app import create_app as create_magento_app
from ledgerlink.sandbox.magento.seed import seed_orders as seed_magento_orders
from ledgerlink.sandbox.magento.seed import seed_products as seed_magento_products
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.netsuite.app import create_app as create_netsuite_app
from ledgerlink.sandbox.netsuite.seed import seed_netsuite
from ledgerlink.sandbox.seeding import known_skus
from ledgerlink.sandbox.woocommerce.app import create_app as create_woo_app
from ledgerlink.sandbox.woocommerce.seed import seed_orders, seed_products
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings

NETSUITE_URL = "http://netsuite.test"
WOO_URL = "http://woo.test"
MAGENTO_URL = "http://magento.test"
COMMERCETOOLS_URL = "http://commercetools.test"
ITEMS = 12


class LateTransport(httpx.AsyncBaseTransport):
    """Routes to a transport chosen after construction (the console needs the runtime first)."""

    def __init__(self) -> None:
        self.target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None
        return await self.target.handle_async_request(request)


class NetworkTransport(httpx.ASGITransport):
    """An in-process app seen as over a network: a connection the server drops is a protocol error,
    exactly what httpx raises when a real server closes the socket without answering."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionError as dropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from dropped


@dataclass
class Sandbox:
    tmp: Path
    runtime: Runtime
    netsuite_app: Starlette
    woo_app: Starlette
    magento_app: Any
    commercetools_app: Any
    console: httpx.AsyncClient  # talks to the console app in-process
    netsuite: NetSuiteClient  # an independent session, for checking what NetSuite holds

    @property
    def woo_state(self) -> Path:
        return self.tmp / "woocommerce.db"

    def seed_orders(self, count: int, *, skus: list[str] | None = None, rng_seed: int = 7) -> list[int]:
        return seed_orders(self.woo_state, count, skus=skus or known_skus(ITEMS), rng_seed=rng_seed)

    def seed_magento_orders(
        self, count: int, *, skus: list[str] | None = None, rng_seed: int = 7, currency: str = "EUR"
    ) -> list[int]:
        return seed_magento_orders(
            self.tmp / "magento.db",
            count,
            skus=skus or known_skus(ITEMS),
            rng_seed=rng_seed,
            currency=currency,
            settings=MagentoSandboxSettings(base_url=MAGENTO_URL),
        )

    def seed_commercetools_orders(
        self, count: int, *, skus: list[str] | None = None, rng_seed: int = 7, currency: str = "USD"
    ) -> list[str]:
        return seed_commercetools_orders(
            self.tmp / "commercetools.db",
            count,
            skus=skus or known_skus(ITEMS),
            rng_seed=rng_seed,
            currency=currency,
        )

    async def sync(self, **kwargs: Any) -> WorkerStats:
        return await sync(self.runtime, idle_horizon=0.5, **kwargs)

    async def work(self) -> WorkerStats:
        return await self.runtime.worker().run(until_idle=True, idle_horizon=0.5)

    async def sales_orders(self) -> dict[str, Decimal]:
        """externalid -> total of every sales order NetSuite holds."""
        rows = [
            r
            async for r in self.netsuite.suiteql(
                "SELECT externalid, foreigntotal FROM transaction WHERE type = 'SalesOrd' ORDER BY id"
            )
        ]
        externals = [str(r["externalid"]) for r in rows]
        assert len(externals) == len(set(externals)), "NetSuite holds a duplicate sales order"
        return {str(r["externalid"]): Decimal(str(r["foreigntotal"])) for r in rows}

    def woo_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.woo_app), base_url=WOO_URL)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    seed_netsuite(tmp_path / "netsuite.db", items=ITEMS, customers=4)
    seed_products(tmp_path / "woocommerce.db", [*known_skus(ITEMS), "NEW-0001"])
    seed_magento_products(tmp_path / "magento.db", [*known_skus(ITEMS), "NEW-0001"])
    commercetools_app = create_commercetools_app(tmp_path / "commercetools.db")
    magento_app = create_magento_app(tmp_path / "magento.db", MagentoSandboxSettings(base_url=MAGENTO_URL))
    late = LateTransport()
    netsuite_app = create_netsuite_app(tmp_path / "netsuite.db")
    woo_app = create_woo_app(
        tmp_path / "woocommerce.db", WooSandboxSettings(home_url=WOO_URL), webhook_transport=late
    )
    config = parse_config(
        sandbox_config(
            database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}",
            netsuite_url=NETSUITE_URL,
            woo_url=WOO_URL,
            magento_url=MAGENTO_URL,
            commercetools_url=COMMERCETOOLS_URL,
        )
    )
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "netsuite": NetworkTransport(app=netsuite_app),
        "woo": httpx.ASGITransport(app=woo_app),
        "magento": httpx.ASGITransport(app=magento_app),
        "ct": httpx.ASGITransport(app=commercetools_app),
    }
    runtime = Runtime(config, transports=transports)
    console_app = create_console_app(runtime)
    late.target = httpx.ASGITransport(app=console_app)
    netsuite = NetSuiteClient(config.connections["netsuite"], transport=httpx.ASGITransport(app=netsuite_app))  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=console_app), base_url="http://console.test"
    ) as c:
        yield Sandbox(tmp_path, runtime, netsuite_app, woo_app, magento_app, commercetools_app, c, netsuite)
    await netsuite.aclose()
    await runtime.aclose()
