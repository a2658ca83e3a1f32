"""Request authentication for the Magento REST API, in the three ways a store can be reached.

* ``oauth1``: every request is signed with the integration's four credentials, OAuth 1.0a in the
  ``Authorization`` header, HMAC-SHA256, key ``consumer_secret&access_token_secret``. Magento rebuilds the
  base string from the URL without its query plus every query parameter, flat (``searchCriteria[pageSize]``
  is one name) and decoded, which is what oauthlib signs. The path is signed as Magento normalises it
  before checking (see :func:`signed_path`), not as sent: a SKU's ``%2F`` is signed as ``/``. Since
  2.4.4 this is the only way an integration token is accepted unless the store switches
  ``oauth/consumer/enable_integration_as_bearer`` on.
* ``bearer``: the integration access token as a bearer token (stores that allow it).
* ``admin``: an admin user name and password exchanged at ``POST /V1/integration/admin/token`` for a token
  that lives four hours by default. It is cached, renewed a margin before it expires and once more when the
  store answers 401 (the store may have a shorter lifetime configured, or the token was revoked).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Generator
from urllib.parse import quote

import httpx
from oauthlib import oauth1

from ledgerlink.config import MagentoConnection

ADMIN_TOKEN_LIFETIME_SECONDS = 4 * 3600.0
RENEW_MARGIN_SECONDS = 300.0


def _secret(value: object) -> str:
    """The plain text of a configured secret (the config validator guarantees it is present)."""
    if value is None:
        raise ValueError("a credential this auth mode needs is missing")
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


def oauth1_client(connection: MagentoConnection) -> oauth1.Client:
    return oauth1.Client(
        _secret(connection.consumer_key),
        client_secret=_secret(connection.consumer_secret),
        resource_owner_key=_secret(connection.access_token),
        resource_owner_secret=_secret(connection.access_token_secret),
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER,
    )


# Laminas\Uri\Uri::normalizePath: escapes of these characters are decoded; then encodePath escapes
# whatever is outside the second set, and a "%" not starting an escape.
_DECODED_IN_PATH = re.compile(r"[A-Za-z0-9\-._~:@&=+$,/;%]")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9\-._~)(:@&=+$,/;%]+|%(?![0-9A-Fa-f]{2})")


def signed_path(path: str) -> str:
    """The request path as Magento normalises it before computing the signature it expects.

    Magento (``Magento\\Framework\\Oauth\\Helper\\Request::getRequestUrl``) takes the raw request URI
    (scheme, ``getHttpHost``, ``getRequestUri``) and the HMAC signer normalises it with Laminas
    (``Laminas\\OAuth\\Signature\\AbstractSignature::normaliseBaseSignatureUrl`` calls
    ``Uri::normalize()``), whose ``normalizePath`` decodes escaped unreserved characters and
    ``:@&=+$,/;%`` and then re-escapes with ``encodePath``. So ``%2F`` and ``%2B`` in a SKU are signed
    as ``/`` and ``+``, while ``%20``, ``%23`` and escaped UTF-8 stay escaped (upper-case hex). A real
    2.4.7-p3 store refuses the signature over the path as sent (issue 21).
    """

    def decode(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if _DECODED_IN_PATH.fullmatch(char) else match.group(0).upper()

    decoded = _ESCAPE.sub(decode, path)
    return _UNSAFE_IN_PATH.sub(lambda match: quote(match.group(0), safe=""), decoded)


def signing_url(url: httpx.URL) -> str:
    """The URL to sign: the request's, with its path as Magento normalises it (query kept as sent)."""
    raw = url.raw_path.decode("ascii")
    path, _, query = raw.partition("?")
    return str(
        url.copy_with(raw_path=signed_path(path).encode("ascii") + (b"?" + query.encode() if query else b""))
    )


def sign_oauth1(client: oauth1.Client, request: httpx.Request) -> None:
    """Add the ``Authorization: OAuth ...`` header. A JSON body is not signed (only form bodies are)."""
    _uri, headers, _body = client.sign(signing_url(request.url), http_method=request.method)
    request.headers["Authorization"] = headers["Authorization"]


class AdminTokenError(Exception):
    """The store refused to issue an admin token; carries its response for the error mapping."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"admin token request answered {response.status_code}")
        self.response = response


class MagentoAuth(httpx.Auth):
    """Signs or authorises each request according to the connection's ``auth`` setting."""

    requires_response_body = True

    def __init__(
        self,
        connection: MagentoConnection,
        token_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheme = connection.auth
        self._connection = connection
        self._token_url = token_url
        self.clock = clock
        self._oauth = oauth1_client(connection) if connection.auth == "oauth1" else None
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()
        self.tokens_issued = 0

    def __repr__(self) -> str:
        return f"MagentoAuth(scheme={self.scheme!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._oauth is not None:
            sign_oauth1(self._oauth, request)
            yield request
            return
        if self.scheme == "bearer":
            request.headers["Authorization"] = f"Bearer {_secret(self._connection.access_token)}"
            yield request
            return
        if not self._token_valid():
            yield from self._renew()
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            self._forget()
            yield from self._renew()
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _token_valid(self) -> bool:
        with self._lock:
            return self._token is not None and self.clock() < self._token_expires - RENEW_MARGIN_SECONDS

    def _forget(self) -> None:
        with self._lock:
            self._token = None

    def _renew(self) -> Generator[httpx.Request, httpx.Response, None]:
        body = {
            "username": _secret(self._connection.username),
            "password": _secret(self._connection.password),
        }
        asked_at = self.clock()
        response = yield httpx.Request(
            "POST",
            self._token_url,
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if not response.is_success:
            raise AdminTokenError(response)
        try:
            token = json.loads(response.content)
        except ValueError:
            raise AdminTokenError(response) from None
        if not isinstance(token, str) or not token:
            raise AdminTokenError(response)
        with self._lock:
            self._token = token
            self._token_expires = asked_at + ADMIN_TOKEN_LIFETIME_SECONDS
            self.tokens_issued += 1
