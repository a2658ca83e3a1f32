"""Seeded projects: realistic, consistent to the cent, reproducible, and safe to write while served."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from ledgerlink.sandbox.commercetools.seed import seed_orders, seed_products, seed_store
from ledgerlink.sandbox.commercetools.state import StateStore
from ledgerlink.sandbox.seeding import StoreSeed

from .conftest import PROJECT


def _orders(state: Path) -> list[dict[str, Any]]:
    with StateStore(state).transaction() as tx:
        return tx.all("orders")


def _cents(value: dict[str, Any]) -> int:
    assert value["type"] == "centPrecision" and value["fractionDigits"] == 2
    return int(value["centAmount"])


def test_seed_store_matches_the_netsuite_catalogue(state_path: Path) -> None:
    seed = seed_store(state_path, orders=40, products=8, unknown_sku_orders=2)
    assert isinstance(seed, StoreSeed)
    assert seed.products == 10 and seed.orders == 40
    assert len(seed.order_ids) == 40 and len(seed.orders_with_unknown_skus) == 2
    orders = {o["id"]: o for o in _orders(state_path)}
    for order_id in seed.orders_with_unknown_skus:
        assert all(li["variant"]["sku"].startswith("NEW-") for li in orders[str(order_id)]["lineItems"])
    regular = set(map(str, seed.order_ids)) - set(map(str, seed.orders_with_unknown_skus))
    assert all(li["variant"]["sku"].startswith("SKU-") for i in regular for li in orders[i]["lineItems"])


def test_orders_are_consistent_to_the_cent(state_path: Path) -> None:
    seed_orders(state_path, 80, skus=[f"SKU-{n:04d}" for n in range(1, 9)])
    for order in _orders(state_path):
        items = [*order["lineItems"], *order["customLineItems"], order["shippingInfo"]]
        net = sum(_cents(i["taxedPrice"]["totalNet"]) for i in items)
        gross = sum(_cents(i["taxedPrice"]["totalGross"]) for i in items)
        taxed = order["taxedPrice"]
        assert _cents(taxed["totalNet"]) == net
        assert _cents(taxed["totalGross"]) == gross
        assert sum(_cents(p["amount"]) for p in taxed["taxPortions"]) == gross - net
        assert _cents(order["totalPrice"]) == gross  # prices include VAT for EUR
        for line in order["lineItems"]:
            unit = _cents(line["price"]["value"])
            if line["discountedPricePerQuantity"]:
                [portion] = line["discountedPricePerQuantity"]
                discounted = _cents(portion["discountedPrice"]["value"])
                [included] = portion["discountedPrice"]["includedDiscounts"]
                assert discounted == unit - _cents(included["discountedAmount"])
                unit = discounted
            assert _cents(line["totalPrice"]) == unit * line["quantity"]
            assert 1 <= line["quantity"] <= 3
        assert 1 <= len(order["lineItems"]) <= 4


def test_orders_look_like_a_real_shop(state_path: Path) -> None:
    seed_orders(state_path, 120, skus=[f"SKU-{n:04d}" for n in range(1, 9)], currency="USD")
    orders = _orders(state_path)
    states = Counter(o["orderState"] for o in orders)
    assert states["Open"] + states["Confirmed"] > 0.7 * len(orders)
    assert states["Complete"] and states["Cancelled"]
    guests = [o for o in orders if "customerId" not in o]
    assert guests and all(o["customerEmail"] and o.get("anonymousId") for o in guests)
    assert any(o["discountCodes"] for o in orders)
    assert any(o["customLineItems"] for o in orders)
    assert all(o["store"] == {"typeId": "store", "key": "sandbox-store"} for o in orders)
    assert all(not o["lineItems"][0]["taxRate"]["includedInPrice"] for o in orders)  # US sales tax on top
    times = [o["lastModifiedAt"] for o in orders]
    assert all(t.endswith("Z") and len(t) == 24 for t in times)
    assert all(o["createdAt"] <= o["lastModifiedAt"] for o in orders)


def test_same_seed_same_shop(tmp_path: Path) -> None:
    def shape(state: Path) -> list[tuple[str, int, str]]:
        seed_orders(state, 15, skus=["SKU-0001", "SKU-0002", "SKU-0003"], rng_seed=5)
        return [
            (o["orderState"], _cents(o["taxedPrice"]["totalGross"]), o["lineItems"][0]["variant"]["sku"])
            for o in _orders(state)
        ]

    assert shape(tmp_path / "a.sqlite") == shape(tmp_path / "b.sqlite")


async def test_seeding_while_served(api: httpx.AsyncClient, state_path: Path) -> None:
    seed_products(state_path, ["SKU-0001", "SKU-0002"])
    first = (await api.get(f"{PROJECT}/orders")).json()["total"]
    seed_orders(state_path, 3, skus=["SKU-0001", "SKU-0002"])
    assert (await api.get(f"{PROJECT}/orders")).json()["total"] == first + 3
    projections = (await api.get(f"{PROJECT}/product-projections")).json()["results"]
    assert {p["masterVariant"]["sku"] for p in projections} == {"SKU-0001", "SKU-0002"}
    inventory = (await api.get(f"{PROJECT}/inventory")).json()["results"]
    assert all(entry["supplyChannel"]["typeId"] == "channel" for entry in inventory)
