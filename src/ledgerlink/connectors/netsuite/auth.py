"""Token-based authentication (TBA): OAuth 1.0a with HMAC-SHA256, as NetSuite requires.

Each request gets its own ``Authorization: OAuth realm="<account>", ...`` header with a fresh nonce and
timestamp; NetSuite refuses a reused nonce, so a retried request is signed again. The realm is the account
id as NetSuite writes it (``1234567_SB1``), although the host name uses the slug (``1234567-sb1``). The
base string covers method, the URL as requested (scheme, host, port, path) and its query parameters
(RFC 5849 section 3.4.1); a JSON body is not part of it, and no ``oauth_body_hash`` is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx
from oauthlib.common import generate_nonce
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_AUTH_HEADER, Client

from ledgerlink.config import NetSuiteConnection


class TokenAuth(httpx.Auth):
    """httpx auth that signs every request with the connection's TBA credentials.

    The credentials stay ``SecretStr`` until the moment of signing, so neither ``repr`` nor ``vars`` of
    this object (or of the client holding it) shows them.
    """

    def __init__(self, connection: NetSuiteConnection, *, clock: Callable[[], float] = time.time) -> None:
        self.realm = connection.account
        secrets = (
            connection.consumer_key,
            connection.consumer_secret,
            connection.token_id,
            connection.token_secret,
        )
        if any(secret is None for secret in secrets):
            raise ValueError(
                "token-based authentication needs consumer_key, consumer_secret, token_id and token_secret"
            )
        self._consumer_key, self._consumer_secret, self._token_id, self._token_secret = (
            s for s in secrets if s is not None
        )
        self._clock = clock

    def authorization(self, method: str, url: str) -> str:
        """The ``Authorization`` header value for one request."""
        signer = Client(
            self._consumer_key.get_secret_value(),
            client_secret=self._consumer_secret.get_secret_value(),
            resource_owner_key=self._token_id.get_secret_value(),
            resource_owner_secret=self._token_secret.get_secret_value(),
            signature_method=SIGNATURE_HMAC_SHA256,
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
            realm=self.realm,
            nonce=generate_nonce(),
            timestamp=str(int(self._clock())),
        )
        # No body: NetSuite signs only method, URL and query; a body would add oauth_body_hash.
        _, headers, _ = signer.sign(url, http_method=method.upper())
        return str(headers["Authorization"])

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.authorization(request.method, str(request.url))
        yield request

    def __repr__(self) -> str:
        return f"TokenAuth(realm={self.realm!r}, signature_method='HMAC-SHA256')"
