"""Who is calling: OAuth 1.0a, integration bearer tokens and admin tokens, checked as Magento checks them.

OAuth 1.0a (``Magento\\Framework\\Oauth``): protocol parameters come from the ``Authorization: OAuth``
header; the query string is split on ``&`` and ``=`` and each name and value URL-decoded, so bracketed
names like ``searchCriteria[pageSize]`` are single flat parameters. The base string is
``METHOD&enc(url without query)&enc(sorted enc(name)=enc(value) pairs joined by &)``, the URL's path first
normalised as Laminas normalises it (see ``normalized_path``: ``%2F`` becomes ``/``), signed with HMAC-SHA1
or HMAC-SHA256 keyed ``enc(consumer_secret)&enc(token_secret)``. A nonce may be used once per consumer
and a timestamp may not run ahead of the store's clock by more than ten minutes.

Form-encoded bodies are signed too (their parameters join the query's); JSON bodies are not.
An integration's access token is refused as a bearer token unless the store allows it (off by default
since 2.4.4). Admin tokens come from ``POST /V1/integration/admin/token`` and expire after four hours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from ledgerlink.sandbox.magento.errors import BAD_ADMIN_LOGIN, BAD_SIGNATURE, MagentoError, not_authorized
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore

HASHES = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
ADMIN_TOKEN = "admin_token"  # noqa: S105 - a state kind, not a secret
CONSUMER_ID = 1


@dataclass(frozen=True)
class Caller:
    kind: str  # "integration" or "admin"
    via: str  # "oauth1", "bearer" or "admin_token"


_PROTOCOL_PARAMETER = re.compile(r"oauth_[a-z_-]+")


def enc(text: str) -> str:
    """RFC 3986 encoding, as Laminas' ``HttpUtility::urlEncode`` (rawurlencode, ``~`` kept)."""
    return quote(text, safe="~")


def header_params(value: str) -> dict[str, str]:
    """The ``key="value"`` pairs of an ``Authorization: OAuth ...`` header, decoded."""
    params: dict[str, str] = {}
    for part in value[len("OAuth ") :].split(","):
        if "=" not in part:
            continue
        name, raw = part.strip().split("=", 1)
        params[unquote(name.strip())] = unquote(raw.strip().strip('"'))
    return params


def query_params(query: str) -> list[tuple[str, str]]:
    """The query as Magento's OAuth helper reads it for the signature (``_extractQueryStringParams``):
    split on ``&`` then ``=``, kept only when that gives exactly a name and a value, ``oauth_*`` names
    left out, both parts decoded with ``rawurldecode``. So ``+`` stays a plus sign: a client that sends a
    space as ``+`` signs a different string than Magento checks, and is refused as Magento refuses it."""
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        pieces = part.split("=")
        if len(pieces) != 2 or _PROTOCOL_PARAMETER.search(pieces[0]):
            continue
        pairs.append((unquote(pieces[0]), unquote(pieces[1])))
    return pairs


def form_params(body: str) -> list[tuple[str, str]]:
    """A form-encoded body as PHP's ``parse_str`` reads it (``+`` is a space), for the signature."""
    pairs: list[tuple[str, str]] = []
    for part in body.split("&"):
        if not part:
            continue
        pieces = part.split("=", 1)
        pairs.append((unquote_plus(pieces[0]), unquote_plus(pieces[1]) if len(pieces) > 1 else ""))
    return pairs


_ESCAPED = re.compile(r"%([0-9A-Fa-f]{2})")
# Laminas\Uri\Uri::normalizePath decodes these ('/[' . CHAR_UNRESERVED . ':@&=\+\$,\/;%]/') ...
_PATH_DECODES = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:@&=+$,/;%")
# ... and Uri::encodePath then escapes everything outside these, and a "%" that starts no escape.
_PATH_ENCODES = re.compile(r"[^A-Za-z0-9\-._~)(:@&=+$,/;%]+|%(?![0-9A-Fa-f]{2})")


def normalized_path(path: str) -> str:
    """The raw request path as Magento's signer sees it: ``Oauth\\Helper\\Request::getRequestUrl`` takes
    ``getRequestUri()`` as sent, and the HMAC signer's ``normaliseBaseSignatureUrl`` (Laminas OAuth
    ``AbstractSignature``) calls Laminas ``Uri::normalize()``, whose ``normalizePath`` decodes the
    escapes of unreserved characters and ``:@&=+$,/;%`` (upper-casing the others) and re-encodes with
    ``encodePath``. So a SKU's ``%2F`` is checked as ``/``: a client signing the path as sent is refused,
    as a real 2.4.7-p3 store refused it (issue 21)."""
    kept = _ESCAPED.sub(
        lambda m: (
            chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _PATH_DECODES else m.group(0).upper()
        ),
        path,
    )
    return _PATH_ENCODES.sub(lambda m: quote(m.group(0), safe=""), kept)


def normalized_url(url: str) -> str:
    """Scheme and host lower-cased, default port dropped, query and fragment removed, path normalised."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{parts.scheme.lower()}://{host}{normalized_path(parts.path)}"


def signature(
    method: str, url: str, params: list[tuple[str, str]], consumer_secret: str, token_secret: str, kind: str
) -> str:
    """What Magento computes for ``oauth_signature`` (``kind`` is HMAC-SHA1 or HMAC-SHA256)."""
    # Magento keeps the last value of a repeated name, as PHP arrays do.
    flat = {enc(name): enc(value) for name, value in params if name != "oauth_signature"}
    joined = "&".join(f"{name}={flat[name]}" for name in sorted(flat))
    base = f"{method.upper()}&{enc(normalized_url(url))}&{enc(joined)}"
    key = f"{enc(consumer_secret)}&{enc(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), HASHES[kind]).digest()).decode("ascii")


class Authenticator:
    """Checks one request's credentials against the sandbox settings and the state file."""

    def __init__(
        self, settings: MagentoSandboxSettings, store: StateStore, clock: Callable[[], float]
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def issue_admin_token(self, username: object, password: object) -> str:
        if self.settings.admin_two_factor:
            raise MagentoError(
                401,
                "Please use the 2fa provider-specific endpoints to obtain a token.",
                {"active_providers": ["google"]},
            )
        if username != self.settings.admin_username or password != self.settings.admin_password:
            raise MagentoError(401, BAD_ADMIN_LOGIN)
        token = secrets.token_hex(16)
        with self.store.transaction() as tx:
            tx.put(ADMIN_TOKEN, token, {"expires": self.clock() + self.settings.admin_token_lifetime_seconds})
        return token

    def check(
        self, method: str, url: str, headers: Mapping[str, str], resource: str, body: bytes = b""
    ) -> Caller:
        """The caller, or a MagentoError exactly as Magento would refuse it."""
        authorization = headers.get("authorization", "")
        if authorization.startswith("OAuth "):
            form = headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
            signed = form_params(body.decode("utf-8", "replace")) if form else []
            self._check_oauth(method, url, header_params(authorization), signed)
            return Caller("integration", "oauth1")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
            if token == self.settings.access_token:
                if self.settings.allow_integration_bearer:
                    return Caller("integration", "bearer")
                raise not_authorized(resource)
            with self.store.transaction() as tx:
                issued = tx.get(ADMIN_TOKEN, token)
            if issued is not None and float(issued["expires"]) > self.clock():
                return Caller("admin", "admin_token")
        raise not_authorized(resource)

    def _check_oauth(
        self, method: str, url: str, protocol: dict[str, str], form: list[tuple[str, str]]
    ) -> None:
        settings = self.settings
        if protocol.get("oauth_consumer_key") != settings.consumer_key:
            raise MagentoError(401, "A consumer having the specified key does not exist")
        kind = protocol.get("oauth_signature_method", "")
        if kind not in HASHES:
            raise MagentoError(401, "Signature method %1 is not supported", [kind])
        if protocol.get("oauth_token") != settings.access_token:
            raise MagentoError(401, "Specified token does not exist")
        try:
            timestamp = int(protocol.get("oauth_timestamp", ""))
        except ValueError:
            raise MagentoError(401, "Incorrect timestamp value in the oauth_timestamp parameter") from None
        now = int(self.clock())
        if timestamp <= 0 or timestamp > now + settings.timestamp_window_seconds:
            raise MagentoError(401, "Incorrect timestamp value in the oauth_timestamp parameter")
        params = [(k, v) for k, v in protocol.items() if k.startswith("oauth_") and k != "oauth_signature"]
        params += query_params(urlsplit(url).query) + form
        expected = signature(
            method, url, params, settings.consumer_secret, settings.access_token_secret, kind
        )
        if not hmac.compare_digest(expected, protocol.get("oauth_signature", "")):
            raise MagentoError(401, BAD_SIGNATURE)
        nonce = protocol.get("oauth_nonce", "")
        with self.store.transaction() as tx:
            fresh = tx.remember_nonce(
                settings.consumer_key, nonce, timestamp, now - 2 * settings.timestamp_window_seconds
            )
        if not nonce or not fresh:
            raise MagentoError(
                401, "The nonce is already being used by the consumer with ID %1.", [CONSUMER_ID]
            )
