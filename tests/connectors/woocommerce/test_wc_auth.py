"""Authentication as a WooCommerce store verifies it, checked by independent implementations."""

from __future__ import annotations

import base64
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from oauthlib.oauth1 import Client as OAuthClient
from oauthlib.oauth1.rfc5849 import signature as rfc5849
from woocommerce.oauth import OAuth as PyPIWooCommerceOAuth

from ledgerlink.connectors.store_http import tls_verification
from ledgerlink.connectors.woocommerce.client import WooCommerceClient
from ledgerlink.connectors.woocommerce.store import WooCommerceStore
from ledgerlink.engine.problems import Code, ProblemError

KEY = "ck_4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5"
SECRET = "cs_9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"


def capture() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1}, headers={"X-WP-Total": "0", "X-WP-TotalPages": "0"})

    return seen, httpx.MockTransport(answer)


def oauthlib_signature(request: httpx.Request, secret: str) -> str:
    """Recompute the signature the RFC 5849 way, from the request as it went on the wire."""
    query = request.url.query.decode()
    params = rfc5849.collect_parameters(uri_query=query, exclude_oauth_signature=True)
    base_uri = rfc5849.base_string_uri(str(request.url.copy_with(query=None)))
    base = rfc5849.signature_base_string(request.method, base_uri, rfc5849.normalize_parameters(params))
    return rfc5849.sign_hmac_sha256_with_client(base, OAuthClient(KEY, client_secret=secret))


async def test_http_store_gets_query_string_oauth_that_oauthlib_verifies(connection: Any) -> None:
    seen, transport = capture()
    client = WooCommerceClient(connection("http://shop.test"), transport=transport)
    await client.request("GET", "/products", params={"search": "blue hoodie/L", "per_page": "5"})
    await client.aclose()

    request = seen[0]
    params = dict(request.url.params)
    assert "authorization" not in request.headers
    assert params["oauth_consumer_key"] == KEY
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert abs(int(params["oauth_timestamp"]) - time.time()) < 60
    assert len(params["oauth_nonce"]) == 32 and params["oauth_nonce"].isalnum()
    assert params["search"] == "blue hoodie/L"
    assert params["oauth_signature"] == oauthlib_signature(request, SECRET)
    assert params["oauth_signature"] != oauthlib_signature(request, SECRET + "x")


async def test_signature_matches_the_pypi_woocommerce_client_for_the_same_nonce(connection: Any) -> None:
    seen, transport = capture()
    client = WooCommerceClient(connection("http://shop.test"), transport=transport)
    await client.request(
        "PUT", "/webhooks/7", params={"modified_after": "2026-11-03T09:30:12"}, json={"status": "active"}
    )
    await client.aclose()

    request = seen[0]
    sent = dict(request.url.params)
    url = "http://shop.test/wp-json/wc/v3/webhooks/7"
    reference = PyPIWooCommerceOAuth(url, KEY, SECRET, method="PUT", oauth_timestamp=sent["oauth_timestamp"])
    signed = {k: v for k, v in sent.items() if k != "oauth_signature"}
    assert sent["oauth_signature"] == reference.generate_oauth_signature(signed, url)


async def test_every_request_gets_a_fresh_nonce(connection: Any) -> None:
    seen, transport = capture()
    client = WooCommerceClient(connection("http://shop.test"), transport=transport)
    for _ in range(3):
        await client.get_order(1)
    await client.aclose()
    nonces = {r.url.params["oauth_nonce"] for r in seen}
    assert len(nonces) == 3


async def test_store_in_a_subdirectory_signs_its_home_url_plus_the_path(connection: Any) -> None:
    seen, transport = capture()
    client = WooCommerceClient(connection("http://example.test:8080/shop"), transport=transport)
    await client.get_order(12)
    await client.aclose()
    request = seen[0]
    assert request.url.path == "/shop/wp-json/wc/v3/orders/12"
    assert request.url.params["oauth_signature"] == oauthlib_signature(request, SECRET)


async def test_https_store_gets_basic_auth_and_no_oauth(connection: Any) -> None:
    seen, transport = capture()
    client = WooCommerceClient(connection("https://shop.test"), transport=transport)
    await client.get_order(5)
    await client.aclose()
    request = seen[0]
    assert (
        request.headers["authorization"] == "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    )
    assert not [name for name in request.url.params if name.startswith("oauth_")]


async def test_reprs_and_logs_never_show_credentials(
    connection: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen, transport = capture()
    conn = connection("http://shop.test")
    store = WooCommerceStore("shop", conn, transport=transport)
    with caplog.at_level(logging.INFO, logger="httpx"):
        await store.client.get_order(3)
    await store.aclose()
    assert KEY in str(seen[0].url)  # the key really was on the wire...
    shown = " ".join([repr(store), repr(store.client), repr(conn), caplog.text])
    assert "GET" in caplog.text  # ...and the request was logged,
    for secret in (KEY, SECRET, seen[0].url.params["oauth_signature"]):
        assert secret not in shown  # but never with the credentials


# ---------------------------------------------------------------------------------------------------------
# TLS against a real server on loopback, with a private CA.


class _OrderHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (
            b'{"id": 9, "authorized": ' + (b"true" if self.headers.get("Authorization") else b"false") + b"}"
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tls_store(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An https server on 127.0.0.1 with a certificate from a private CA; yields (base URL, CA file)."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "store-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OrderHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", ca_file
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_ca_file_lets_the_client_trust_a_private_ca(
    connection: Any, tls_store: tuple[str, Path]
) -> None:
    base_url, ca_file = tls_store
    client = WooCommerceClient(connection(base_url, ca_file=ca_file))
    try:
        assert await client.get_order(9) == {"id": 9, "authorized": True}
    finally:
        await client.aclose()


async def test_without_the_ca_file_the_certificate_is_a_config_problem(
    connection: Any, tls_store: tuple[str, Path]
) -> None:
    base_url, _ = tls_store
    client = WooCommerceClient(connection(base_url))
    with pytest.raises(ProblemError) as caught:
        await client.get_order(9)
    await client.aclose()
    assert caught.value.problem.code == Code.CONFIG_INVALID
    assert "ca_file" in caught.value.problem.fix


def test_verify_tls_false_turns_verification_off(connection: Any, tmp_path: Path) -> None:
    assert tls_verification(connection("https://shop.test", verify_tls=False)) is False
    assert tls_verification(connection("https://shop.test")) is True
    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    context = tls_verification(connection("https://shop.test", ca_file=ca_file))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert len(context.get_ca_certs()) == 1
