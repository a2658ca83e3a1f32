"""API-key authentication exactly as WooCommerce's WC_REST_Authentication performs it.

Over HTTPS a request may carry the key pair as `consumer_key`/`consumer_secret` query arguments or
as HTTP Basic credentials; an unknown key there is not an error of its own, the request simply
stays anonymous and the endpoint answers with its generic 401. Over plain HTTP only one-legged
OAuth 1.0a is accepted: the signature base string is built from the store's *home URL* plus the
request path, the parameters are sorted on their PHP-parsed top-level names, both names and values
are percent-encoded twice (once when normalised, once when joined), and the signing key is the
consumer secret followed by `&`. Timestamps must be within 15 minutes and a nonce may be used only
once in that window. The key's read/write permission is checked before the route runs, so a
read-only key that writes gets a 401, never a 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ledgerlink.sandbox.woocommerce.errors import WooApiError
from ledgerlink.sandbox.woocommerce.phpquery import PhpValue
from ledgerlink.sandbox.woocommerce.settings import ApiKey, WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import StateStore

OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)

_AUTH_ERROR = "woocommerce_rest_authentication_error"


def _auth_error(message: str) -> WooApiError:
    return WooApiError(_AUTH_ERROR, message, 401)


@dataclass
class AuthRequest:
    """What authentication needs to know about one HTTP request."""

    method: str
    raw_path: str  # the path exactly as sent, percent-encoding intact
    is_ssl: bool
    query: Mapping[str, PhpValue]  # PHP-parsed query string
    form: Mapping[str, PhpValue]  # PHP-parsed form body ($_POST), empty for JSON bodies
    authorization: str | None


@dataclass
class AuthResult:
    """Who the request authenticated as (None: anonymous), or the error WooCommerce would raise."""

    key: ApiKey | None
    error: WooApiError | None = None


def rfc3986(value: str) -> str:
    """PHP `rawurlencode` (what `wc_rest_urlencode_rfc3986` wraps)."""
    return quote(value, safe="")


def _encode_values(value: PhpValue) -> PhpValue:
    if isinstance(value, dict):
        return {key: _encode_values(item) for key, item in value.items()}
    return rfc3986(value)


def _join_with_equals_sign(params: Mapping[str, Any], prefix: str = "") -> list[str]:
    joined: list[str] = []
    for key, value in params.items():
        name = f"{prefix}%5B{key}%5D" if prefix else key
        if isinstance(value, dict):
            joined.extend(_join_with_equals_sign(value, name))
        else:
            joined.append(rfc3986(f"{name}={value}"))
    return joined


def signature_base_string(method: str, base_url: str, params: Mapping[str, PhpValue]) -> str:
    """The string WooCommerce signs: METHOD&rawurlencode(url)&double-encoded sorted params."""
    ordered = dict(
        sorted(((k, v) for k, v in params.items() if k != "oauth_signature"), key=lambda kv: kv[0])
    )
    normalised = {rfc3986(key): _encode_values(value) for key, value in ordered.items()}
    query = "%26".join(_join_with_equals_sign(normalised))
    return f"{method.upper()}&{rfc3986(base_url)}&{query}"


def signature_base_url(settings: WooSandboxSettings, raw_path: str, is_ssl: bool) -> str:
    """`get_home_url(null, $request_path, is_ssl() ? 'https' : 'http')` for the request's path."""
    home = urlsplit(settings.home)
    home_path = home.path.rstrip("/") + "/"
    path = raw_path.split("?", 1)[0]
    if path.startswith(home_path):
        path = path[len(home_path) :]
    scheme = "https" if is_ssl else "http"
    return f"{scheme}://{home.netloc}{home.path.rstrip('/')}/{path.lstrip('/')}"


def sign(base_string: str, consumer_secret: str, method: str) -> str:
    algorithm = hashlib.sha256 if method == "HMAC-SHA256" else hashlib.sha1
    digest = hmac.new(f"{consumer_secret}&".encode(), base_string.encode(), algorithm).digest()
    return base64.b64encode(digest).decode("ascii")


_OAUTH_HEADER = re.compile(r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))')


def _header_params(header: str) -> dict[str, str]:
    header = header.strip()
    if not header.startswith("OAuth "):
        return {}
    return {
        match.group(1): unquote(match.group(2) if match.group(2) else match.group(3))
        for match in _OAUTH_HEADER.finditer(header)
    }


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class Authenticator:
    """Authenticates requests against the store's keys; remembers OAuth nonces in the state file."""

    def __init__(self, settings: WooSandboxSettings, store: StateStore) -> None:
        self.settings = settings
        self.store = store

    def authenticate(self, request: AuthRequest) -> AuthResult:
        error: WooApiError | None = None
        if request.is_ssl:
            key, error = self._basic(request)
            if key is not None:
                return AuthResult(key)
        key, oauth_error = self._oauth(request)
        if key is not None:
            return AuthResult(key)
        return AuthResult(None, oauth_error or error)

    def _basic(self, request: AuthRequest) -> tuple[ApiKey | None, WooApiError | None]:
        consumer_key = request.query.get("consumer_key")
        consumer_secret = request.query.get("consumer_secret")
        if not (
            isinstance(consumer_key, str)
            and consumer_key
            and isinstance(consumer_secret, str)
            and consumer_secret
        ):
            credentials = _basic_credentials(request.authorization)
            if credentials is None or not credentials[0] or not credentials[1]:
                return None, None
            consumer_key, consumer_secret = credentials
        key = self.settings.find_key(consumer_key)
        if key is None:
            return None, None
        if not hmac.compare_digest(key.consumer_secret.encode(), consumer_secret.encode()):
            return None, _auth_error("Consumer secret is invalid.")
        return key, None

    def _oauth(self, request: AuthRequest) -> tuple[ApiKey | None, WooApiError | None]:
        params: dict[str, PhpValue] = {**request.query, **request.form}
        if request.authorization:
            params.update(_header_params(request.authorization))
        present = [name for name in OAUTH_PARAMS if params.get(name)]
        if not present:
            return None, None
        missing = [name for name in OAUTH_PARAMS if not params.get(name)]
        if missing:
            noun = "parameter" if len(missing) == 1 else "parameters"
            return None, WooApiError(
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth {noun} {', '.join(missing)}",
                401,
            )
        scalars = {name: params[name] for name in OAUTH_PARAMS}
        if any(isinstance(value, dict) for value in scalars.values()):
            return None, _auth_error("Invalid signature - provided signature does not match.")
        consumer_key = str(scalars["oauth_consumer_key"])
        key = self.settings.find_key(consumer_key)
        if key is None:
            return None, _auth_error("Consumer key is invalid.")
        method = str(scalars["oauth_signature_method"])
        base_url = signature_base_url(self.settings, request.raw_path, request.is_ssl)
        base_string = signature_base_string(request.method, base_url, params)
        provided = unquote(str(scalars["oauth_signature"]).replace(" ", "+"))
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return None, _auth_error("Invalid signature - signature method is invalid.")
        expected = sign(base_string, key.consumer_secret, method)
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            return None, _auth_error("Invalid signature - provided signature does not match.")
        return self._check_timestamp_and_nonce(
            key, str(scalars["oauth_timestamp"]), str(scalars["oauth_nonce"])
        )

    def _check_timestamp_and_nonce(
        self, key: ApiKey, timestamp_text: str, nonce: str
    ) -> tuple[ApiKey | None, WooApiError | None]:
        window = self.settings.nonce_window_seconds
        now = int(time.time())
        timestamp = int(timestamp_text) if timestamp_text.isdigit() else 0
        if timestamp < now - window or timestamp > now + window:
            return None, _auth_error("Invalid timestamp.")
        if not self.store.remember_nonce(key.consumer_key, nonce, timestamp, now - window):
            return None, _auth_error("Invalid nonce - nonce has already been used.")
        return key, None


def check_key_permission(key: ApiKey, method: str) -> WooApiError | None:
    """The key's own read/write permission, checked before any route (401, as WooCommerce does)."""
    method = method.upper()
    if method in ("GET", "HEAD"):
        if key.permissions not in ("read", "read_write"):
            return _auth_error("The API key provided does not have read permissions.")
    elif method in ("POST", "PUT", "PATCH", "DELETE"):
        if key.permissions not in ("write", "read_write"):
            return _auth_error("The API key provided does not have write permissions.")
    elif method != "OPTIONS":
        return _auth_error("Unknown request method.")
    return None
