"""Fixtures for the commercetools emulator tests: the app in-process, tokens, seeded content."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledgerlink.sandbox.commercetools.app import CommercetoolsSandbox, create_app
from ledgerlink.sandbox.commercetools.credentials import CT_CLIENT_ID, CT_CLIENT_SECRET, CT_PROJECT_KEY
from ledgerlink.sandbox.commercetools.settings import ApiClient, CommercetoolsSandboxSettings

BASE = "http://ct.test"
PROJECT = f"/{CT_PROJECT_KEY}"
READER = ApiClient(client_id="reader", client_secret="reader-secret", permissions=("view_orders",))
STORE_CLERK = ApiClient(
    client_id="clerk",
    client_secret="clerk-secret",
    permissions=(),
    store_scopes=(("manage_orders", "sandbox-store"),),
)


@dataclass
class Clock:
    """Seconds since the epoch, moved by hand."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "ct.sqlite"


@pytest.fixture
def settings() -> CommercetoolsSandboxSettings:
    return CommercetoolsSandboxSettings(extra_clients=[READER, STORE_CLERK])


@pytest.fixture
def app(state_path: Path, settings: CommercetoolsSandboxSettings, clock: Clock) -> FastAPI:
    return create_app(state_path, settings, clock=clock)


@pytest.fixture
def sandbox(app: FastAPI) -> CommercetoolsSandbox:
    found: CommercetoolsSandbox = app.state.sandbox
    return found


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
def token_for(http: httpx.AsyncClient) -> Callable[..., Any]:
    async def fetch(client_id: str = CT_CLIENT_ID, secret: str = CT_CLIENT_SECRET, scope: str = "") -> str:
        form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        response = await http.post("/oauth/token", data=form, headers=basic(client_id, secret))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    return fetch


@pytest.fixture
async def api(http: httpx.AsyncClient, token_for: Callable[..., Any]) -> httpx.AsyncClient:
    """The project API with a manage_project token in every request."""
    http.headers["Authorization"] = f"Bearer {await token_for()}"
    return http
