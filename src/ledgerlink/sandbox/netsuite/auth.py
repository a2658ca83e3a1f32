"""Authentication checked on every request as NetSuite does: TBA (OAuth 1.0a) or OAuth 2.0 bearer tokens.

``Authorization: Bearer <access token>`` is checked by
:class:`~ledgerlink.sandbox.netsuite.oauth2.OAuth2Server` (tokens from the OAuth 2.0 client credentials
flow; scope ``rest_webservices`` for REST web services,
``restlets`` for RESTlets). Everything else must be token-based authentication:

NetSuite signs the RFC 5849 base string built from the method, the URL the client actually used (scheme,
host *and port*, path), the query parameters, form-encoded body parameters and every ``oauth_*`` header
parameter except the signature; ``realm`` is excluded. The key is ``consumer_secret&token_secret``.
Only HMAC-SHA256 is accepted (NetSuite retired HMAC-SHA1 for TBA). Any failure answers 401
``INVALID_LOGIN`` with NetSuite's generic text: the real service never says which part was wrong.

Clients built on authlib (the PyPI ``netsuite`` package) also send ``oauth_body_hash`` (Base64 SHA-1 of
the body) for JSON bodies; it takes part in the signature like any ``oauth_*`` parameter and, when
present, must match the body received.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace
from urllib.parse import urlsplit

from oauthlib.oauth1.rfc5849 import signature, utils

from ledgerlink.sandbox.netsuite.errors import NetSuiteError, invalid_login
from ledgerlink.sandbox.netsuite.oauth2 import OAuth2Server, required_scope
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

_REQUIRED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
)


class NonceCache:
    """Nonces seen within the timestamp window, so a captured request cannot be replayed."""

    def __init__(self, window_seconds: int, max_entries: int = 200_000) -> None:
        self._window = window_seconds
        self._max = max_entries
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, consumer_key: str, token: str, nonce: str, now: float) -> bool:
        """Record the nonce; False when it was already used inside the window."""
        key = (consumer_key, token, nonce)
        with self._lock:
            horizon = now - 2 * self._window - 1
            while self._seen and (next(iter(self._seen.values())) < horizon or len(self._seen) > self._max):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class TokenVerifier:
    """Verifies the ``Authorization: OAuth ...`` header of one request against the account's token."""

    def __init__(self, settings: NetSuiteSandboxSettings) -> None:
        self.settings = settings
        self.nonces = NonceCache(settings.timestamp_tolerance_seconds)
        self.oauth2 = OAuth2Server(settings)

    def verify(
        self, method: str, url: str, headers: dict[str, str], body: bytes, now: float | None = None
    ) -> None:
        """Raise :class:`NetSuiteError` (401) unless the request is signed with the account's token."""
        now = time.time() if now is None else now
        header = headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            self.oauth2.verify_bearer(header[7:].strip(), required_scope(urlsplit(url).path), now)
            return
        if not header[:6].lower() == "oauth ":
            raise invalid_login()
        try:
            params = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        except (ValueError, IndexError):
            raise invalid_login() from None
        s = self.settings
        if any(not params.get(name) for name in _REQUIRED):
            raise invalid_login()
        if params.get("realm") != s.account:
            raise invalid_login()
        if params["oauth_signature_method"] != "HMAC-SHA256":
            raise invalid_login()
        if params.get("oauth_version", "1.0") != "1.0":
            raise invalid_login()
        if not (
            _same(params["oauth_consumer_key"], s.consumer_key) and _same(params["oauth_token"], s.token_id)
        ):
            raise invalid_login()
        try:
            timestamp = int(params["oauth_timestamp"])
        except ValueError:
            raise invalid_login() from None
        if abs(now - timestamp) > s.timestamp_tolerance_seconds:
            raise invalid_login()
        if "oauth_body_hash" in params:
            digest = base64.b64encode(hashlib.sha1(body).digest()).decode()  # noqa: S324 - the hash the protocol names
            if not _same(params["oauth_body_hash"], digest):
                raise invalid_login()
        if not _same(params["oauth_signature"], self.expected_signature(method, url, headers, body)):
            raise invalid_login()
        if not self.nonces.remember(s.consumer_key, s.token_id, params["oauth_nonce"], now):
            raise invalid_login()

    def expected_signature(self, method: str, url: str, headers: dict[str, str], body: bytes) -> str:
        parts = urlsplit(url)
        form_body: str | None = None
        if "application/x-www-form-urlencoded" in headers.get("content-type", "").lower():
            form_body = body.decode("utf-8", errors="replace")
        params = signature.collect_parameters(
            uri_query=parts.query,
            body=form_body,
            headers={"Authorization": headers.get("authorization", "")},
            exclude_oauth_signature=True,
            with_realm=False,
        )
        normalized = signature.normalize_parameters(params)
        base_uri = signature.base_string_uri(f"{parts.scheme}://{parts.netloc}{parts.path}")
        base = signature.signature_base_string(method.upper(), base_uri, normalized)
        secrets = SimpleNamespace(
            client_secret=self.settings.consumer_secret, resource_owner_secret=self.settings.token_secret
        )
        return str(signature.sign_hmac_sha256_with_client(base, secrets))


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


__all__ = ["NetSuiteError", "NonceCache", "TokenVerifier"]
