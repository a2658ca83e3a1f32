"""The emulator authenticates as Magento does: OAuth 1.0a on every request, tokens, and its 401s."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from oauthlib import oauth1

from ledgerlink.sandbox.magento import credentials as creds
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings

from .conftest import BASE, Clock, OAuth1

pytestmark = pytest.mark.usefixtures("seeded")
PAGE = {"searchCriteria[pageSize]": "2", "searchCriteria[currentPage]": "1"}


@pytest.mark.parametrize("method", [oauth1.SIGNATURE_HMAC_SHA256, oauth1.SIGNATURE_HMAC_SHA1])
async def test_oauth1_hmac_sha256_and_sha1_are_accepted(
    http: Callable[..., httpx.AsyncClient], method: str
) -> None:
    response = await http(OAuth1(method)).get("/orders", params=PAGE)
    assert response.status_code == 200, response.text
    assert response.json()["total_count"] == 30


@pytest.mark.parametrize("prefix", ["/rest/V1", "/rest/default/V1", "/rest/all/V1"])
async def test_every_store_prefix_serves_the_api(http: Callable[..., httpx.AsyncClient], prefix: str) -> None:
    assert (await http(prefix=prefix).get("/orders/1")).json()["entity_id"] == 1


async def test_an_unknown_store_code_is_refused(http: Callable[..., httpx.AsyncClient]) -> None:
    response = await http(prefix="/rest/nowhere/V1").get("/orders/1")
    assert response.status_code == 400  # as a real 2.4.7-p3 store answers (issue 21)
    assert response.json() == {"message": "Specified request cannot be processed."}


async def test_a_wrong_token_secret_fails_the_signature(http: Callable[..., httpx.AsyncClient]) -> None:
    response = await http(OAuth1(token_secret="wrong")).get("/orders", params=PAGE)
    assert response.status_code == 401
    assert response.json() == {"message": "The signature is invalid. Verify and try again."}


async def test_a_replayed_nonce_is_refused(http: Callable[..., httpx.AsyncClient]) -> None:
    client = http(auth=httpx.Auth())
    signer = oauth1.Client(
        creds.MAGENTO_CONSUMER_KEY,
        client_secret=creds.MAGENTO_CONSUMER_SECRET,
        resource_owner_key=creds.MAGENTO_ACCESS_TOKEN,
        resource_owner_secret=creds.MAGENTO_ACCESS_TOKEN_SECRET,
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        nonce="fixednonce123",
    )
    _, headers, _ = signer.sign(BASE + "/rest/default/V1/orders/1")
    assert (await client.get("/orders/1", headers=headers)).status_code == 200
    again = await client.get("/orders/1", headers=headers)
    assert again.status_code == 401
    assert "nonce is already being used" in again.json()["message"]


async def test_no_credentials_get_the_consumer_not_authorized_error(
    http: Callable[..., httpx.AsyncClient],
) -> None:
    response = await http(auth=httpx.Auth()).get("/orders", params=PAGE)
    assert response.status_code == 401
    assert response.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Sales::actions_view"},
    }


async def test_integration_bearer_is_refused_unless_allowed(http: Callable[..., httpx.AsyncClient]) -> None:
    bearer = {"Authorization": f"Bearer {creds.MAGENTO_ACCESS_TOKEN}"}
    response = await http(auth=httpx.Auth()).get("/orders/1", headers=bearer)
    assert response.status_code == 401
    assert response.json()["parameters"] == {"resources": "Magento_Sales::actions_view"}


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, allow_integration_bearer=True)])
async def test_integration_bearer_is_accepted_when_allowed(http: Callable[..., httpx.AsyncClient]) -> None:
    bearer = {"Authorization": f"Bearer {creds.MAGENTO_ACCESS_TOKEN}"}
    assert (await http(auth=httpx.Auth()).get("/orders/1", headers=bearer)).status_code == 200


async def test_admin_tokens_work_for_four_hours(http: Callable[..., httpx.AsyncClient], clock: Clock) -> None:
    anonymous = http(auth=httpx.Auth(), prefix="/rest/V1")
    wrong = await anonymous.post("/integration/admin/token", json={"username": "x", "password": "y"})
    assert wrong.status_code == 401
    assert "sign-in was incorrect" in wrong.json()["message"]
    issued = await anonymous.post(
        "/integration/admin/token",
        json={"username": creds.MAGENTO_ADMIN_USERNAME, "password": creds.MAGENTO_ADMIN_PASSWORD},
    )
    token = issued.json()
    assert isinstance(token, str) and token
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await anonymous.get("/orders/1", headers=bearer)).status_code == 200
    clock.now += 4 * 3600 + 1
    assert (await anonymous.get("/orders/1", headers=bearer)).status_code == 401


async def test_unknown_routes_answer_magentos_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"message": "Request does not match any route."}


async def test_form_encoded_bodies_are_part_of_the_signature(http: Callable[..., httpx.AsyncClient]) -> None:
    signer = OAuth1().client
    url = BASE + "/rest/default/V1/orders/1/comments"
    body = "note=hello+there"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _, signed, _ = signer.sign(url, http_method="POST", body=body, headers=form)
    client = http(auth=httpx.Auth())
    # Accepted by the signature check (then refused by the route for lack of a JSON statusHistory).
    good = await client.post("/orders/1/comments", content=body, headers=signed)
    assert good.status_code == 400
    tampered = await client.post("/orders/1/comments", content="note=changed", headers=signed)
    assert tampered.status_code == 401


async def test_a_space_sent_as_plus_in_the_query_fails_the_signature_as_in_magento(
    http: Callable[..., httpx.AsyncClient],
) -> None:
    # Magento's OAuth helper decodes the query with rawurldecode: "%20" is a space, "+" stays a plus.
    signer = OAuth1().client
    prefix = "searchCriteria[filter_groups][0][filters][0]"
    query = {f"{prefix}[field]": "created_at", f"{prefix}[value]": "2020-01-01 00:00:00", **PAGE}
    url = str(httpx.URL(BASE + "/rest/default/V1/orders", params=query))
    _, signed, _ = signer.sign(url)
    client = http(auth=httpx.Auth())
    percent = await client.get(url.removeprefix(BASE + "/rest/default/V1"), headers=signed)
    assert percent.status_code == 200, percent.text
    _, signed, _ = signer.sign(url.replace("%20", "+"))
    plus = await client.get(url.replace("%20", "+").removeprefix(BASE + "/rest/default/V1"), headers=signed)
    assert plus.status_code == 401
    assert plus.json() == {"message": "The signature is invalid. Verify and try again."}


async def test_a_path_signed_as_sent_with_an_encoded_slash_is_refused_as_in_magento(
    http: Callable[..., httpx.AsyncClient],
) -> None:
    """Issue 21, Magento 2.4.7-p3: the signature is checked over the path with ``%2F`` decoded (Laminas
    ``Uri::normalizePath``), so a client signing ``%2F`` as sent gets 401."""
    signer = OAuth1().client
    url = BASE + "/rest/default/V1/products/MH01%2FXS"
    client = http(auth=httpx.Auth())
    _, as_sent, _ = signer.sign(url)
    refused = await client.get("/products/MH01%2FXS", headers=as_sent)
    assert refused.status_code == 401
    assert refused.json() == {"message": "The signature is invalid. Verify and try again."}
    _, decoded, _ = signer.sign(BASE + "/rest/default/V1/products/MH01/XS")
    assert (
        await client.get("/products/MH01%2FXS", headers=decoded)
    ).status_code == 404  # signed; no such SKU
