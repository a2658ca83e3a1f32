"""Request authentication exactly as WooCommerce's ``WC_REST_Authentication`` checks it.

Over https the store accepts HTTP Basic (consumer key as user name, consumer secret as password). Over
plain http it refuses Basic and accepts only one-legged OAuth 1.0a with the ``oauth_*`` parameters in the
query string, so the secret itself never travels. The store rebuilds the signature from:

* the method, upper case;
* its own home URL followed by the request path (no query), RFC 3986-encoded;
* every query parameter sorted by name, each name and value RFC 3986-encoded, each ``name=value`` pair
  encoded once more, the pairs joined with ``%26``;
* HMAC-SHA256 keyed with ``consumer_secret + "&"`` (no token secret), base64.

That is what the PyPI ``woocommerce`` client sends, except that it leaves ``/`` unencoded inside values;
the store encodes it, so this module follows the store. A replayed nonce is refused with 401, so every
request gets a fresh nonce and timestamp, retries included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Generator, Iterable
from urllib.parse import quote, urlsplit

import httpx

from ledgerlink.config import WooCommerceConnection

SIGNATURE_METHOD = "HMAC-SHA256"


def rfc3986(text: str) -> str:
    """Percent-encode everything but the unreserved characters, as PHP's ``rawurlencode`` does."""
    return quote(text, safe="")


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The string WooCommerce signs: ``METHOD&encoded-url&encoded(sorted name=value pairs)``."""
    pairs = sorted(params)
    joined = "%26".join(rfc3986(f"{rfc3986(name)}={rfc3986(value)}") for name, value in pairs)
    return f"{method.upper()}&{rfc3986(url)}&{joined}"


def oauth_signature(method: str, url: str, params: Iterable[tuple[str, str]], consumer_secret: str) -> str:
    """Base64 HMAC-SHA256 of the base string, keyed with the consumer secret and an empty token secret."""
    base = signature_base_string(method, url, params)
    digest = hmac.new(f"{consumer_secret}&".encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def oauth_query(
    method: str,
    url: str,
    params: list[tuple[str, str]],
    *,
    consumer_key: str,
    consumer_secret: str,
    timestamp: int,
    nonce: str,
) -> list[tuple[str, str]]:
    """``params`` plus the five ``oauth_*`` parameters, signed; ``url`` is the store URL without query."""
    names = [name for name, _ in params]
    if len(names) != len(set(names)):
        # PHP keeps only the last of repeated names, so the store would sign something else.
        raise ValueError(f"repeated query parameters cannot be signed for WooCommerce: {sorted(names)}")
    signed = [
        *params,
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", SIGNATURE_METHOD),
        ("oauth_timestamp", str(timestamp)),
    ]
    return [*signed, ("oauth_signature", oauth_signature(method, url, signed, consumer_secret))]


class WooCommerceAuth(httpx.Auth):
    """Basic over https, query-string OAuth 1.0a over http, chosen from the connection's base URL."""

    def __init__(self, connection: WooCommerceConnection) -> None:
        self._home = connection.base_url
        self._home_path = urlsplit(connection.base_url).path.rstrip("/")
        self._key = connection.consumer_key
        self._secret = connection.consumer_secret
        self.scheme = "basic" if connection.base_url.startswith("https://") else "oauth1"

    def __repr__(self) -> str:
        return f"WooCommerceAuth(scheme={self.scheme!r}, consumer_key='**********')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "basic":
            pair = f"{self._key.get_secret_value()}:{self._secret.get_secret_value()}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            query = oauth_query(
                request.method,
                self.signed_url(request.url),
                list(request.url.params.multi_items()),
                consumer_key=self._key.get_secret_value(),
                consumer_secret=self._secret.get_secret_value(),
                timestamp=int(time.time()),
                nonce=secrets.token_hex(16),
            )
            request.url = request.url.copy_with(params=query)
        yield request

    def signed_url(self, url: httpx.URL) -> str:
        """The store's home URL followed by the request path: what the store itself rebuilds."""
        path = url.raw_path.split(b"?", 1)[0].decode("ascii")
        if self._home_path and path.startswith(self._home_path + "/"):
            path = path[len(self._home_path) :]
        return self._home + path


_OAUTH_VALUE = re.compile(r"(oauth_(?:consumer_key|signature|nonce)=)[^&\s\"]*")


class RedactOAuthQuery(logging.Filter):
    """httpx logs every request URL at INFO; over http those URLs carry the consumer key and signature."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _OAUTH_VALUE.sub(r"\1**********", str(arg)) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def install_log_redaction() -> None:
    """Attach the redacting filter to httpx's logger once per process."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactOAuthQuery) for f in logger.filters):
        logger.addFilter(RedactOAuthQuery())
