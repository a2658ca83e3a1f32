"""SuiteQL runs on the real tables, pages like NetSuite, and refuses what it cannot answer exactly."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary

from .conftest import RECORD, SUITEQL, new_id, order_body, suiteql


async def test_prefer_transient_is_required(client: httpx.AsyncClient) -> None:
    response = await client.post(SUITEQL, json={"q": "SELECT id FROM item"})
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorHeader"] == "Prefer"


async def test_paging_with_has_more_offset_and_limit(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    q = "SELECT id, itemid, isinactive, upccode FROM item WHERE itemtype = 'InvtPart' ORDER BY itemid"
    seen: list[str] = []
    offset = 0
    while True:
        page = (await suiteql(client, q, limit=7, offset=offset)).json()
        assert page["totalResults"] == 30
        assert page["offset"] == offset and page["count"] == len(page["items"])
        seen += [row["itemid"] for row in page["items"]]
        if not page["hasMore"]:
            break
        offset += 7
    assert seen == [f"SKU-{n:04d}" for n in range(1, 31)]
    row = page["items"][-1]
    assert row["links"] == [] and row["isinactive"] == "F" and isinstance(row["id"], str)
    assert row["id"] == seeded.item_ids["SKU-0030"]
    misaligned = await suiteql(client, q, limit=7, offset=3)
    assert misaligned.status_code == 400
    assert (await suiteql(client, q, limit=0)).status_code == 400
    assert (await suiteql(client, q, limit=1000, offset=100_000)).status_code == 400


async def test_joins_lines_and_counts(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded, externalId="woo-55")))
    q = (
        "SELECT t.id, t.tranid, t.foreigntotal, tl.linesequencenumber, i.itemid, tl.quantity, tl.rate, "
        "tl.netamount FROM Transaction t JOIN TransactionLine tl ON tl.transaction = t.id "
        "JOIN item i ON i.id = tl.item WHERE t.type = 'SalesOrd' AND t.externalid IN ('woo-55') "
        "AND tl.mainline = 'F' ORDER BY tl.linesequencenumber"
    )
    rows = (await suiteql(client, q)).json()["items"]
    assert [r["itemid"] for r in rows] == ["SKU-0001", "SKU-0002"]
    assert rows[0]["id"] == order_id and rows[0]["tranid"] == "SO1001" and rows[0]["foreigntotal"] == "25.5"
    # sales lines are stored as NetSuite stores them: quantity and amount negative, rate as entered
    assert (rows[0]["quantity"], rows[0]["rate"], rows[0]["netamount"]) == ("-2", "10", "-20")
    count = (await suiteql(client, "SELECT COUNT(*) AS n FROM transactionline WHERE mainline = 'T'")).json()
    assert count["items"][0]["n"] == "1"
    people = await suiteql(
        client,
        "SELECT id, email, companyname FROM customer WHERE UPPER(email) LIKE '%@EXAMPLE.COM' "
        "AND (isperson = 'T' OR companyname IS NOT NULL) ORDER BY id",
    )
    rows = people.json()["items"]
    assert len(rows) == 5 and all("companyname" not in r for r in rows)  # null columns are left out
    assert [r["id"] for r in rows] == sorted(seeded.customer_ids.values(), key=int)
    ship = await suiteql(client, f"SELECT itemid FROM item WHERE id = {REFERENCE_IDS['ship_item']}")
    assert ship.json()["items"][0]["itemid"] == "Ground"


async def test_date_filtering_and_formats(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded)))
    today = datetime.now(UTC)
    since = (today - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    later = (today + timedelta(days=1)).strftime("%Y-%m-%d")
    stamp = "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    base = f"SELECT id, lastmodifieddate, {stamp} AS ts FROM transaction"
    recent = await suiteql(
        client,
        f"{base} WHERE lastmodifieddate >= TO_TIMESTAMP('{since}', 'YYYY-MM-DD HH24:MI:SS') ORDER BY id",
    )
    row = recent.json()["items"][0]
    assert row["lastmodifieddate"] == f"{today.month}/{today.day}/{today.year}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", row["ts"])
    assert row["ts"] >= since.replace(" ", "T")
    none = await suiteql(client, f"{base} WHERE lastmodifieddate >= TO_DATE('{later}', 'YYYY-MM-DD')")
    assert none.json()["totalResults"] == 0
    account_format = f"{today.month}/{today.day}/{today.year}"
    literal = await suiteql(client, f"SELECT id FROM transaction WHERE trandate = '{account_format}'")
    assert literal.json()["totalResults"] == 1


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("DELETE FROM customer", "SELECT"),
        ("SELECT id FROM nosuchtable", "Invalid search type: nosuchtable"),
        ("SELECT nosuchcolumn FROM customer", "Unknown identifier 'nosuchcolumn'"),
        ("SELECT BUILTIN.DF(entity) FROM transaction", "Unsupported"),
        ("SELECT id FROM transaction WHERE trandate > SYSDATE - 1", "date arithmetic"),
        ("SELECT id FROM customer WHERE ROWNUM < 3", "ROWNUM"),
        ("SELECT id FROM customer WHERE", "Search error occurred"),
        ("SELECT REGEXP_SUBSTR(email, 'a') FROM customer", "Unsupported function"),
    ],
)
async def test_unsupported_queries_are_refused(client: httpx.AsyncClient, query: str, fragment: str) -> None:
    response = await suiteql(client, query)
    assert response.status_code == 400
    body = response.json()
    item = body["o:errorDetails"][0]
    assert item["o:errorCode"] == "INVALID_PARAMETER" and item["o:errorQueryParam"] == "q"
    assert item["detail"].startswith("Invalid search query. Detailed unprocessed description follows.")
    assert fragment in item["detail"]


async def test_date_columns_sort_on_the_full_timestamp(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    await asyncio.sleep(1.1)  # lastModifiedDate has one-second resolution
    item_id = seeded.item_ids["SKU-0005"]
    assert (
        await client.patch(f"{RECORD}/inventoryItem/{item_id}", json={"displayName": "New"})
    ).status_code == 204
    q = (
        "SELECT itemid, lastmodifieddate FROM item WHERE itemtype = 'InvtPart' "
        "ORDER BY lastmodifieddate DESC, id"
    )
    rows = (await suiteql(client, q)).json()["items"]
    assert [r["itemid"] for r in rows[:2]] == ["SKU-0005", "SKU-0001"]  # same day, so the display value ties
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", r["lastmodifieddate"]) for r in rows)
