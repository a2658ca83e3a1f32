"""TBA signing: OAuth 1.0a, HMAC-SHA256, realm = account id, a fresh nonce on every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from ledgerlink.connectors.netsuite.auth import TokenAuth
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.problems import Code, ProblemError


def _encode(text: str) -> str:
    return quote(text, safe="-._~")


def rfc5849_signature(
    request: httpx.Request, params: dict[str, str], consumer_secret: str, token_secret: str
) -> str:
    """HMAC-SHA256 of the RFC 5849 base string, computed by hand (no oauthlib) from the request received."""
    url = urlsplit(str(request.url))
    default_port = {"http": 80, "https": 443}[url.scheme]
    host = url.hostname or ""
    netloc = host if url.port in (None, default_port) else f"{host}:{url.port}"
    base_uri = f"{url.scheme}://{netloc}{url.path}"
    pairs = [(k, v) for k, v in params.items() if k not in ("realm", "oauth_signature")]
    pairs += parse_qsl(url.query, keep_blank_values=True)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_encode(k), _encode(v)) for k, v in pairs))
    base_string = "&".join([request.method.upper(), _encode(base_uri), _encode(normalized)])
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


async def test_every_request_carries_a_valid_hmac_sha256_signature(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.json({"id": "42", "entityId": "C-42"}))
    await client.get("customer", "42", expand=True, fields=["entityId", "email"])

    request = fake.last
    params = fake.oauth_params(request)
    assert request.headers["Authorization"].startswith('OAuth realm="1234567_SB1"')
    assert params["realm"] == "1234567_SB1"  # the account id as written, not the host slug
    assert request.url.host == "1234567-sb1.suitetalk.api.netsuite.com"
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert params["oauth_version"] == "1.0"
    assert params["oauth_consumer_key"] == fake.secrets[0]
    assert params["oauth_token"] == fake.secrets[2]
    assert "oauth_body_hash" not in params
    assert fake.signature_is_valid(request, fake.secrets[1], fake.secrets[3])
    assert params["oauth_signature"] == rfc5849_signature(request, params, fake.secrets[1], fake.secrets[3])


async def test_signature_covers_query_parameters(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.json({"id": "42"}))
    await client.get("customer", "42", fields=["entityId"])
    request = fake.last
    assert request.url.params["fields"] == "entityId"
    tampered = httpx.Request(
        request.method, request.url.copy_set_param("fields", "email"), headers=request.headers
    )
    assert not fake.signature_is_valid(tampered, fake.secrets[1], fake.secrets[3])


async def test_signature_of_a_sandbox_url_covers_scheme_host_and_port(
    make_client: Callable[..., NetSuiteClient], fake: Any, connection: Any
) -> None:
    sandbox = connection.model_copy(update={"base_url": "http://127.0.0.1:8701/"})
    fake.answer(fake.json({"id": "7"}))
    async with make_client(sandbox) as client:
        await client.get("salesOrder", "7")
    request = fake.last
    assert str(request.url) == "http://127.0.0.1:8701/services/rest/record/v1/salesOrder/7"
    assert fake.signature_is_valid(request, fake.secrets[1], fake.secrets[3])
    moved = httpx.Request(request.method, request.url.copy_with(port=8702), headers=request.headers)
    assert not fake.signature_is_valid(moved, fake.secrets[1], fake.secrets[3])


async def test_nonce_is_fresh_and_timestamp_follows_the_clock(
    client: NetSuiteClient, fake: Any, clock: Any
) -> None:
    fake.otherwise = lambda request: fake.json({"id": "1"})
    for _ in range(3):
        await client.get("customer", "1")
        clock.now += 1
    params = [fake.oauth_params(request) for request in fake.requests]
    assert len({p["oauth_nonce"] for p in params}) == 3
    assert [p["oauth_timestamp"] for p in params] == ["1790000000", "1790000001", "1790000002"]


async def test_wrong_secret_is_refused_by_the_fake_netsuite(
    make_client: Callable[..., NetSuiteClient], fake: Any, connection: Any
) -> None:
    """The fake really checks signatures, so the passing tests above mean something."""
    wrong = connection.model_copy(update={"token_secret": connection.consumer_secret})
    async with make_client(wrong) as client:
        fake.answer(fake.json({"id": "1"}))
        with pytest.raises(ProblemError) as raised:
            await client.get("customer", "1")
    assert raised.value.problem.code == Code.AUTH_FAILED
    assert fake.answers, "the scripted answer was never reached: the fake refused the signature first"


def test_auth_and_client_repr_hide_every_secret(connection: Any) -> None:
    auth = TokenAuth(connection)
    client = NetSuiteClient(connection)
    shown = " ".join([repr(auth), str(auth), repr(client), str(client), repr(vars(auth)), repr(vars(client))])
    for secret in (
        connection.consumer_key.get_secret_value(),
        connection.consumer_secret.get_secret_value(),
        connection.token_id.get_secret_value(),
        connection.token_secret.get_secret_value(),
    ):
        assert secret not in shown
    assert "1234567_SB1" in repr(client)
