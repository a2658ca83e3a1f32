"""The emulated auth service and the scope checks of the project API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ledgerlink.sandbox.commercetools.app import create_app
from ledgerlink.sandbox.commercetools.credentials import CT_CLIENT_ID, CT_CLIENT_SECRET, CT_PROJECT_KEY
from ledgerlink.sandbox.commercetools.seed import seed_orders
from ledgerlink.sandbox.commercetools.settings import CommercetoolsSandboxSettings
from ledgerlink.sandbox.seeding import known_skus

from .conftest import BASE, PROJECT, Clock, basic


async def test_client_credentials_token(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"manage_project:{CT_PROJECT_KEY}"},
        headers=basic(CT_CLIENT_ID, CT_CLIENT_SECRET),
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 172_800
    assert body["scope"] == f"manage_project:{CT_PROJECT_KEY}"


async def test_wrong_secret_is_invalid_client(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(CT_CLIENT_ID, "nope")
    )
    assert response.status_code == 401
    body = response.json()
    assert body["statusCode"] == 401
    assert body["errors"][0]["code"] == "invalid_client"
    assert body["error"] == "invalid_client"


async def test_scope_beyond_the_client_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"manage_orders:{CT_PROJECT_KEY}"},
        headers=basic("reader", "reader-secret"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_scope"


async def test_missing_and_unknown_tokens_are_invalid_token(http: httpx.AsyncClient) -> None:
    missing = await http.get(f"{PROJECT}/orders")
    unknown = await http.get(f"{PROJECT}/orders", headers={"Authorization": "Bearer nope"})
    for response in (missing, unknown):
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "invalid_token"


async def test_expired_token(http: httpx.AsyncClient, token_for: Callable[..., Any], clock: Clock) -> None:
    token = await token_for()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.get(f"{PROJECT}/orders", headers=headers)).status_code == 200
    clock.now += 172_800
    response = await http.get(f"{PROJECT}/orders", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "invalid_token"


async def test_view_scope_reads_but_does_not_write(
    http: httpx.AsyncClient, token_for: Callable[..., Any]
) -> None:
    headers = {"Authorization": f"Bearer {await token_for('reader', 'reader-secret')}"}
    assert (await http.get(f"{PROJECT}/orders", headers=headers)).status_code == 200
    denied = await http.get(f"{PROJECT}/payments", headers=headers)
    assert denied.status_code == 403
    body = denied.json()
    assert body["errors"][0]["code"] == "insufficient_scope"
    assert f"view_payments:{CT_PROJECT_KEY}" in body["message"]
    write = await http.post(f"{PROJECT}/orders/import", json={}, headers=headers)
    assert write.status_code == 403
    assert f"manage_orders:{CT_PROJECT_KEY}" in write.json()["message"]


async def test_store_scope_opens_only_its_store(
    http: httpx.AsyncClient, token_for: Callable[..., Any], state_path: Path
) -> None:
    ids = seed_orders(state_path, 3, skus=known_skus(3))
    headers = {"Authorization": f"Bearer {await token_for('clerk', 'clerk-secret')}"}
    inside = await http.get(f"{PROJECT}/in-store/key=sandbox-store/orders/{ids[0]}", headers=headers)
    assert inside.status_code == 200
    other = await http.get(f"{PROJECT}/in-store/key=other-store/orders", headers=headers)
    assert other.status_code == 403
    project_wide = await http.get(f"{PROJECT}/orders", headers=headers)
    assert project_wide.status_code == 403


async def test_tokens_survive_a_restart(state_path: Path, token_for: Callable[..., Any]) -> None:
    token = await token_for()
    again = create_app(state_path, CommercetoolsSandboxSettings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url=BASE) as client:
        response = await client.get(f"{PROJECT}/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
