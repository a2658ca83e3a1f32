"""Seeding the store side of the sandbox so that it matches the seeded NetSuite account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ledgerlink.sandbox.woocommerce.seed import seed_orders, seed_products


def known_skus(count: int) -> list[str]:
    """The SKUs the NetSuite seed creates as items, in the same order."""
    return [f"SKU-{n:04d}" for n in range(1, count + 1)]


def unknown_skus(count: int) -> list[str]:
    """SKUs the store sells but NetSuite lacks: the orders that carry them must reach the error queue."""
    return [f"NEW-{n:04d}" for n in range(1, count + 1)]


@dataclass(frozen=True)
class StoreSeed:
    products: int
    orders: int
    order_ids: list[int] | list[str]  # WooCommerce and Magento number orders; commercetools uses UUIDs
    orders_with_unknown_skus: list[int] | list[str]


IdT = TypeVar("IdT", int, str)


def seed_matching_store(
    seed_products: Callable[[list[str]], object],
    seed_orders: Callable[[int, list[str], int], list[IdT]],
    *,
    orders: int,
    products: int,
    unknown_sku_orders: int = 0,
    rng_seed: int = 7,
) -> StoreSeed:
    """Any store platform: products matching the NetSuite items, ``orders`` orders, of which
    ``unknown_sku_orders`` sell a product whose SKU NetSuite lacks. ``seed_orders(count, skus, rng_seed)``
    answers the ids of the orders it made."""
    skus: list[str] = known_skus(products)
    strangers: list[str] = unknown_skus(min(unknown_sku_orders, 3)) if unknown_sku_orders else []
    seed_products([*skus, *strangers])
    regular: list[IdT] = seed_orders(orders - unknown_sku_orders, skus, rng_seed)
    odd: list[IdT] = seed_orders(unknown_sku_orders, strangers, rng_seed + 1) if unknown_sku_orders else []
    return StoreSeed(
        products=len(skus) + len(strangers),
        orders=len(regular) + len(odd),
        order_ids=regular + odd,
        orders_with_unknown_skus=odd,
    )


def seed_store(
    state_path: Path, *, orders: int, products: int, unknown_sku_orders: int = 0, rng_seed: int = 7
) -> StoreSeed:
    """The WooCommerce store of the sandbox, matching the NetSuite seed (see :func:`seed_matching_store`)."""
    return seed_matching_store(
        lambda skus: seed_products(state_path, skus, rng_seed=rng_seed),
        lambda count, skus, seed: seed_orders(state_path, count, skus=skus, rng_seed=seed),
        orders=orders,
        products=products,
        unknown_sku_orders=unknown_sku_orders,
        rng_seed=rng_seed,
    )
