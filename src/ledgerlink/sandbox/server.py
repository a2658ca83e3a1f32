"""Serving the emulators on loopback: in the foreground (``ledgerlink sandbox serve``) or in a
background thread (the demo and end-to-end tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.commercetools.app import create_app as create_commercetools_app
from ledgerlink.sandbox.commercetools.credentials import CT_PORT
from ledgerlink.sandbox.magento.app import create_app as create_magento_app
from ledgerlink.sandbox.magento.credentials import MAGENTO_PORT
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.netsuite.app import create_app as create_netsuite_app
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings, load_settings
from ledgerlink.sandbox.woocommerce.app import create_app as create_woo_app
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass
class SandboxPlan:
    state_dir: Path
    netsuite_port: int = credentials.NETSUITE_PORT
    woo_port: int = credentials.WOO_PORT
    magento_port: int = MAGENTO_PORT
    commercetools_port: int = CT_PORT
    netsuite_latency: float = 0.0
    netsuite_concurrency: int = 5
    netsuite_settings: Path | None = None  # YAML/JSON settings file: tier, latency model, faults

    @property
    def netsuite_url(self) -> str:
        return f"http://{LOOPBACK}:{self.netsuite_port}"

    @property
    def woo_url(self) -> str:
        return f"http://{LOOPBACK}:{self.woo_port}"

    @property
    def magento_url(self) -> str:
        return f"http://{LOOPBACK}:{self.magento_port}"

    @property
    def commercetools_url(self) -> str:
        return f"http://{LOOPBACK}:{self.commercetools_port}"

    @property
    def netsuite_state(self) -> Path:
        return self.state_dir / "netsuite.db"

    @property
    def woo_state(self) -> Path:
        return self.state_dir / "woocommerce.db"

    @property
    def magento_state(self) -> Path:
        return self.state_dir / "magento.db"

    @property
    def commercetools_state(self) -> Path:
        return self.state_dir / "commercetools.db"

    def apps(self) -> list[tuple[Any, int]]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        settings = (
            load_settings(self.netsuite_settings)
            if self.netsuite_settings
            else NetSuiteSandboxSettings(
                latency_seconds=self.netsuite_latency, concurrency_limit=self.netsuite_concurrency
            )
        )
        netsuite = create_netsuite_app(self.netsuite_state, settings)
        woo = create_woo_app(self.woo_state, WooSandboxSettings(home_url=self.woo_url))
        magento = create_magento_app(self.magento_state, MagentoSandboxSettings(base_url=self.magento_url))
        commercetools = create_commercetools_app(self.commercetools_state)
        return [
            (netsuite, self.netsuite_port),
            (woo, self.woo_port),
            (magento, self.magento_port),
            (commercetools, self.commercetools_port),
        ]


def _servers(plan: SandboxPlan) -> list[uvicorn.Server]:
    return [
        uvicorn.Server(uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning", lifespan="on"))
        for app, port in plan.apps()
    ]


async def serve(plan: SandboxPlan) -> None:
    """Run until interrupted."""
    await asyncio.gather(*(server.serve() for server in _servers(plan)))


@dataclass
class BackgroundSandbox:
    """The emulators on real loopback ports in a thread of their own, for the demo and e2e tests."""

    plan: SandboxPlan
    _servers: list[uvicorn.Server] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def __enter__(self) -> BackgroundSandbox:
        self._servers = _servers(self.plan)

        # uvicorn installs signal handlers only on the main thread, so this thread leaves them alone.
        def run() -> None:
            asyncio.run(self._serve_all())

        self._thread = threading.Thread(target=run, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not all(s.started for s in self._servers):
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the sandbox did not start (is a port in use?)")
            time.sleep(0.02)
        return self

    async def _serve_all(self) -> None:
        await asyncio.gather(*(server.serve() for server in self._servers))

    def __exit__(self, *_exc: object) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)
