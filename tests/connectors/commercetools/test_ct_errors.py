"""Transient failures, retries and refused writes."""

from __future__ import annotations

import httpx
import pytest

from ledgerlink.connectors.commercetools.client import CommercetoolsClient
from ledgerlink.connectors.commercetools.errors import missing_scope
from ledgerlink.engine.problems import Code, ProblemError, Severity

from .conftest import Backend


class Flaky(httpx.AsyncBaseTransport):
    """Answers the first ``failures`` project API calls with ``status``, then passes requests on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, failures: int, status: int = 503) -> None:
        self.inner, self.failures, self.status = inner, failures, status
        self.calls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/oauth/token":
            self.calls.append(request.method)
            if self.failures > 0:
                self.failures -= 1
                body = {"statusCode": self.status, "message": "Service unavailable", "errors": []}
                return httpx.Response(self.status, json=body, headers={"Retry-After": "0"})
        return await self.inner.handle_async_request(request)


def _client(
    sandbox: Backend, transport: httpx.AsyncBaseTransport, **overrides: object
) -> CommercetoolsClient:
    client = CommercetoolsClient(sandbox.connection(**overrides), transport=transport, retry_delays=(0, 0))
    sandbox.closers.append(client)
    return client


async def test_reads_are_retried_on_503(sandbox: Backend) -> None:
    flaky = Flaky(sandbox.transport_factory(), failures=2)
    page = await _client(sandbox, flaky).query("orders", limit=1)
    assert page.results == []
    assert flaky.calls == ["GET", "GET", "GET"]


async def test_reads_give_up_as_a_transient_problem(sandbox: Backend) -> None:
    flaky = Flaky(sandbox.transport_factory(), failures=5, status=502)
    with pytest.raises(ProblemError) as raised:
        await _client(sandbox, flaky).query("orders", limit=1)
    assert raised.value.problem.severity is Severity.TRANSIENT
    assert raised.value.problem.code == Code.REMOTE_UNAVAILABLE


async def test_rate_limit_is_transient(sandbox: Backend) -> None:
    flaky = Flaky(sandbox.transport_factory(), failures=5, status=429)
    with pytest.raises(ProblemError) as raised:
        await _client(sandbox, flaky).query("orders", limit=1)
    assert raised.value.problem.code == Code.RATE_LIMITED


async def test_writes_are_not_retried(sandbox: Backend) -> None:
    flaky = Flaky(sandbox.transport_factory(), failures=1)
    with pytest.raises(ProblemError) as raised:
        await _client(sandbox, flaky).create("channels", {"key": "dc"})
    assert raised.value.problem.transient
    assert flaky.calls == ["POST"]


async def test_writes_refused_locally_without_allow_writes(sandbox: Backend) -> None:
    client = sandbox.client(allow_writes=False)
    with pytest.raises(ProblemError) as raised:
        await client.create("channels", {"key": "dc"})
    assert raised.value.problem.code == Code.CONFIG_INVALID


async def test_unreachable_is_transient(sandbox: Backend) -> None:
    class Down(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ProblemError) as raised:
        await _client(sandbox, Down()).query("orders", limit=1)
    assert raised.value.problem.transient


async def test_bad_predicate_is_a_validation_problem(sandbox: Backend) -> None:
    with pytest.raises(ProblemError) as raised:
        await sandbox.client().query("orders", where="orderState ~ 1")
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert "InvalidInput" in raised.value.problem.why
    assert raised.value.problem.details["correlation_id"].startswith("projects-")


async def test_query_bounds_are_checked_before_sending(sandbox: Backend) -> None:
    client = sandbox.client()
    with pytest.raises(ValueError):
        await client.query("orders", limit=501)
    with pytest.raises(ValueError):
        await client.query("orders", offset=10_001)


def test_missing_scope_text() -> None:
    message = "Insufficient scope. One of the following scopes is missing: manage_customers."
    assert missing_scope(message) == "manage_customers"
    assert missing_scope("Forbidden") == ""


async def test_emulated_outage_is_retried_then_transient(sandbox: Backend) -> None:
    assert sandbox.app is not None
    faults = sandbox.app.state.sandbox.faults
    faults.fail_next(503, times=2, path_prefix="orders")
    page = await sandbox.client().query("orders", limit=1)
    assert page.results == [] and faults.served == 2
    faults.fail_next(502, times=3)
    with pytest.raises(ProblemError) as raised:
        await sandbox.client().query("orders", limit=1)
    assert raised.value.problem.transient
    assert "BadGateway" in raised.value.problem.why
