"""SuiteQL: the request NetSuite expects, offset paging under 100,000 rows, keyset paging beyond."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerlink.connectors.netsuite.client import NetSuiteClient, suiteql_literal
from ledgerlink.connectors.netsuite.suiteql import (
    INTERNAL_ID,
    LAST_MODIFIED,
    KeyColumn,
    key_column,
    keyset_query,
    redact_literals,
)
from ledgerlink.engine.problems import Code, ProblemError

ORDERS = (
    "SELECT id, tranid, type, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate "
    "FROM transaction WHERE type = 'SalesOrd' OR type = 'CashSale'"
)


async def collect(rows: Any) -> list[dict[str, Any]]:
    return [row async for row in rows]


async def test_suiteql_page_request_and_answer(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.suiteql([{"id": "7", "symbol": "USD"}], has_more=True, offset=20, total=31))
    page = await client.suiteql_page("SELECT id, symbol FROM currency ORDER BY id", limit=10, offset=20)

    request = fake.last
    assert request.method == "POST"
    assert request.url.path == "/services/rest/query/v1/suiteql"
    assert dict(request.url.params) == {"limit": "10", "offset": "20"}
    assert request.headers["Prefer"] == "transient"
    assert request.headers["Content-Type"] == "application/json"
    assert "X-NetSuite-PropertyNameValidation" not in request.headers
    assert json.loads(request.content) == {"q": "SELECT id, symbol FROM currency ORDER BY id"}
    assert page.items == [{"id": "7", "symbol": "USD"}]  # per-row links removed
    assert (page.has_more, page.total_results, page.offset, page.count) == (True, 31, 20, 1)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (10, 5), (10, -10), (1000, 100_000)])
async def test_suiteql_page_refuses_what_netsuite_would(
    client: NetSuiteClient, fake: Any, limit: int, offset: int
) -> None:
    with pytest.raises(ProblemError) as raised:
        await client.suiteql_page("SELECT id FROM item ORDER BY id", limit=limit, offset=offset)
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert fake.requests == []


@pytest.mark.parametrize(
    "payload",
    [
        {"items": "nope", "hasMore": False},
        {"items": [], "hasMore": "no"},
        {"items": [1], "hasMore": False},
        [],
    ],
)
async def test_suiteql_page_with_a_broken_envelope_is_a_bad_response(
    client: NetSuiteClient, fake: Any, payload: Any
) -> None:
    fake.answer(fake.json(payload))
    with pytest.raises(ProblemError) as raised:
        await client.suiteql_page("SELECT id FROM item ORDER BY id")
    assert raised.value.problem.code == Code.BAD_RESPONSE


async def test_suiteql_follows_has_more_by_offset(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(
        fake.suiteql([{"id": "1"}, {"id": "2"}], has_more=True, offset=0),
        fake.suiteql([{"id": "3"}, {"id": "4"}], has_more=True, offset=2),
        fake.suiteql([{"id": "5"}], has_more=False, offset=4),
    )
    rows = await collect(client.suiteql("SELECT id FROM item ORDER BY id", page_size=2))
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [r.url.params["offset"] for r in fake.requests] == ["0", "2", "4"]
    assert {r.url.params["limit"] for r in fake.requests} == {"2"}


async def test_suiteql_stops_at_netsuites_100000_row_ceiling(client: NetSuiteClient, fake: Any) -> None:
    fake.otherwise = lambda request: fake.suiteql([{"id": request.url.params["offset"]}], has_more=True)
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql("SELECT id FROM transaction ORDER BY id", page_size=1000))
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert "suiteql_keyset" in raised.value.problem.why
    assert max(int(r.url.params["offset"]) for r in fake.requests) == 99_000


async def test_suiteql_refuses_an_empty_page_that_claims_more(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.suiteql([], has_more=True))
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql("SELECT id FROM item ORDER BY id"))
    assert raised.value.problem.code == Code.BAD_RESPONSE


class SuiteQLDatabase:
    """Answers SuiteQL from SQLite, so keyset paging is checked against a real query engine.

    ``TO_CHAR(col, fmt)`` and ``TO_TIMESTAMP('v', fmt)`` are reduced to the column and the text: the
    ``YYYY-MM-DD HH24:MI:SS`` strings sort like the timestamps they stand for.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            'CREATE TABLE "transaction" (id INTEGER, tranid TEXT, type TEXT, lastmodifieddate TEXT)'
        )
        self.queries: list[str] = []
        self.on_page: Callable[[int], None] = lambda page: None

    def add(self, rows: Iterator[tuple[int, str, str, str]]) -> None:
        self.db.executemany('INSERT INTO "transaction" VALUES (?, ?, ?, ?)', rows)

    def touch(self, record_id: int, when: str) -> None:
        self.db.execute('UPDATE "transaction" SET lastmodifieddate = ? WHERE id = ?', (when, record_id))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = json.loads(request.content)["q"]
        self.queries.append(query)
        assert len(self.queries) < 500, "paging does not terminate"
        self.on_page(len(self.queries))
        sql = re.sub(r"TO_TIMESTAMP\(('[^']*'), '[^']*'\)", r"\1", query)
        sql = re.sub(r"TO_CHAR\((\w+), '[^']*'\)", r"\1", sql).replace(
            "FROM transaction", 'FROM "transaction"'
        )
        cursor = self.db.execute(sql)
        names = [column[0].lower() for column in cursor.description]
        rows = [dict(zip(names, (str(v) for v in row), strict=True)) for row in cursor.fetchall()]
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        page = rows[offset : offset + limit]
        return httpx.Response(
            200,
            json={
                "links": [],
                "count": len(page),
                "hasMore": len(rows) > offset + limit,
                "items": [{"links": [], **row} for row in page],
                "offset": offset,
                "totalResults": len(rows),
            },
        )


def transactions(count: int) -> Iterator[tuple[int, str, str, str]]:
    """Many records share a modification second, as they do after a mass update."""
    start = datetime(2026, 11, 5, 10, 0, 0)
    for n in range(1, count + 1):
        kind = ("SalesOrd", "CashSale", "CustInvc")[n % 3]
        when = start + timedelta(seconds=n // 40)
        yield (count + 1 - n, f"T{n}", kind, when.strftime("%Y-%m-%d %H:%M:%S"))


async def test_keyset_reads_every_row_once_with_fixed_offset(client: NetSuiteClient, fake: Any) -> None:
    database = SuiteQLDatabase()
    database.add(transactions(1000))
    fake.otherwise = database

    rows = await collect(client.suiteql_keyset(ORDERS, page_size=50))

    expected = database.db.execute(
        "SELECT COUNT(*) FROM \"transaction\" WHERE type IN ('SalesOrd', 'CashSale')"
    ).fetchone()[0]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == expected
    keys = [(row["lastmodifieddate"], int(row["id"])) for row in rows]
    assert keys == sorted(keys)
    assert {r.url.params["offset"] for r in fake.requests} == {"0"}
    assert {r.url.params["limit"] for r in fake.requests} == {"50"}
    assert database.queries[0] == ORDERS + " ORDER BY lastmodifieddate, id"
    last_of_first = rows[49]
    stamp = f"TO_TIMESTAMP('{last_of_first['lastmodifieddate']}', 'YYYY-MM-DD HH24:MI:SS')"
    assert database.queries[1] == (
        "SELECT id, tranid, type, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate "
        "FROM transaction WHERE (type = 'SalesOrd' OR type = 'CashSale') AND "
        f"(lastmodifieddate > {stamp} OR (lastmodifieddate = {stamp} AND id > {last_of_first['id']})) "
        "ORDER BY lastmodifieddate, id"
    )


async def test_keyset_sees_records_modified_during_the_read(client: NetSuiteClient, fake: Any) -> None:
    database = SuiteQLDatabase()
    database.add(transactions(300))
    first_id = database.db.execute(
        "SELECT id FROM \"transaction\" WHERE type = 'SalesOrd' ORDER BY lastmodifieddate, id LIMIT 1"
    ).fetchone()[0]
    database.on_page = lambda page: database.touch(first_id, "2026-11-06 00:00:00") if page == 3 else None
    fake.otherwise = database

    rows = await collect(client.suiteql_keyset(ORDERS, page_size=20))

    ids = [int(row["id"]) for row in rows]
    assert ids.count(first_id) == 2  # read before and after its change; the engine dedupes
    assert rows[-1]["lastmodifieddate"] == "2026-11-06 00:00:00"
    expected = database.db.execute(
        "SELECT COUNT(*) FROM \"transaction\" WHERE type IN ('SalesOrd', 'CashSale')"
    ).fetchone()[0]
    assert len(set(ids)) == expected


async def test_keyset_resumes_after_a_stored_position(client: NetSuiteClient, fake: Any) -> None:
    database = SuiteQLDatabase()
    database.add(transactions(200))
    fake.otherwise = database
    everything = await collect(client.suiteql_keyset(ORDERS, page_size=1000))
    position = (everything[99]["lastmodifieddate"], everything[99]["id"])

    rest = await collect(client.suiteql_keyset(ORDERS, page_size=30, after=position))

    assert rest == everything[100:]


async def test_keyset_with_string_key_names(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.suiteql([], has_more=False))
    await collect(client.suiteql_keyset(ORDERS, key_columns=("lastmodifieddate", "id")))
    assert json.loads(fake.last.content)["q"].endswith(" ORDER BY lastmodifieddate, id")
    assert key_column("lastmodifieddate") is LAST_MODIFIED
    assert key_column("ID") is INTERNAL_ID
    assert key_column("t.tranid") == KeyColumn("t.tranid", "tranid", "text")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT id FROM transaction ORDER BY id",
        "SELECT type, COUNT(*) FROM transaction GROUP BY type",
        "SELECT id FROM transaction FETCH FIRST 10 ROWS ONLY",
        "DELETE FROM transaction",
    ],
)
async def test_keyset_refuses_queries_it_cannot_page(client: NetSuiteClient, fake: Any, query: str) -> None:
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql_keyset(query))
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert fake.requests == []


async def test_keyset_explains_a_missing_or_display_formatted_key(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.suiteql([{"id": "1"}], has_more=True))
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql_keyset("SELECT id FROM transaction"))
    assert (
        "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate" in raised.value.problem.why
    )

    fake.answer(fake.suiteql([{"id": "1", "lastmodifieddate": "11/5/2026"}], has_more=True))
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql_keyset("SELECT id, lastmodifieddate FROM transaction"))
    assert raised.value.problem.code == Code.VALIDATION_FAILED
    assert "TO_CHAR" in raised.value.problem.why


async def test_keyset_stops_when_pages_do_not_advance(client: NetSuiteClient, fake: Any) -> None:
    same = [{"id": "1", "lastmodifieddate": "2026-11-05 10:00:00"}]
    fake.otherwise = lambda request: fake.suiteql(same, has_more=True)
    with pytest.raises(ProblemError) as raised:
        await collect(client.suiteql_keyset("SELECT id FROM transaction"))
    assert raised.value.problem.code == Code.BAD_RESPONSE
    assert len(fake.requests) == 2


def test_keyset_query_finds_only_top_level_clauses() -> None:
    query = (
        "SELECT id FROM transaction WHERE memo = 'ORDER BY x WHERE' "
        "AND entity IN (SELECT id FROM customer WHERE isinactive = 'F' ORDER BY id)"
    )
    built = keyset_query(query, [INTERNAL_ID], ["12"])
    assert built == (
        "SELECT id FROM transaction WHERE (memo = 'ORDER BY x WHERE' AND entity IN "
        "(SELECT id FROM customer WHERE isinactive = 'F' ORDER BY id)) AND (id > 12) ORDER BY id"
    )
    assert keyset_query("SELECT id FROM item;", [INTERNAL_ID], ["3"]) == (
        "SELECT id FROM item WHERE (id > 3) ORDER BY id"
    )


def test_key_literals_refuse_values_that_could_inject() -> None:
    with pytest.raises(ValueError, match="not a number"):
        INTERNAL_ID.literal("1 OR 1=1")
    with pytest.raises(ValueError, match="TO_CHAR"):
        LAST_MODIFIED.literal("2026-11-05 10:00:00' OR '1'='1")
    assert KeyColumn("tranid", "tranid").literal("O'Neil") == "'O''Neil'"


def naive_sql_string(literal: str) -> str:
    """Read one SQL string literal the way a SQL lexer does; fails on a quote that ends it early."""
    assert literal[0] == literal[-1] == "'"
    inner, value, index = literal[1:-1], [], 0
    while index < len(inner):
        if inner[index] == "'":
            assert inner[index + 1 : index + 2] == "'", "a lone quote ends the literal early"
            index += 2
            value.append("'")
        else:
            value.append(inner[index])
            index += 1
    return "".join(value)


@given(st.text())
def test_suiteql_literal_round_trips(value: str) -> None:
    literal = suiteql_literal(value)
    assert naive_sql_string(literal) == value
    query = f"SELECT id FROM customer WHERE email = {literal} AND isinactive = 'F'"
    assert redact_literals(query) == "SELECT id FROM customer WHERE email = '?' AND isinactive = '?'"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")))
def test_suiteql_literal_reads_back_through_a_sql_engine(value: str) -> None:
    with sqlite3.connect(":memory:") as db:
        assert db.execute(f"SELECT {suiteql_literal(value)}").fetchone()[0] == value


def test_suiteql_literal_examples() -> None:
    assert suiteql_literal("O'Brien") == "'O''Brien'"
    assert suiteql_literal("") == "''"
    assert suiteql_literal("a\\'b") == "'a\\''b'"
    with pytest.raises(TypeError):
        suiteql_literal(5)  # type: ignore[arg-type]
