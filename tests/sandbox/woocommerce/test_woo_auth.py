"""Authentication: Basic/query keys over HTTPS, one-legged OAuth 1.0a over HTTP, key permissions."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

import httpx
from oauthlib import oauth1
from woocommerce.oauth import OAuth

from ledgerlink.sandbox.credentials import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET

ORDERS = "http://127.0.0.1:8702/wp-json/wc/v3/orders"
Signer = Callable[..., str]


async def test_oauth_hmac_sha256_over_http_is_accepted(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    response = await plain.get(oauth_sign("GET", ORDERS + "?per_page=5&status=any"))
    assert response.status_code == 200, response.text
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "0"


async def test_oauth_hmac_sha1_is_accepted_too(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    url = oauth_sign("GET", ORDERS, signature_method=oauth1.SIGNATURE_HMAC_SHA1)
    assert (await plain.get(url)).status_code == 200


async def test_tampered_query_breaks_the_signature(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    url = oauth_sign("GET", ORDERS + "?per_page=5")
    response = await plain.get(url.replace("per_page=5", "per_page=6"))
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Invalid signature - provided signature does not match.",
        "data": {"status": 401},
    }


async def test_signature_made_for_another_base_url_is_rejected(
    plain: httpx.AsyncClient, oauth_sign: Signer
) -> None:
    # The store signs over its own home URL; a signature over a different host does not verify.
    signed = oauth_sign("GET", "http://localhost:8702/wp-json/wc/v3/orders")
    response = await plain.get(signed.replace("http://localhost:8702", "http://127.0.0.1:8702"))
    assert response.status_code == 401


async def test_wrong_secret_in_oauth_fails_signature(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    response = await plain.get(oauth_sign("GET", ORDERS, secret="cs_wrong"))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - provided signature does not match."


async def test_replayed_nonce_is_rejected(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    url = oauth_sign("GET", ORDERS)
    assert (await plain.get(url)).status_code == 200
    replay = await plain.get(url)
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."


async def test_stale_timestamp_is_rejected(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    url = oauth_sign("GET", ORDERS, timestamp=str(int(time.time()) - 16 * 60))
    response = await plain.get(url)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid timestamp."


async def test_unknown_key_over_oauth(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    response = await plain.get(oauth_sign("GET", ORDERS, key="ck_nobody", secret="cs_nobody"))
    assert response.status_code == 401
    assert response.json()["message"] == "Consumer key is invalid."


async def test_missing_oauth_parameter_is_named(plain: httpx.AsyncClient) -> None:
    response = await plain.get(ORDERS, params={"oauth_consumer_key": WOO_CONSUMER_KEY})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert "oauth_signature" in body["message"]


async def test_basic_auth_over_https_is_accepted(https: httpx.AsyncClient) -> None:
    assert (await https.get("/orders")).status_code == 200


async def test_query_string_keys_over_https_are_accepted(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:8702") as client:
        response = await client.get(
            "/wp-json/wc/v3/orders",
            params={"consumer_key": WOO_CONSUMER_KEY, "consumer_secret": WOO_CONSUMER_SECRET},
        )
    assert response.status_code == 200


async def test_forwarded_proto_https_counts_as_https(plain: httpx.AsyncClient) -> None:
    response = await plain.get(
        "/wp-json/wc/v3/orders",
        auth=(WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET),
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200


async def test_basic_auth_over_plain_http_gets_the_generic_401(plain: httpx.AsyncClient) -> None:
    response = await plain.get("/wp-json/wc/v3/orders", auth=(WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET))
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


async def test_unknown_key_over_https_is_anonymous(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:8702") as client:
        listed = await client.get("/wp-json/wc/v3/orders", auth=("ck_unknown", "cs_unknown"))
        single = await client.get("/wp-json/wc/v3/orders/1", auth=("ck_unknown", "cs_unknown"))
    assert listed.status_code == 401
    assert listed.json()["code"] == "woocommerce_rest_cannot_view"
    assert listed.json()["message"] == "Sorry, you cannot list resources."
    assert single.json()["message"] == "Sorry, you cannot view this resource."


async def test_wrong_secret_over_https(https: httpx.AsyncClient) -> None:
    response = await https.get("/orders", auth=(WOO_CONSUMER_KEY, "cs_wrong"))
    assert response.status_code == 401
    assert response.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {"status": 401},
    }


async def test_read_only_key_can_read_but_not_write(https: httpx.AsyncClient) -> None:
    read_only = ("ck_readonly", "cs_readonly")
    assert (await https.get("/orders", auth=read_only)).status_code == 200
    response = await https.post("/products", json={"name": "x"}, auth=read_only)
    assert response.status_code == 401
    assert response.json()["message"] == "The API key provided does not have write permissions."


async def test_anonymous_write_gets_the_create_denial(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:8702") as client:
        response = await client.post("/wp-json/wc/v3/orders", json={})
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_cannot_create"


async def test_rest_route_form_never_authenticates(app: object) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1:8702") as client:
        response = await client.get(
            "/", params={"rest_route": "/wc/v3/orders"}, auth=(WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET)
        )
    assert response.status_code == 401


async def test_bracketed_parameters_sign_like_the_official_client(plain: httpx.AsyncClient) -> None:
    # wc-api-python sorts on the name before "[" and WooCommerce parses a[b] into nested arrays;
    # both must meet in the middle for list filters such as status[]=... to verify.
    url = ORDERS + "?status%5B0%5D=processing&status%5B1%5D=completed&per_page=3"
    signer = OAuth(
        url=url,
        consumer_key=WOO_CONSUMER_KEY,
        consumer_secret=WOO_CONSUMER_SECRET,
        version="wc/v3",
        method="GET",
    )
    response = await plain.get(signer.get_oauth_url())
    assert response.status_code == 200, response.text


async def test_signature_covers_percent_encoded_values(plain: httpx.AsyncClient, oauth_sign: Signer) -> None:
    url = ORDERS + "?after=" + quote("2020-01-01T00:00:00", safe="") + "&search=" + quote("a b+c", safe="")
    assert (await plain.get(oauth_sign("GET", url))).status_code == 200
