"""Lanes: which work goes first when there is more work than capacity.

Urgent lanes (orders, fulfillments, refunds) come before customers, before inventory, before catalog
and images. The queue claims by priority, and the governor keeps part of each connection's budget for
urgent lanes, so that a catalog backfill that fills every worker never delays an order's requests.
"""

from __future__ import annotations

from contextvars import ContextVar

LANE_PRIORITY: dict[str, int] = {
    "orders": 10,
    "fulfillments": 10,
    "refunds": 10,
    "customers": 20,
    "inventory": 30,
    "catalog": 40,
    "images": 50,
    "default": 100,
    "maintenance": 1000,
}
BULK_LANES = frozenset({"inventory", "catalog", "images", "maintenance"})  # may not use the reserve

current_lane: ContextVar[str] = ContextVar("current_lane", default="default")


def priority_of(lane: str) -> int:
    return LANE_PRIORITY.get(lane, LANE_PRIORITY["default"])


def is_bulk(lane: str) -> bool:
    return lane in BULK_LANES
