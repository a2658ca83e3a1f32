"""Fixtures for the Magento connector tests: the emulator in-process and connections to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledgerlink.config import MagentoConnection
from ledgerlink.connectors.magento.client import MagentoClient
from ledgerlink.connectors.magento.store import MagentoStore
from ledgerlink.sandbox.magento import credentials as creds
from ledgerlink.sandbox.magento.app import create_app
from ledgerlink.sandbox.magento.seed import seed_orders, seed_products
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.seeding import known_skus

BASE = "http://magento.test"


class Clock:
    """A settable epoch clock for the emulator."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def connection(auth: str = "oauth1", **overrides: Any) -> MagentoConnection:
    fields: dict[str, Any] = {
        "type": "magento",
        "base_url": BASE,
        "auth": auth,
        "consumer_key": creds.MAGENTO_CONSUMER_KEY,
        "consumer_secret": creds.MAGENTO_CONSUMER_SECRET,
        "access_token": creds.MAGENTO_ACCESS_TOKEN,
        "access_token_secret": creds.MAGENTO_ACCESS_TOKEN_SECRET,
        "username": creds.MAGENTO_ADMIN_USERNAME,
        "password": creds.MAGENTO_ADMIN_PASSWORD,
    }
    return MagentoConnection.model_validate({**fields, **overrides})


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "magento.db"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> MagentoSandboxSettings:
    return MagentoSandboxSettings(base_url=BASE)


@pytest.fixture
def app(state_path: Path, settings: MagentoSandboxSettings, clock: Clock) -> FastAPI:
    return create_app(state_path, settings, clock=clock)


@pytest.fixture
def seeded(state_path: Path) -> list[int]:
    seed_products(state_path, known_skus(12))
    return seed_orders(state_path, 30, skus=known_skus(12))


@pytest.fixture
async def make_client(app: FastAPI) -> AsyncIterator[Callable[..., MagentoClient]]:
    made: list[MagentoClient] = []

    def make(auth: str = "oauth1", **overrides: Any) -> MagentoClient:
        client = MagentoClient(connection(auth, **overrides), transport=httpx.ASGITransport(app=app))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def client(make_client: Callable[..., MagentoClient]) -> MagentoClient:
    return make_client()


@pytest.fixture
async def store(app: FastAPI) -> AsyncIterator[MagentoStore]:
    magento = MagentoStore("magento", connection(), transport=httpx.ASGITransport(app=app), page_size=4)
    yield magento
    await magento.aclose()
