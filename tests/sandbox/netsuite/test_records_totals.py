"""Property: the totals the emulator computes equal an independent Decimal computation, to the cent,
for generated orders with quantities, two-decimal rates, line and header discounts, shipping and tax."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary, seed_catalog, seed_netsuite

from .conftest import RECORD, make_client, new_id

CENT = Decimal("0.01")
money = st.integers(min_value=1, max_value=999_99).map(lambda c: Decimal(c) / 100)
percent = st.integers(min_value=0, max_value=3000).map(lambda c: Decimal(c) / 100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SeedSummary, str]:
    path = tmp_path_factory.mktemp("totals") / "ns.sqlite"
    summary = seed_netsuite(path, items=5, customers=1)
    catalog = seed_catalog(path)
    return path, summary, catalog.tax_items["CA-STATE"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(
        st.tuples(st.integers(min_value=1, max_value=40), money, st.booleans()), min_size=1, max_size=6
    ),
    line_discount=st.one_of(st.none(), money),
    header_percent=st.one_of(st.none(), percent),
    shipping=st.one_of(st.none(), money),
    tax_rate=st.one_of(st.none(), percent),
)
def test_emulator_totals_match_an_independent_computation(
    account: tuple[Path, SeedSummary, str],
    lines: list[tuple[int, Decimal, bool]],
    line_discount: Decimal | None,
    header_percent: Decimal | None,
    shipping: Decimal | None,
    tax_rate: Decimal | None,
) -> None:
    path, summary, _ = account
    items: list[dict[str, Any]] = [
        {
            "item": {"id": summary.item_ids["SKU-0001"]},
            "quantity": qty,
            "rate": str(rate),
            "isTaxable": taxable,
        }
        for qty, rate, taxable in lines
    ]
    amounts = [cents(Decimal(qty) * rate) for qty, rate, _ in lines]
    taxable_base = sum((a for a, (_, _, t) in zip(amounts, lines, strict=True) if t), Decimal(0))
    subtotal = sum(amounts, Decimal(0))
    if line_discount is not None:
        items.append({"item": {"id": REFERENCE_IDS["discount_item"]}, "amount": str(line_discount)})
        subtotal -= line_discount
    body: dict[str, Any] = {
        "entity": {"id": next(iter(summary.customer_ids.values()))},
        "item": {"items": items},
    }
    total = subtotal
    if header_percent is not None:
        body["discountItem"] = {"id": REFERENCE_IDS["discount_item"]}
        body["discountRate"] = f"{header_percent}%"
        total -= cents(subtotal * header_percent / 100)
    if shipping is not None:
        body["shippingCost"] = str(shipping)
        total += shipping
    if tax_rate is not None:
        body["taxRate"] = str(tax_rate)
        total += cents(taxable_base * tax_rate / 100)

    async def run() -> dict[str, Any]:
        async with make_client(create_app(path)) as client:
            order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=body))
            return dict((await client.get(f"{RECORD}/salesOrder/{order_id}")).json())

    record = asyncio.run(run())
    assert Decimal(str(record["subtotal"])) == cents(subtotal)
    assert Decimal(str(record["total"])) == cents(total)
