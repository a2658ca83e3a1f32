"""The PyPI ``netsuite`` client, unchanged, talks to the emulator over a real loopback socket.

That client builds ``https://<account>.suitetalk.api.netsuite.com`` URLs itself and (release 0.12) has
no base-URL setting; every call accepts ``url=`` instead, which is how it is pointed at the emulator.
It signs with authlib (HMAC-SHA256, realm = account, ``oauth_body_hash`` on JSON bodies).
"""

from __future__ import annotations

import pytest
from netsuite import Config, TokenAuth
from netsuite.exceptions import NetsuiteAPIRequestError
from netsuite.rest_api import NetSuiteRestApi

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.seed import SeedSummary

from .conftest import order_body


def _api() -> NetSuiteRestApi:
    config = Config(
        account=credentials.NETSUITE_ACCOUNT,
        auth=TokenAuth(
            consumer_key=credentials.NETSUITE_CONSUMER_KEY,
            consumer_secret=credentials.NETSUITE_CONSUMER_SECRET,
            token_id=credentials.NETSUITE_TOKEN_ID,
            token_secret=credentials.NETSUITE_TOKEN_SECRET,
        ),
    )
    return NetSuiteRestApi(config)


async def test_netsuite_client_creates_upserts_reads_and_queries(
    live_server: str, seeded: SeedSummary
) -> None:
    api = _api()
    records = f"{live_server}/services/rest/record/v1"

    created = await api.request(
        "POST", "/record/v1/customer", url=f"{records}/customer",
        json={"isPerson": False, "companyName": "Acme Ltd", "email": "ops@acme.example"},
    )  # fmt: skip
    assert created.status_code == 204, created.text
    customer_id = created.headers["Location"].rsplit("/", 1)[-1]

    body = order_body(seeded)
    body["entity"] = {"id": customer_id}
    upsert_url = f"{records}/salesOrder/eid:client-1"
    for _ in range(2):  # upsert twice: one order; replace=item keeps the lines from being appended again
        answer = await api.put(
            "/record/v1/salesOrder/eid:client-1", url=upsert_url, params={"replace": "item"}, json=body
        )
        assert answer is None  # 204, no body

    order = await api.get("/record/v1/salesOrder/eid:client-1", url=f"{records}/salesOrder/eid:client-1")
    assert order["entity"]["refName"].endswith("Acme Ltd")
    assert order["total"] == 25.5

    page = await api.suiteql(
        "SELECT id, tranid FROM transaction WHERE externalid = 'client-1'",
        limit=10,
        url=f"{live_server}/services/rest/query/v1/suiteql",
    )
    assert page["totalResults"] == 1 and page["items"][0]["tranid"] == order["tranId"]

    with pytest.raises(NetsuiteAPIRequestError) as refused:  # the client sends PropertyNameValidation: error
        await api.post(
            "/record/v1/customer", url=f"{records}/customer", json={"companyName": "X", "bogus": 1}
        )
    assert refused.value.status_code == 400
