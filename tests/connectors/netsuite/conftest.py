"""Fixtures for the NetSuite client: a connection, and a fake NetSuite behind ``httpx.MockTransport``.

The fake checks every request's TBA signature the way NetSuite does (HMAC-SHA256 over the RFC 5849 base
string, realm = account id, nonces never reused) and answers 401 INVALID_LOGIN otherwise, so every test
also exercises the signing. Answers are scripted per test.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import deque
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from ledgerlink.config import NetSuiteConnection
from ledgerlink.connectors.netsuite.client import NetSuiteClient

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
DERIVED = SHARED / "specs" / "netsuite" / "netsuite-record-v1-2026.1-key-records.DERIVED.json"

ACCOUNT = "1234567_SB1"
HOST_URL = "https://1234567-sb1.suitetalk.api.netsuite.com"
CONSUMER_KEY = "ck0f4e3a9d1b7c2e5f8a6b4d0c9e1f3a7b5d2c8e6f4a0b9d1c3e5f7a2b4c6d8e0"
CONSUMER_SECRET = "cs7d9f1b3e5a8c0d2f4b6e8a1c3d5f7b9e0a2c4d6f8b1e3a5c7d9f0b2d4e6a8c1"
TOKEN_ID = "tk3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5"
TOKEN_SECRET = "ts9e1c3a5f7d9b1e3c5a7f9d1b3e5c7a9f1d3b5e7c9a1f3d5b7e9c1a3f5d7b9e1"
SECRETS = (CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET)
ERROR_TYPE = "application/vnd.oracle.resource+json; type=error"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def make_connection(**overrides: Any) -> NetSuiteConnection:
    values: dict[str, Any] = {
        "type": "netsuite",
        "account": ACCOUNT,
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
        "token_id": TOKEN_ID,
        "token_secret": TOKEN_SECRET,
        "timeout_seconds": 5,
        "concurrency": 3,
    }
    return NetSuiteConnection.model_validate(values | overrides)


def oauth_params(request: httpx.Request) -> dict[str, str]:
    """The parameters of the request's ``Authorization: OAuth ...`` header (decoded), realm included."""
    return {
        key: unquote(value) for key, value in parse_authorization_header(request.headers["Authorization"])
    }


def signature_is_valid(request: httpx.Request, consumer_secret: str, token_secret: str) -> bool:
    """Recompute the HMAC-SHA256 signature from the request as received, with oauthlib's primitives."""
    header = request.headers["Authorization"]
    params = signature.collect_parameters(
        uri_query=request.url.query.decode(), headers={"Authorization": header}, with_realm=False
    )
    received = OAuthRequest(str(request.url), request.method, headers={"Authorization": header})
    received.params = params
    received.signature = oauth_params(request)["oauth_signature"]
    return bool(signature.verify_hmac_sha256(received, consumer_secret, token_secret))


def ns_error(
    status: int,
    code: str,
    detail: str,
    *,
    path: str | None = None,
    headers: dict[str, str] | None = None,
    title: str = "Bad Request",
) -> httpx.Response:
    """An nsError answer as NetSuite writes it."""
    entry: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path:
        entry["o:errorPath"] = path
    body = {
        "type": f"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.{status - 399}",
        "title": title,
        "status": status,
        "o:errorDetails": [entry],
    }
    return httpx.Response(
        status, headers={"Content-Type": ERROR_TYPE, **(headers or {})}, content=json.dumps(body).encode()
    )


def no_content(location: str | None = None) -> httpx.Response:
    """NetSuite's answer to a successful write: 204, and for creates and upserts a Location header."""
    return httpx.Response(204, headers={"Location": location} if location else {})


def record_url(record_type: str, record_id: str, base: str = HOST_URL) -> str:
    return f"{base}/services/rest/record/v1/{record_type}/{record_id}"


def json_answer(payload: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=payload)


def suiteql_answer(
    rows: list[dict[str, Any]], *, has_more: bool, offset: int = 0, total: int | None = None
) -> httpx.Response:
    """The SuiteQL collection envelope; each row carries ``links`` as NetSuite's do."""
    return json_answer(
        {
            "links": [{"rel": "self", "href": f"{HOST_URL}/services/rest/query/v1/suiteql"}],
            "count": len(rows),
            "hasMore": has_more,
            "items": [{"links": [], **row} for row in rows],
            "offset": offset,
            "totalResults": total if total is not None else offset + len(rows) + (1000 if has_more else 0),
        }
    )


class FakeNetSuite:
    """Answers scripted with :meth:`answer`, after checking TBA like NetSuite; records what it saw."""

    def __init__(self, connection: NetSuiteConnection) -> None:
        self.consumer_secret = connection.consumer_secret.get_secret_value()
        self.token_secret = connection.token_secret.get_secret_value()
        self.realm = connection.account
        self.answers: deque[Answer] = deque()
        self.otherwise: Callable[[httpx.Request], httpx.Response] | None = None
        self.requests: list[httpx.Request] = []
        self.nonces: set[str] = set()
        self.latency = 0.0
        self.in_flight = 0
        self.peak_in_flight = 0

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def _auth_failure(self, request: httpx.Request) -> httpx.Response | None:
        if not request.headers.get("Authorization", "").startswith("OAuth "):
            return ns_error(401, "INVALID_LOGIN", "Invalid login attempt.", title="Unauthorized")
        params = oauth_params(request)
        nonce = params.get("oauth_nonce", "")
        valid = (
            params.get("realm") == self.realm
            and params.get("oauth_signature_method") == "HMAC-SHA256"
            and nonce not in self.nonces
            and signature_is_valid(request, self.consumer_secret, self.token_secret)
        )
        self.nonces.add(nonce)
        if valid:
            return None
        return ns_error(401, "INVALID_LOGIN", "Invalid login attempt.", title="Unauthorized")

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
            self.requests.append(request)
            refused = self._auth_failure(request)
            if refused is not None:
                return refused
            answer: Answer
            if self.answers:
                answer = self.answers.popleft()
            elif self.otherwise is not None:
                answer = self.otherwise
            else:
                raise AssertionError(f"unexpected request {request.method} {request.url}")
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, httpx.Response):
                return answer
            return answer(request)
        finally:
            self.in_flight -= 1

    # Answer builders and checks, reachable from tests through the ``fake`` fixture.
    error = staticmethod(ns_error)
    no_content = staticmethod(no_content)
    record_url = staticmethod(record_url)
    json = staticmethod(json_answer)
    suiteql = staticmethod(suiteql_answer)
    oauth_params = staticmethod(oauth_params)
    signature_is_valid = staticmethod(signature_is_valid)
    secrets = SECRETS
    host_url = HOST_URL

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


class Clock:
    """A settable clock, so timestamps and Retry-After dates are predictable."""

    def __init__(self, now: float = 1_790_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def connection() -> NetSuiteConnection:
    return make_connection()


@pytest.fixture
def fake(connection: NetSuiteConnection) -> FakeNetSuite:
    return FakeNetSuite(connection)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for, recorded instead of slept."""
    return []


@pytest.fixture
def make_client(fake: FakeNetSuite, clock: Clock, sleeps: list[float]) -> Callable[..., NetSuiteClient]:
    def build(connection: NetSuiteConnection | None = None, **options: Any) -> NetSuiteClient:
        async def record_sleep(seconds: float) -> None:
            sleeps.append(seconds)

        options.setdefault("sleep", record_sleep)
        options.setdefault("rng", random.Random(7))
        options.setdefault("clock", clock)
        return NetSuiteClient(connection or make_connection(), transport=httpx.MockTransport(fake), **options)

    return build


@pytest.fixture
async def client(make_client: Callable[..., NetSuiteClient]) -> AsyncIterator[NetSuiteClient]:
    async with make_client() as built:
        yield built


@pytest.fixture
def derived_spec() -> dict[str, Any]:
    """The DERIVED NetSuite REST contract from the shared specs folder beside the repository."""
    if not DERIVED.is_file():
        pytest.skip(f"shared NetSuite contract not found at {DERIVED}; contract tests need the shared folder")
    data: dict[str, Any] = json.loads(DERIVED.read_text())
    return data
