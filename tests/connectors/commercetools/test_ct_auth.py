"""Token caching and refresh, and how auth and scope failures reach the operator."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from ledgerlink.engine.problems import Code, ProblemError, Severity
from ledgerlink.sandbox.commercetools.app import CommercetoolsSandbox
from ledgerlink.sandbox.commercetools.credentials import CT_PROJECT_KEY

from .conftest import Backend, Clock


def _sandbox(backend: Backend) -> CommercetoolsSandbox:
    assert backend.app is not None
    found: CommercetoolsSandbox = backend.app.state.sandbox
    return found


async def test_concurrent_calls_fetch_one_token(sandbox: Backend) -> None:
    client = sandbox.client()
    await asyncio.gather(*(client.query("orders", limit=1) for _ in range(10)))
    assert client.tokens.fetches == 1


async def test_token_is_refreshed_five_minutes_before_expiry(sandbox: Backend, clock: Clock) -> None:
    from ledgerlink.connectors.commercetools.client import CommercetoolsClient

    client = CommercetoolsClient(sandbox.connection(), transport=sandbox.transport_factory(), clock=clock)
    sandbox.closers.append(client)
    await client.query("orders", limit=1)
    clock.now += 172_800 - 301
    await client.query("orders", limit=1)
    assert client.tokens.fetches == 1
    clock.now += 2
    await client.query("orders", limit=1)
    assert client.tokens.fetches == 2


async def test_revoked_token_is_refreshed_once(sandbox: Backend) -> None:
    client = sandbox.client()
    await client.query("orders", limit=1)
    with _sandbox(sandbox).store.transaction() as tx:
        tx.revoke_tokens()
    await client.query("orders", limit=1)
    assert client.tokens.fetches == 2


async def test_wrong_secret_is_a_permanent_auth_problem(sandbox: Backend) -> None:
    client = sandbox.client(client_secret=SecretStr("wrong"))
    with pytest.raises(ProblemError) as raised:
        await client.query("orders", limit=1)
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert problem.severity is Severity.PERMANENT
    assert "client_secret" in problem.fix
    assert "wrong" not in str(problem.as_dict())


async def test_missing_scope_is_named(sandbox: Backend) -> None:
    client = sandbox.client(
        client_id=SecretStr("reader"),
        client_secret=SecretStr("reader-secret"),
        scopes=[f"view_orders:{CT_PROJECT_KEY}"],
    )
    await client.query("orders", limit=1)
    with pytest.raises(ProblemError) as raised:
        await client.get_payment("00000000-0000-0000-0000-000000000000")
    problem = raised.value.problem
    assert problem.code == Code.PERMISSION_DENIED
    assert f"view_payments:{CT_PROJECT_KEY}" in problem.fix
    assert problem.details["missing_scope"] == f"view_payments:{CT_PROJECT_KEY}"


async def test_scope_the_client_lacks_is_refused_at_the_token(sandbox: Backend) -> None:
    client = sandbox.client(scopes=[f"manage_everything:{CT_PROJECT_KEY}"])
    with pytest.raises(ProblemError) as raised:
        await client.query("orders", limit=1)
    assert raised.value.problem.code == Code.AUTH_FAILED
    assert "invalid_scope" in raised.value.problem.why


async def test_a_token_refused_twice_is_an_auth_problem(sandbox: Backend) -> None:
    import httpx

    from ledgerlink.connectors.commercetools.client import CommercetoolsClient

    class Refusing(httpx.AsyncBaseTransport):
        """Issues tokens, then refuses every one of them as commercetools does a revoked token."""

        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner, self.api_calls = inner, 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/oauth/token":
                return await self.inner.handle_async_request(request)
            self.api_calls += 1
            body = {
                "statusCode": 401,
                "message": "invalid_token",
                "errors": [{"code": "invalid_token", "message": "invalid_token"}],
                "error": "invalid_token",
            }
            return httpx.Response(401, json=body)

    transport = Refusing(sandbox.transport_factory())
    client = CommercetoolsClient(sandbox.connection(), transport=transport)
    sandbox.closers.append(client)
    with pytest.raises(ProblemError) as raised:
        await client.query("orders", limit=1)
    assert raised.value.problem.code == Code.AUTH_FAILED
    assert transport.api_calls == 2
    assert client.tokens.fetches == 2
