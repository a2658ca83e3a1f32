"""Fixtures for the Magento emulator tests: the app in-process and raw clients that sign with oauthlib."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Generator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from oauthlib import oauth1

from ledgerlink.sandbox.magento import credentials as creds
from ledgerlink.sandbox.magento.app import create_app
from ledgerlink.sandbox.magento.seed import seed_orders, seed_products
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.seeding import known_skus

BASE = "http://magento.test"


class OAuth1(httpx.Auth):
    """OAuth 1.0a in the Authorization header, as any standard client signs it."""

    def __init__(self, method: str = oauth1.SIGNATURE_HMAC_SHA256, token_secret: str | None = None) -> None:
        self.client = oauth1.Client(
            creds.MAGENTO_CONSUMER_KEY,
            client_secret=creds.MAGENTO_CONSUMER_SECRET,
            resource_owner_key=creds.MAGENTO_ACCESS_TOKEN,
            resource_owner_secret=token_secret or creds.MAGENTO_ACCESS_TOKEN_SECRET,
            signature_method=method,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _, headers, _ = self.client.sign(str(request.url), http_method=request.method)
        request.headers["Authorization"] = headers["Authorization"]
        yield request


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "magento.db"


@pytest.fixture
def settings() -> MagentoSandboxSettings:
    return MagentoSandboxSettings(base_url=BASE)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(state_path: Path, settings: MagentoSandboxSettings, clock: Clock) -> FastAPI:
    return create_app(state_path, settings, clock=clock)


@pytest.fixture
def seeded(state_path: Path) -> list[int]:
    seed_products(state_path, known_skus(12))
    return seed_orders(state_path, 30, skus=known_skus(12))


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Clients on the app: signed with OAuth 1.0a unless told otherwise; base ``/rest/default/V1``."""
    made: list[httpx.AsyncClient] = []

    def make(auth: httpx.Auth | None = None, prefix: str = "/rest/default/V1") -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE + prefix, auth=auth or OAuth1()
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def api(http: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    return http()
