"""Fixtures for the WooCommerce emulator tests: in-process clients, a webhook receiver, real servers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import uvicorn
from oauthlib import oauth1
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledgerlink.sandbox.credentials import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET
from ledgerlink.sandbox.woocommerce.app import WooSandbox, create_app
from ledgerlink.sandbox.woocommerce.settings import ApiKey, WooSandboxSettings

HOME = "http://127.0.0.1:8702"
READ_KEY = ApiKey(consumer_key="ck_readonly", consumer_secret="cs_readonly", permissions="read")
BASIC = (WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint that records every request and answers with `status`."""

    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            self.requests.append(Received(dict(request.headers), await request.body()))
            return Response(status_code=self.status)

        return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def settings() -> WooSandboxSettings:
    return WooSandboxSettings(home_url=HOME, extra_keys=[READ_KEY])


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "woo.sqlite"


@pytest.fixture
def app(state_path: Path, settings: WooSandboxSettings, receiver: Receiver) -> Starlette:
    return create_app(state_path, settings, webhook_transport=httpx.ASGITransport(app=receiver.app()))


@pytest.fixture
def sandbox(app: Starlette) -> WooSandbox:
    sandbox: WooSandbox = app.state.sandbox
    return sandbox


@pytest.fixture
async def https(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client over HTTPS (HTTP Basic), the way most integrations connect."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1:8702/wp-json/wc/v3", auth=BASIC
    ) as client:
        yield client


@pytest.fixture
async def plain(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An unauthenticated client over plain HTTP; sign URLs with `oauth_sign`."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOME) as client:
        yield client


def _oauth_sign(
    method: str,
    url: str,
    *,
    key: str = WOO_CONSUMER_KEY,
    secret: str = WOO_CONSUMER_SECRET,
    signature_method: str = oauth1.SIGNATURE_HMAC_SHA256,
    nonce: str | None = None,
    timestamp: str | None = None,
) -> str:
    """A one-legged OAuth 1.0a query-string signature made by oauthlib (independent of the emulator)."""
    client = oauth1.Client(
        key,
        client_secret=secret,
        signature_method=signature_method,
        signature_type=oauth1.SIGNATURE_TYPE_QUERY,
        nonce=nonce,
        timestamp=timestamp,
    )
    signed, _, _ = client.sign(url, http_method=method)
    return str(signed)


@pytest.fixture
def oauth_sign() -> Callable[..., str]:
    """Signs a URL with one-legged OAuth 1.0a in the query string (oauthlib, not the emulator)."""
    return _oauth_sign


@pytest.fixture
def product_payload() -> Callable[..., dict[str, Any]]:
    def make(sku: str = "SKU-1", price: str = "10.00", stock: int = 50) -> dict[str, Any]:
        return {
            "name": f"Product {sku}",
            "sku": sku,
            "regular_price": price,
            "manage_stock": True,
            "stock_quantity": stock,
        }

    return make


_US_ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_1": "1 Main St",
    "city": "Austin",
    "state": "TX",
    "postcode": "73301",
    "country": "US",
    "email": "ada@example.com",
    "phone": "555-0100",
}


@pytest.fixture
def us_address() -> dict[str, str]:
    """A Texas address: the default tax table charges 7.25 % there."""
    return dict(_US_ADDRESS)


def _d(value: str) -> Decimal:
    return Decimal(value)


def _assert_consistent(order: dict[str, Any]) -> None:
    """The arithmetic a connector relies on, checked on one order document."""
    money = [
        order[k]
        for k in (
            "total",
            "total_tax",
            "cart_tax",
            "shipping_total",
            "shipping_tax",
            "discount_total",
            "discount_tax",
        )
    ]
    for line in order["line_items"]:
        money += [line["subtotal"], line["total"], line["subtotal_tax"], line["total_tax"]]
    assert all(isinstance(m, str) and _d(m).as_tuple().exponent == -2 for m in money), money
    lines = order["line_items"]
    assert sum((_d(li["subtotal"]) - _d(li["total"]) for li in lines), Decimal(0)) == _d(
        order["discount_total"]
    )
    line_tax = sum((_d(li["total_tax"]) for li in lines), Decimal(0))
    fee_tax = sum((_d(f["total_tax"]) for f in order["fee_lines"]), Decimal(0))
    assert line_tax + fee_tax == _d(order["cart_tax"])
    assert _d(order["cart_tax"]) + _d(order["shipping_tax"]) == _d(order["total_tax"])
    assert sum((_d(s["total"]) for s in order["shipping_lines"]), Decimal(0)) == _d(order["shipping_total"])
    expected_total = (
        sum((_d(li["total"]) for li in lines), Decimal(0))
        + sum((_d(f["total"]) for f in order["fee_lines"]), Decimal(0))
        + _d(order["shipping_total"])
        + _d(order["total_tax"])
    )
    assert _d(order["total"]) == max(expected_total, Decimal(0))
    assert sum((_d(t["tax_total"]) for t in order["tax_lines"]), Decimal(0)) == _d(order["cart_tax"])
    assert sum((_d(t["shipping_tax_total"]) for t in order["tax_lines"]), Decimal(0)) == _d(
        order["shipping_tax"]
    )
    coupon_total = sum((_d(c["discount"]) for c in order["coupon_lines"]), Decimal(0))
    assert coupon_total == _d(order["discount_total"])


@pytest.fixture
def check_order_consistency() -> Callable[[dict[str, Any]], None]:
    """Asserts the money arithmetic of one order document (totals, taxes, discounts, formats)."""
    return _assert_consistent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    sandbox: WooSandbox
    ca_path: Path | None


def _serve(app: Starlette, port: int, **ssl: Any) -> Iterator[uvicorn.Server]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **ssl)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[RunningServer]:
    """The emulator on a free loopback port over plain HTTP (home URL = that address)."""
    port = free_port()
    settings = WooSandboxSettings(home_url=f"http://127.0.0.1:{port}")
    app = create_app(tmp_path / "served.sqlite", settings)
    for _ in _serve(app, port):
        yield RunningServer(f"http://127.0.0.1:{port}", app.state.sandbox, None)


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[RunningServer]:
    """The emulator over HTTPS with a certificate from a throwaway CA (trustme)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_path, key_path, ca_path = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    ca.cert_pem.write_to_path(str(ca_path))
    port = free_port()
    settings = WooSandboxSettings(home_url=f"https://127.0.0.1:{port}")
    app = create_app(tmp_path / "served.sqlite", settings)
    for _ in _serve(app, port, ssl_certfile=str(cert_path), ssl_keyfile=str(key_path)):
        yield RunningServer(f"https://127.0.0.1:{port}", app.state.sandbox, ca_path)
