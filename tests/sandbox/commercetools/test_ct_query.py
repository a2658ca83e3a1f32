"""Query predicates, sorting and paging of the emulated project API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerlink.sandbox.commercetools.predicates import PredicateError, compile_predicates
from ledgerlink.sandbox.commercetools.seed import seed_orders
from ledgerlink.sandbox.seeding import known_skus

from .conftest import PROJECT

DOC = {
    "id": "b2",
    "version": 3,
    "orderState": "Open",
    "lastModifiedAt": "2024-05-01T10:00:00.000Z",
    "store": {"typeId": "store", "key": "berlin"},
    "lineItems": [
        {"variant": {"sku": "SKU-0001"}, "quantity": 2},
        {"variant": {"sku": "SKU-0002"}, "quantity": 1},
    ],
    "customerEmail": 'a"b@example.com',
}
AFTER_CURSOR = 'lastModifiedAt > "2024-05-01T10:00:00Z" or (lastModifiedAt = "2024-05-01T10:00:00Z" and id >'

AFTER_CURSOR = 'lastModifiedAt > "2024-05-01T10:00:00Z" or (lastModifiedAt = "2024-05-01T10:00:00Z" and id >'


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ('orderState = "Open"', True),
        ('orderState != "Open"', False),
        ('orderState <> "Complete"', True),
        ("version > 2", True),
        ("version >= 4", False),
        ("version < 4 and version <= 3", True),
        ('orderState in ("Open", "Confirmed")', True),
        ('orderState not in ("Open", "Confirmed")', False),
        ('lastModifiedAt > "2024-05-01T09:59:59.999Z"', True),
        ('lastModifiedAt = "2024-05-01T10:00:00Z"', True),
        (AFTER_CURSOR + ' "b1")', True),
        (AFTER_CURSOR + ' "b2")', False),
        ('store(key = "berlin")', True),
        ('store(key = "paris")', False),
        ('lineItems(variant(sku = "SKU-0002"))', True),
        ('lineItems(variant(sku = "SKU-0003"))', False),
        ('lineItems(variant(sku = "SKU-0001") and quantity = 2)', True),
        ('lineItems(variant(sku = "SKU-0002") and quantity = 2)', False),
        ("completedAt is not defined", True),
        ("store is defined", True),
        ('not (orderState = "Open")', False),
        ('customerEmail = "a\\"b@example.com"', True),
    ],
)
def test_predicates(predicate: str, expected: bool) -> None:
    assert compile_predicates([predicate])(DOC) is expected


@pytest.mark.parametrize(
    "predicate",
    [
        'orderState ~ "Open"',
        'orderState = "Open" and',
        "(orderState = 'Open'",
        'orderState = "Open")',
        "orderState =",
        'store(key = "x"',
        'orderState = "Open" xor id = "1"',
    ],
)
def test_unsupported_predicates_are_refused(predicate: str) -> None:
    with pytest.raises(PredicateError):
        compile_predicates([predicate])


def test_repeated_where_means_and() -> None:
    assert compile_predicates(['orderState = "Open"', "version = 3"])(DOC)
    assert not compile_predicates(['orderState = "Open"', "version = 4"])(DOC)


def test_variables() -> None:
    assert compile_predicates(["orderState = :state"], {"state": ["Open"]})(DOC)


@pytest.fixture
def seeded(state_path: Path) -> list[str]:
    return seed_orders(state_path, 12, skus=known_skus(5))


async def _query(api: httpx.AsyncClient, *params: tuple[str, str]) -> httpx.Response:
    return await api.get(f"{PROJECT}/orders", params=list(params))


async def test_bad_predicate_is_400_invalid_input(api: httpx.AsyncClient, seeded: list[str]) -> None:
    response = await _query(api, ("where", 'orderState ~ "Open"'))
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400
    assert body["errors"][0]["code"] == "InvalidInput"


async def test_sort_by_several_fields(api: httpx.AsyncClient, seeded: list[str]) -> None:
    response = await _query(api, ("sort", "orderState desc"), ("sort", "id asc"), ("limit", "500"))
    results: list[dict[str, Any]] = response.json()["results"]
    keys = [(r["orderState"], r["id"]) for r in results]
    expected = sorted(keys, key=lambda k: k[1])
    expected.sort(key=lambda k: k[0], reverse=True)
    assert keys == expected


async def test_limits(api: httpx.AsyncClient, seeded: list[str]) -> None:
    assert (await _query(api, ("limit", "501"))).status_code == 400
    assert (await _query(api, ("offset", "10001"))).status_code == 400
    assert (await _query(api, ("offset", "10000"))).json()["results"] == []
    default = (await _query(api)).json()
    assert default["limit"] == 20 and default["offset"] == 0 and default["total"] == 12


async def test_paging_and_with_total(api: httpx.AsyncClient, seeded: list[str]) -> None:
    first = (await _query(api, ("limit", "5"), ("sort", "id asc"), ("withTotal", "false"))).json()
    assert "total" not in first
    assert first["count"] == 5
    second = (await _query(api, ("limit", "5"), ("offset", "5"), ("sort", "id asc"))).json()
    assert second["total"] == 12
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == sorted(seeded)[:10]


async def test_where_on_nested_fields(api: httpx.AsyncClient, seeded: list[str]) -> None:
    everything = (await _query(api, ("limit", "500"))).json()["results"]
    sku = everything[0]["lineItems"][0]["variant"]["sku"]
    response = await _query(api, ("where", f'lineItems(variant(sku = "{sku}"))'), ("limit", "500"))
    found = {r["id"] for r in response.json()["results"]}
    expected = {o["id"] for o in everything if any(li["variant"]["sku"] == sku for li in o["lineItems"])}
    assert found == expected
    in_store = await _query(api, ("where", 'store(key = "sandbox-store")'), ("withTotal", "true"))
    assert in_store.json()["total"] == 12
