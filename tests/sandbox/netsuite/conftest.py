"""Fixtures for the NetSuite emulator tests: a seeded state file, a signing client, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.seed import SeedSummary, seed_netsuite
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

HOST = "https://1234567-sb1.suitetalk.api.netsuite.com"
RECORD = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"


class TokenAuth(httpx.Auth):
    """Signs each request as a NetSuite TBA client does; the knobs let tests sign wrongly on purpose."""

    def __init__(self, **overrides: Any) -> None:
        self.options: dict[str, Any] = {
            "client_key": credentials.NETSUITE_CONSUMER_KEY,
            "client_secret": credentials.NETSUITE_CONSUMER_SECRET,
            "resource_owner_key": credentials.NETSUITE_TOKEN_ID,
            "resource_owner_secret": credentials.NETSUITE_TOKEN_SECRET,
            "signature_method": SIGNATURE_HMAC_SHA256,
            "realm": credentials.NETSUITE_ACCOUNT,
        }
        self.options.update(overrides)

    def header(self, method: str, url: str) -> str:
        _, headers, _ = Client(**self.options).sign(url, http_method=method)
        return str(headers["Authorization"])

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header(request.method, str(request.url))
        yield request


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "netsuite.sqlite"


@pytest.fixture
def seeded(state_path: Path) -> SeedSummary:
    return seed_netsuite(state_path, items=30, customers=5)


def make_client(app: Any, auth: httpx.Auth | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOST, auth=auth or TokenAuth())


@pytest.fixture
def settings() -> NetSuiteSandboxSettings:
    return NetSuiteSandboxSettings()


@pytest.fixture
def app(state_path: Path, seeded: SeedSummary, settings: NetSuiteSandboxSettings) -> Any:
    return create_app(state_path, settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as http:
        yield http


async def suiteql(client: httpx.AsyncClient, q: str, **params: Any) -> httpx.Response:
    return await client.post(SUITEQL, json={"q": q}, params=params, headers={"Prefer": "transient"})


def order_body(summary: SeedSummary, **extra: Any) -> dict[str, Any]:
    """A sales order for the first seeded customer: 2 x SKU-0001 at 10.00 and 1 x SKU-0002 at 5.50."""
    customer_id = next(iter(summary.customer_ids.values()))
    body: dict[str, Any] = {
        "entity": {"id": customer_id},
        "item": {
            "items": [
                {"item": {"id": summary.item_ids["SKU-0001"]}, "quantity": 2, "rate": 10.0},
                {"item": {"id": summary.item_ids["SKU-0002"]}, "quantity": 1, "rate": 5.5},
            ]
        },
    }
    body.update(extra)
    return body


def new_id(response: httpx.Response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(state_path: Path, seeded: SeedSummary) -> Iterator[str]:
    """The emulator served by uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(state_path), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the emulator did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
