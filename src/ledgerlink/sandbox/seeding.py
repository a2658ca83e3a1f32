"""Seeding the store side of the sandbox so that it matches the seeded NetSuite account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def seed_store(
    state_path: Path, *, orders: int, products: int, unknown_sku_orders: int = 0, rng_seed: int = 7
) -> StoreSeed:
    """Products matching the NetSuite items, ``orders`` orders, of which ``unknown_sku_orders`` sell a
    product whose SKU NetSuite lacks."""
    skus = known_skus(products)
    strangers = unknown_skus(min(unknown_sku_orders, 3)) if unknown_sku_orders else []
    seed_products(state_path, [*skus, *strangers], rng_seed=rng_seed)
    regular = seed_orders(state_path, orders - unknown_sku_orders, skus=skus, rng_seed=rng_seed)
    odd = (
        seed_orders(state_path, unknown_sku_orders, skus=strangers, rng_seed=rng_seed + 1)
        if unknown_sku_orders
        else []
    )
    return StoreSeed(
        products=len(skus) + len(strangers),
        orders=len(regular) + len(odd),
        order_ids=regular + odd,
        orders_with_unknown_skus=odd,
    )
