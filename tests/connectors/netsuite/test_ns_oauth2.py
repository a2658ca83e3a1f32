"""OAuth 2.0 client credentials in the client: the assertion, token caching and renewal, and the
emulator accepting the client's bearer tokens end to end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ledgerlink.config import ConfigError, NetSuiteConnection
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.oauth2 import ClientCredentialsAuth
from ledgerlink.engine.problems import Code, ProblemError
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.sandbox_keys import (
    SANDBOX_CERTIFICATE_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_PRIVATE_KEY_PEM,
    SANDBOX_PUBLIC_KEY_PEM,
    write_sandbox_private_key,
)
from ledgerlink.sandbox.netsuite.seed import seed_netsuite
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

from .conftest import ACCOUNT, HOST_URL, Clock

TOKEN_URL = f"{HOST_URL}/services/rest/auth/oauth2/v1/token"


def oauth2_connection(**overrides: Any) -> NetSuiteConnection:
    values: dict[str, Any] = {
        "type": "netsuite",
        "account": ACCOUNT,
        "base_url": HOST_URL,
        "auth": "oauth2",
        "client_id": SANDBOX_CLIENT_ID,
        "certificate_id": SANDBOX_CERTIFICATE_ID,
        "private_key": SANDBOX_PRIVATE_KEY_PEM,
        "timeout_seconds": 5,
        "concurrency": 4,
    }
    return NetSuiteConnection.model_validate(values | overrides)


class FakeAuthServer:
    """A token endpoint and a REST service that accepts only the tokens it issued and did not revoke."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.token_answers: list[httpx.Response] = []
        self.assertions: list[str] = []
        self.api_calls = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        if request.url.path.endswith("/oauth2/v1/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.assertions.append(form["client_assertion"])
            if self.token_answers:
                return self.token_answers.pop(0)
            token = f"token-{len(self.issued) + 1}"
            self.issued.append(token)
            return httpx.Response(
                200, json={"access_token": token, "expires_in": "3600", "token_type": "bearer"}
            )
        self.api_calls += 1
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.issued and token not in self.revoked:
            return httpx.Response(200, json={"id": "1"})
        body = {
            "title": "Unauthorized",
            "status": 401,
            "o:errorDetails": [{"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}],
        }
        return httpx.Response(401, content=json.dumps(body).encode())


@pytest.fixture
def server() -> FakeAuthServer:
    return FakeAuthServer()


def fake_client(server: FakeAuthServer, clock: Clock, **overrides: Any) -> NetSuiteClient:
    return NetSuiteClient(oauth2_connection(**overrides), transport=httpx.MockTransport(server), clock=clock)


def test_the_assertion_carries_what_netsuite_asks_for(clock: Clock) -> None:
    auth = ClientCredentialsAuth(oauth2_connection(scopes=["rest_webservices", "restlets"]), clock=clock)
    token = auth.assertion()
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "PS256", "kid": SANDBOX_CERTIFICATE_ID, "typ": "JWT"}
    claims = jwt.decode(
        token,
        SANDBOX_PUBLIC_KEY_PEM,
        algorithms=["PS256"],
        audience=TOKEN_URL,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == SANDBOX_CLIENT_ID
    assert claims["scope"] == ["rest_webservices", "restlets"]
    assert claims["iat"] == int(clock.now) and 0 < claims["exp"] - claims["iat"] < 3600
    assert SANDBOX_PRIVATE_KEY_PEM not in repr(auth) and "PRIVATE" not in repr(auth)


async def test_one_token_serves_many_requests_and_concurrent_ones_share_the_fetch(
    server: FakeAuthServer, clock: Clock
) -> None:
    async with fake_client(server, clock) as client:
        await asyncio.gather(*(client.get("customer", "1") for _ in range(6)))
        await client.get("customer", "1")
    assert server.issued == ["token-1"] and server.api_calls == 7


async def test_the_token_is_renewed_five_minutes_before_it_expires(
    server: FakeAuthServer, clock: Clock
) -> None:
    async with fake_client(server, clock) as client:
        await client.get("customer", "1")
        clock.now += 3600 - 301
        await client.get("customer", "1")
        assert server.issued == ["token-1"]
        clock.now += 2
        await client.get("customer", "1")
    assert server.issued == ["token-1", "token-2"]


async def test_a_401_fetches_a_new_token_once_and_repeats(server: FakeAuthServer, clock: Clock) -> None:
    async with fake_client(server, clock) as client:
        await client.get("customer", "1")
        server.revoked.add("token-1")
        assert await client.get("customer", "1") == {"id": "1"}
        assert server.issued == ["token-1", "token-2"]
        server.revoked.add("token-2")
        server.issued.append("never-valid")  # the next fetch gets a token NetSuite then refuses
        server.revoked.add("token-4")
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert "certificate_id" in problem.fix and "OAuth 2.0 Client Credentials (M2M) Setup" in problem.fix


async def test_a_refused_assertion_is_an_auth_problem_naming_what_to_check(
    server: FakeAuthServer, clock: Clock
) -> None:
    server.token_answers.append(httpx.Response(400, json={"error": "invalid_grant"}))
    async with fake_client(server, clock) as client:
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert problem.details["oauth_error"] == "invalid_grant"
    assert "certificate_id" in problem.fix and "private_key_file" in problem.fix
    server.token_answers.append(httpx.Response(400, json={"error": "invalid_client"}))
    async with fake_client(server, clock) as client:
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    assert "client_id" in raised.value.problem.fix
    server.token_answers.append(httpx.Response(503, text="down"))
    async with fake_client(server, clock) as client:
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    assert raised.value.problem.code == Code.REMOTE_UNAVAILABLE and raised.value.problem.transient


def test_a_missing_key_file_is_a_config_problem(tmp_path: Path) -> None:
    connection = oauth2_connection(private_key=None, private_key_file=tmp_path / "nope.pem")
    with pytest.raises(ProblemError) as raised:
        ClientCredentialsAuth(connection)
    assert raised.value.problem.code == Code.CONFIG_INVALID


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"auth": "oauth2"}, "auth oauth2 needs client_id"),
        ({"auth": "oauth2", "client_id": "c"}, "certificate_id"),
        ({"auth": "oauth2", "client_id": "c", "certificate_id": "k"}, "private_key_file"),
        ({"consumer_key": "a", "consumer_secret": "b", "token_id": "c"}, "auth tba needs token_secret"),
        (
            {"auth": "oauth2", "client_id": "c", "certificate_id": "k", "private_key": "x", "scopes": []},
            "scope",
        ),
    ],
)
def test_the_connection_names_the_missing_credentials(values: dict[str, Any], message: str) -> None:
    with pytest.raises((ValueError, ConfigError), match=message):
        NetSuiteConnection.model_validate({"type": "netsuite", "account": ACCOUNT, **values})


# -- end to end against the emulator ----------------------------------------------------------------------


@pytest.fixture
async def emulated(tmp_path: Path) -> AsyncIterator[tuple[NetSuiteClient, Any]]:
    state = tmp_path / "netsuite.sqlite"
    seed_netsuite(state, items=3, customers=2)
    app = create_app(state)
    key_file = write_sandbox_private_key(tmp_path / "keys" / "netsuite.pem")
    connection = oauth2_connection(
        private_key=None, private_key_file=key_file, scopes=["rest_webservices", "restlets"]
    )
    async with NetSuiteClient(connection, transport=httpx.ASGITransport(app=app)) as client:
        yield client, app


async def test_client_and_emulator_speak_oauth2(emulated: tuple[NetSuiteClient, Any]) -> None:
    client, _ = emulated
    customer_id = await client.upsert("customer", "oauth-1", {"isPerson": False, "companyName": "OAuth Ltd"})
    record = await client.get("customer", customer_id)
    assert record["companyName"] == "OAuth Ltd"
    rows = [row async for row in client.suiteql("SELECT id FROM customer ORDER BY id")]
    assert len(rows) == 3
    echoed = await client.call_restlet(1, 1, "POST", {"hello": "world"})
    assert echoed == {"method": "POST", "params": {}, "body": {"hello": "world"}}
    auth = client._http.auth
    assert isinstance(auth, ClientCredentialsAuth) and auth.fetches == 1


async def test_an_ec_certificate_signs_es256(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    state = tmp_path / "netsuite.sqlite"
    seed_netsuite(state, items=1, customers=1)
    app = create_app(state, NetSuiteSandboxSettings(oauth2_certificates={"ec-1": public}))
    connection = oauth2_connection(private_key=private, certificate_id="ec-1", jwt_algorithm="ES256")
    async with NetSuiteClient(connection, transport=httpx.ASGITransport(app=app)) as client:
        assert len([row async for row in client.suiteql("SELECT id FROM customer ORDER BY id")]) == 1
    wrong = oauth2_connection(private_key=private, certificate_id="ec-1", jwt_algorithm="PS256")
    async with NetSuiteClient(wrong, transport=httpx.ASGITransport(app=app)) as client:
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    assert raised.value.problem.code == Code.CONFIG_INVALID and "jwt_algorithm" in raised.value.problem.fix
