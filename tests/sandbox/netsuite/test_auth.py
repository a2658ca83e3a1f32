"""Token-based authentication is checked on every request, and every failure looks like NetSuite's."""

from __future__ import annotations

import time
from typing import Any

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1

from .conftest import HOST, RECORD, TokenAuth, make_client

INVALID_LOGIN = {
    "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI "
            "at Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN",
        }
    ],
}


def assert_invalid_login(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.json() == INVALID_LOGIN


async def test_correct_signature_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{RECORD}/customer", params={"limit": 2})
    assert response.status_code == 200
    assert response.json()["count"] == 2


async def test_missing_authorization_is_refused(app: Any) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=HOST) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_wrong_token_secret_is_refused(app: Any) -> None:
    async with make_client(app, TokenAuth(resource_owner_secret="not-the-secret")) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_unknown_consumer_key_is_refused(app: Any) -> None:
    async with make_client(app, TokenAuth(client_key="someone-else")) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_hmac_sha1_is_refused(app: Any) -> None:
    async with make_client(app, TokenAuth(signature_method=SIGNATURE_HMAC_SHA1)) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_wrong_realm_is_refused(app: Any) -> None:
    async with make_client(app, TokenAuth(realm="1234567_sb1")) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_stale_timestamp_is_refused(app: Any) -> None:
    async with make_client(app, TokenAuth(timestamp=str(int(time.time()) - 600))) as http:
        assert_invalid_login(await http.get(f"{RECORD}/customer"))


async def test_replayed_nonce_is_refused(app: Any) -> None:
    url = f"{HOST}{RECORD}/customer"
    header = TokenAuth().header("GET", url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        first = await http.get(url, headers={"Authorization": header})
        second = await http.get(url, headers={"Authorization": header})
    assert first.status_code == 200
    assert_invalid_login(second)


async def test_query_parameters_are_signed(app: Any) -> None:
    signed_for = f"{HOST}{RECORD}/customer?limit=1"
    header = TokenAuth().header("GET", signed_for)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        assert_invalid_login(
            await http.get(f"{HOST}{RECORD}/customer?limit=2", headers={"Authorization": header})
        )


async def test_signature_covers_the_host_and_port_the_client_used(app: Any) -> None:
    header = TokenAuth().header("GET", f"http://127.0.0.1:9999{RECORD}/customer")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        wrong_port = await http.get(
            f"http://127.0.0.1:8701{RECORD}/customer", headers={"Authorization": header}
        )
        assert_invalid_login(wrong_port)
        header = TokenAuth().header("GET", f"http://127.0.0.1:8701{RECORD}/customer")
        right_port = await http.get(
            f"http://127.0.0.1:8701{RECORD}/customer", headers={"Authorization": header}
        )
    assert right_port.status_code == 200


async def test_authentication_comes_before_routing(app: Any) -> None:
    async with make_client(app, TokenAuth(client_secret="wrong")) as http:
        assert_invalid_login(await http.get(f"{RECORD}/noSuchType/1"))
