"""Two commercetools backends for the client tests: our emulator and Lab Digital's ``commercetools.testing``.

The emulator runs in-process (``httpx.ASGITransport``). The ``commercetools`` SDK's testing backend
is a requests-mock matcher set with a WSGI wrapper (``commercetools.testing.server.Server``); our
client speaks httpx, so that wrapper is served over HTTP on a free loopback port from a thread. Its
WSGI wrapper passes the query string twice (once in the URL, once as ``params``), which turns every
parameter into a pair; :class:`LabServer` builds the request once. Lab's backend answers only for the
host names it knows, so it is reached as ``localhost``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ledgerlink.config import CommercetoolsConnection
from ledgerlink.connectors.commercetools.client import CommercetoolsClient
from ledgerlink.connectors.commercetools.store import CommercetoolsStore
from ledgerlink.sandbox.commercetools.app import create_app
from ledgerlink.sandbox.commercetools.credentials import CT_CLIENT_ID, CT_CLIENT_SECRET, CT_PROJECT_KEY
from ledgerlink.sandbox.commercetools.settings import ApiClient, CommercetoolsSandboxSettings

SANDBOX_URL = "http://ct.test"


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    """One commercetools to test against, and how to reach it."""

    name: str
    url: str
    project_key: str
    transport_factory: Any  # () -> httpx.AsyncBaseTransport | None
    app: FastAPI | None = None
    closers: list[Any] = field(default_factory=list)

    def connection(self, **overrides: Any) -> CommercetoolsConnection:
        values: dict[str, Any] = {
            "type": "commercetools",
            "project_key": self.project_key,
            "api_url": self.url,
            "auth_url": self.url,
            "client_id": SecretStr(CT_CLIENT_ID),
            "client_secret": SecretStr(CT_CLIENT_SECRET),
            "scopes": [f"manage_project:{self.project_key}"],
        }
        values.update(overrides)
        return CommercetoolsConnection(**values)

    def client(self, **overrides: Any) -> CommercetoolsClient:
        client = CommercetoolsClient(
            self.connection(**overrides), transport=self.transport_factory(), retry_delays=(0.01, 0.01)
        )
        self.closers.append(client)
        return client

    def store(self, name: str = "ct", *, page_size: int = 500, **overrides: Any) -> CommercetoolsStore:
        store = CommercetoolsStore(
            name, self.connection(**overrides), transport=self.transport_factory(), page_size=page_size
        )
        self.closers.append(store)
        return store


def _money(cents: int) -> dict[str, Any]:
    return {"currencyCode": "EUR", "centAmount": cents}


async def create_product(client: CommercetoolsClient, sku: str, cents: int = 1000) -> dict[str, Any]:
    draft = {
        "productType": {"typeId": "product-type", "id": "00000000-0000-0000-0000-000000000001"},
        "name": {"en": f"Product {sku}"},
        "slug": {"en": sku.lower()},
        "masterVariant": {"sku": sku, "prices": [{"value": _money(cents)}]},
        "publish": True,
    }
    return await client.create("products", draft)


async def import_order(
    client: CommercetoolsClient,
    number: str,
    lines: list[tuple[str, int, int]],
    *,
    tax_cents: int = 0,
    net_cents: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``POST /orders/import`` of an order with (sku, unit cents, quantity) lines, net prices plus
    ``tax_cents`` of tax, paid in full. ``net_cents`` states another net total than the lines' sum
    (commercetools keeps the totals an import states); ``extra`` adds draft fields."""
    net = sum(cents * quantity for _, cents, quantity in lines) if net_cents is None else net_cents
    draft = {
        "orderNumber": number,
        "customerEmail": f"{number.lower()}@example.com",
        "lineItems": [
            {
                "name": {"en": sku},
                "variant": {"sku": sku},
                "price": {"value": _money(cents)},
                "quantity": quantity,
            }
            for sku, cents, quantity in lines
        ],
        "customLineItems": [],
        "totalPrice": _money(net),
        "taxedPrice": {
            "totalNet": _money(net),
            "totalGross": _money(net + tax_cents),
            "taxPortions": [{"rate": 0.19, "amount": _money(tax_cents), "name": "VAT"}],
        },
        "orderState": "Open",
        **extra,
    }
    return await client.create("orders/import", draft)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def lab_server() -> Iterator[str]:
    """Lab Digital's commercetools testing backend over HTTP; answers the base URL."""
    import requests
    import webob
    from commercetools.testing.server import Server

    class LabServer(Server):
        def _create_request(self, environ: dict[str, Any]) -> requests.Request:
            request = webob.Request(environ)
            request.make_body_seekable()
            return requests.Request(
                method=request.method, url=request.url, headers=request.headers, data=request.body
            )

    port = free_port()
    server = make_server("127.0.0.1", port, LabServer(), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox_app(tmp_path: Path, clock: Clock) -> FastAPI:
    reader = ApiClient(client_id="reader", client_secret="reader-secret", permissions=("view_orders",))
    return create_app(
        tmp_path / "ct.sqlite", CommercetoolsSandboxSettings(extra_clients=[reader]), clock=clock
    )


@pytest.fixture
def sandbox_backend(sandbox_app: FastAPI) -> Backend:
    return Backend(
        "sandbox", SANDBOX_URL, CT_PROJECT_KEY, lambda: httpx.ASGITransport(app=sandbox_app), app=sandbox_app
    )


@pytest.fixture(params=["sandbox", "labdigital"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> AsyncIterator[Backend]:
    """Each client test runs against both backends."""
    if request.param == "sandbox":
        found: Backend = request.getfixturevalue("sandbox_backend")
    else:
        url = request.getfixturevalue("lab_server")
        found = Backend("labdigital", url, "lab-project", lambda: None)
    yield found
    for closer in found.closers:
        await closer.aclose()


@pytest.fixture
async def sandbox(sandbox_backend: Backend) -> AsyncIterator[Backend]:
    """Only our emulator: for what Lab's backend does not model (scopes, token expiry, stores)."""
    yield sandbox_backend
    for closer in sandbox_backend.closers:
        await closer.aclose()
