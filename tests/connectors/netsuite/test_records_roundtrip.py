"""Property: a store order -> the sales order payload Ledgerlink builds -> what the emulator stores and
returns is lossless, and the total NetSuite computes equals ``translate.expected_total`` to the cent."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.order_factory import make_order

from ledgerlink.config import NetSuiteConnection, OrderMapping, parse_config
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.translate import expected_total, sales_order_payload
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary, seed_netsuite

EXAMPLES = itertools.count(1)  # upserts merge into an existing record: each example gets its own order
MAPPING = OrderMapping(
    subsidiary=REFERENCE_IDS["subsidiary"],
    location=REFERENCE_IDS["location"],
    ship_item=REFERENCE_IDS["ship_item"],
    discount_item=REFERENCE_IDS["discount_item"],
    tax_item=REFERENCE_IDS["tax_item"],
    fee_item=REFERENCE_IDS["fee_item"],
    payment_methods={"stripe": REFERENCE_IDS["payment_methods"]["stripe"]},
)
SKUS = [f"SKU-{n:04d}" for n in range(1, 9)]
cents = st.integers(min_value=0, max_value=300_00).map(lambda c: Decimal(c) / 100)
line_strategy = st.tuples(
    st.sampled_from(SKUS),
    st.integers(min_value=1, max_value=25),
    st.integers(min_value=1, max_value=500_00).map(lambda c: Decimal(c) / 100),
    cents,
    cents,
)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SeedSummary, NetSuiteConnection]:
    root = tmp_path_factory.mktemp("roundtrip")
    summary = seed_netsuite(root / "ns.db", items=len(SKUS), customers=1)
    config = parse_config(
        sandbox_config(database_url=f"sqlite:///{root / 'll.db'}", netsuite_url="http://ns.test")
    )
    connection = config.connections["netsuite"]
    assert isinstance(connection, NetSuiteConnection)
    return root / "ns.db", summary, connection


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


async def _round_trip(
    state: Path, summary: SeedSummary, connection: NetSuiteConnection, payload: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    app = create_app(state)
    async with NetSuiteClient(connection, transport=httpx.ASGITransport(app=app)) as client:
        order_id = await client.upsert("salesOrder", payload["externalId"], payload, replace=["item"])
        record = await client.get("salesOrder", order_id, expand=True)
        rows = [
            row
            async for row in client.suiteql(
                f"SELECT foreigntotal FROM transaction WHERE id = {int(order_id)} ORDER BY id"
            )
        ]
    return record, rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(line_strategy, min_size=1, max_size=5),
    shipping=cents,
    fee=cents,
)
def test_sales_order_payload_round_trips_and_totals_match(
    emulator: tuple[Path, SeedSummary, NetSuiteConnection],
    lines: list[tuple[str, int, Decimal, Decimal, Decimal]],
    shipping: Decimal,
    fee: Decimal,
) -> None:
    state, summary, connection = emulator
    order = make_order(lines, shipping, fee, email="jane@example.com")
    payload = sales_order_payload(
        order,
        external=f"woo-prop-{next(EXAMPLES)}",
        customer_id=next(iter(summary.customer_ids.values())),
        item_ids=summary.item_ids,
        currency_id=REFERENCE_IDS["currencies"]["USD"],
        mapping=MAPPING,
        channel="woo",
    )
    record, rows = asyncio.run(_round_trip(state, summary, connection, payload))

    expected = expected_total(payload)
    assert _dec(record["total"]) == expected == order.total.amount
    assert _dec(rows[0]["foreigntotal"]) == expected
    for name in ("externalId", "otherRefNum", "memo", "tranDate"):
        assert record[name] == payload[name]
    for name in ("entity", "currency", "subsidiary", "location", "shipMethod"):
        if name in payload:
            assert record[name]["id"] == payload[name]["id"]
    if "shippingCost" in payload:
        assert _dec(record["shippingCost"]) == payload["shippingCost"]
    sent = payload["item"]["items"]
    stored = record["item"]["items"]
    assert len(stored) == len(sent)
    for want, got in zip(sent, stored, strict=True):
        assert got["item"]["id"] == want["item"]["id"]
        assert _dec(got["amount"]) == want["amount"]
        assert _dec(got["rate"]) == want["rate"]
        assert got["description"] == want["description"]
        if "quantity" in want:
            assert _dec(got["quantity"]) == want["quantity"]
