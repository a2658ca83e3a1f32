"""OAuth 2.0 client credentials (machine-to-machine) for NetSuite: a signed JWT exchanged for a bearer token.

NetSuite's flow (Oracle, "OAuth 2.0 Client Credentials Setup", "The Request Token Structure", "POST
Request to the Token Endpoint and the Access Token Response"):

* The client signs a JWT with the private key of the certificate mapped in NetSuite (Setup > Integration
  > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup). Header: ``typ: JWT``, ``alg``
  PS256/PS384/PS512/ES256/ES384/ES512 (RSA-PSS or ECDSA; NetSuite does not list RS256), ``kid`` = the
  certificate id. Payload: ``iss`` = client id, ``scope`` = ``rest_webservices`` / ``restlets`` /
  ``suite_analytics``, ``aud`` = the token endpoint URL, ``iat``, ``exp`` (less than 60 minutes after
  ``iat``). Oracle's text says the scopes are "separated by a comma" while its own example JWT carries a
  JSON array (``["restlets", "rest_webservices"]``), as the public clients found all do; the client sends
  the array.
* ``POST {base}/services/rest/auth/oauth2/v1/token`` form-encoded with ``grant_type=client_credentials``,
  ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and
  ``client_assertion``; the answer is ``{access_token, expires_in: 3600, token_type: bearer}``. No refresh
  token: when the access token nears its end the grant is simply repeated.

:class:`ClientCredentialsAuth` is an ``httpx.Auth``: it fetches a token on first use, reuses it, renews it
``refresh_margin_seconds`` (default 5 minutes) before it expires, and when NetSuite answers 401 to a
request made with a cached token it fetches a new token once and repeats that request (a 401 means the
request was not carried out). Concurrent requests share one token fetch.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from ledgerlink.config import NetSuiteConnection
from ledgerlink.connectors.netsuite.errors import problem_from_token_response
from ledgerlink.engine.problems import Code, Team, permanent

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a path, not a secret
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # seconds; NetSuite allows up to 60 minutes


class ClientCredentialsAuth(httpx.Auth):
    """httpx auth for NetSuite's OAuth 2.0 client credentials flow. Holds the key; never prints it."""

    requires_response_body = False

    def __init__(
        self,
        connection: NetSuiteConnection,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin_seconds: float = 300.0,
    ) -> None:
        if connection.client_id is None or not connection.certificate_id:
            raise ValueError("OAuth 2.0 needs the connection's client_id and certificate_id")
        self.account = connection.account
        self.token_url = f"{connection.url}{TOKEN_PATH}"
        self.certificate_id = connection.certificate_id
        self.algorithm = connection.jwt_algorithm
        self.scopes = list(connection.scopes)
        self._client_id = connection.client_id
        self._private_key = _load_key(connection)
        self._clock = clock
        self._margin = refresh_margin_seconds
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.fetches = 0

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsAuth(account={self.account!r}, certificate_id={self.certificate_id!r}, "
            f"algorithm={self.algorithm!r})"
        )

    # -- the assertion and the token request -----------------------------------------------------------

    def assertion(self) -> str:
        """A freshly signed client assertion (JWT)."""
        now = int(self._clock())
        claims = {
            "iss": self._client_id.get_secret_value(),
            "scope": list(self.scopes),
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        headers = {"typ": "JWT", "kid": self.certificate_id}
        try:
            return jwt.encode(claims, self._private_key, algorithm=self.algorithm, headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            raise _key_problem(f"the private key cannot sign {self.algorithm}: {error}") from None

    def token_request(self) -> httpx.Request:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.assertion(),
        }
        return httpx.Request(
            "POST",
            self.token_url,
            content=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )

    def store(self, response: httpx.Response) -> None:
        """Keep the token from the token endpoint's answer; raise the Problem when there is none."""
        if response.status_code != 200:
            raise problem_from_token_response(response, self.token_url)
        try:
            body: Any = response.json()
            token = body["access_token"]
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise problem_from_token_response(response, self.token_url) from None
        if not isinstance(token, str) or not token:
            raise problem_from_token_response(response, self.token_url)
        self._token = token
        self._expires_at = self._clock() + lifetime
        self.fetches += 1

    @property
    def fresh(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at - self._margin

    def invalidate(self, token: str | None) -> None:
        if token is not None and token == self._token:
            self._token = None

    # -- httpx flows -----------------------------------------------------------------------------------

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._lock is None:
            self._lock = asyncio.Lock()
        if not self.fresh:
            async with self._lock:
                if not self.fresh:
                    token_response = yield self.token_request()
                    await token_response.aread()
                    self.store(token_response)
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code != 401:
            return
        # The token may have been revoked or expired early: fetch a new one once and repeat the request.
        async with self._lock:
            self.invalidate(used)
            if not self.fresh:
                token_response = yield self.token_request()
                await token_response.aread()
                self.store(token_response)
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.fresh:
            token_response = yield self.token_request()
            token_response.read()
            self.store(token_response)
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code == 401:
            self.invalidate(used)
            token_response = yield self.token_request()
            token_response.read()
            self.store(token_response)
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request


def _load_key(connection: NetSuiteConnection) -> str:
    if connection.private_key is not None:
        return connection.private_key.get_secret_value()
    path = connection.private_key_file
    if path is None:
        raise ValueError("OAuth 2.0 needs the connection's private_key_file or private_key")
    try:
        return Path(path).expanduser().read_text()
    except OSError as error:
        raise _key_problem(f"the private key file {path} cannot be read: {error.strerror}") from None


def _key_problem(why: str) -> Exception:
    return permanent(
        Code.CONFIG_INVALID,
        "NetSuite OAuth 2.0 client assertion cannot be signed",
        why,
        "Set the connection's private_key_file to the PEM private key of the certificate mapped in NetSuite "
        "(OAuth 2.0 Client Credentials (M2M) Setup) and jwt_algorithm to match it: PS256/PS384/PS512 for an "
        "RSA key (3072 or 4096 bits), ES256/ES384/ES512 for an EC key.",
        team=Team.INTEGRATION,
    )
