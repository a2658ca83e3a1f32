"""OAuth 2.0 client credentials (M2M): the token endpoint, bearer tokens on REST, SuiteQL and RESTlets."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ledgerlink.config import NetSuiteConnection
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.sandbox_keys import (
    SANDBOX_CERTIFICATE_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_PRIVATE_KEY_PEM,
)
from ledgerlink.sandbox.netsuite.seed import SeedSummary
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

from .conftest import HOST, RECORD, SUITEQL

TOKEN_URL = f"{HOST}/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(
    *,
    key: Any = SANDBOX_PRIVATE_KEY_PEM,
    algorithm: str = "PS256",
    kid: str | None = SANDBOX_CERTIFICATE_ID,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": SANDBOX_CLIENT_ID,
        "scope": "rest_webservices,restlets",
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 3000,
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


async def request_token(http: httpx.AsyncClient, client_assertion: str, **form: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion,
    }
    data.update(form)
    return await http.post(TOKEN_URL, data=data)


@pytest.fixture
async def anonymous(app: Any) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOST) as http:
        yield http


async def test_token_endpoint_issues_a_bearer_token(anonymous: httpx.AsyncClient) -> None:
    response = await request_token(anonymous, assertion())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and int(body["expires_in"]) == 3600
    assert response.headers["cache-control"] == "no-store"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    listed = await anonymous.get(f"{RECORD}/customer", headers=bearer)
    assert listed.status_code == 200 and listed.json()["totalResults"] == 5
    rows = await anonymous.post(
        SUITEQL, json={"q": "SELECT id FROM customer"}, headers=bearer | {"Prefer": "transient"}
    )
    assert rows.status_code == 200 and rows.json()["count"] == 5
    echoed = await anonymous.get("/app/site/hosting/restlet.nl?script=1&deploy=1&x=1", headers=bearer)
    assert echoed.status_code == 200 and echoed.json()["params"] == {"x": "1"}


async def test_scope_array_and_es256_are_accepted(state_path: Any, seeded: SeedSummary) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings = NetSuiteSandboxSettings(oauth2_certificates={"ec-cert": public.decode()})
    app = create_app(state_path, settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOST) as http:
        signed = assertion(key=key, algorithm="ES256", kid="ec-cert", scope=["rest_webservices"])
        response = await request_token(http, signed)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: assertion(algorithm="RS256"), "invalid_grant"),
        (lambda: assertion(kid="no-such-certificate"), "invalid_grant"),
        (lambda: assertion(kid=None), "invalid_grant"),
        (lambda: assertion(iss="someone-else"), "invalid_client"),
        (lambda: assertion(aud="https://elsewhere.example/token"), "invalid_grant"),
        (lambda: assertion(iat=int(time.time()) - 8000, exp=int(time.time()) - 4000), "invalid_grant"),
        (lambda: assertion(exp=int(time.time()) + 7200), "invalid_grant"),
        (lambda: assertion(scope="everything"), "invalid_scope"),
        (lambda: assertion(scope=None), "invalid_request"),
        (lambda: "not-a-jwt", "invalid_request"),
    ],
)
async def test_bad_assertions_are_refused(anonymous: httpx.AsyncClient, make: Any, error: str) -> None:
    response = await request_token(anonymous, make())
    assert response.status_code == 400
    assert response.json()["error"] == error


async def test_assertion_signed_with_another_key_is_refused(anonymous: httpx.AsyncClient) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    response = await request_token(anonymous, assertion(key=other, algorithm="ES256"))
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_wrong_grant_type_is_refused(anonymous: httpx.AsyncClient) -> None:
    response = await request_token(anonymous, assertion(), grant_type="password")
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


async def test_unknown_expired_or_out_of_scope_bearer_gets_401(
    app: Any, anonymous: httpx.AsyncClient
) -> None:
    unknown = await anonymous.get(f"{RECORD}/customer", headers={"Authorization": "Bearer nonsense"})
    assert unknown.status_code == 401
    assert unknown.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    restlets_only = (await request_token(anonymous, assertion(scope="restlets"))).json()["access_token"]
    refused = await anonymous.get(f"{RECORD}/customer", headers={"Authorization": f"Bearer {restlets_only}"})
    assert refused.status_code == 401
    server = app.state.sandbox.verifier.oauth2
    token = (await request_token(anonymous, assertion())).json()["access_token"]
    server.verify_bearer(token, "rest_webservices", time.time())  # valid now
    with pytest.raises(Exception, match="INVALID_LOGIN"):
        server.verify_bearer(token, "rest_webservices", time.time() + 3601)  # and not after 60 minutes


async def test_ledgerlink_client_over_a_real_socket_with_oauth2(
    live_server: str, seeded: SeedSummary
) -> None:
    connection = NetSuiteConnection.model_validate(
        {
            "type": "netsuite",
            "account": "1234567_SB1",
            "base_url": live_server,
            "auth": "oauth2",
            "client_id": SANDBOX_CLIENT_ID,
            "certificate_id": SANDBOX_CERTIFICATE_ID,
            "private_key": SANDBOX_PRIVATE_KEY_PEM,
            "scopes": ["rest_webservices", "restlets"],
        }
    )
    async with NetSuiteClient(connection) as client:
        created = await client.upsert("customer", "live-oauth", {"isPerson": False, "companyName": "Live"})
        assert (await client.get("customer", "eid:live-oauth"))["id"] == created
        assert (await client.call_restlet("1", "1", params={"k": "v"}))["params"] == {"k": "v"}
