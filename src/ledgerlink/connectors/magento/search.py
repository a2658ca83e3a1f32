"""Magento's ``searchCriteria`` as a value, and its query-string form.

List endpoints take ``searchCriteria[filter_groups][i][filters][j][field|value|condition_type]``: filters in
one group are OR-ed, groups are AND-ed. ``sortOrders`` apply in order. Without ``pageSize`` Magento answers
*every* match at once, so a sync always sends one. A ``currentPage`` past the end answers an empty list
(a real 2.4.7-p3 store, issue 21; older versions repeated the last page), so callers stop by
``total_count`` or by an empty page, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def magento_time(moment: datetime) -> str:
    """A UTC time as Magento stores and filters ``created_at``/``updated_at``; naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; Magento compares in UTC")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_magento_time(value: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (UTC, as the REST API returns it) as an aware datetime."""
    moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    condition_type: str = "eq"


@dataclass(frozen=True)
class SearchCriteria:
    """Groups are AND-ed, the filters inside one group OR-ed."""

    filter_groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[tuple[str, str], ...] = ()  # (field, "ASC" | "DESC")
    page_size: int | None = None
    current_page: int | None = None

    def with_page(self, page: int, size: int) -> SearchCriteria:
        return SearchCriteria(self.filter_groups, self.sort_orders, size, page)

    def params(self) -> list[tuple[str, str]]:
        """The query parameters, in the snake_case spelling Magento's documentation uses."""
        out: list[tuple[str, str]] = []
        for g, group in enumerate(self.filter_groups):
            for f, item in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
                out += [
                    (f"{prefix}[field]", item.field),
                    (f"{prefix}[value]", item.value),
                    (f"{prefix}[condition_type]", item.condition_type),
                ]
        for s, (name, direction) in enumerate(self.sort_orders):
            out += [
                (f"searchCriteria[sortOrders][{s}][field]", name),
                (f"searchCriteria[sortOrders][{s}][direction]", direction),
            ]
        if self.page_size is not None:
            out.append(("searchCriteria[pageSize]", str(self.page_size)))
        if self.current_page is not None:
            out.append(("searchCriteria[currentPage]", str(self.current_page)))
        if not out:
            # Magento needs searchCriteria present on search routes; an empty one matches everything.
            out.append(("searchCriteria", "0"))
        return out


@dataclass(frozen=True)
class SearchResult:
    items: list[dict[str, Any]]
    total_count: int
    search_criteria: dict[str, Any] = field(default_factory=dict)

    def is_last_page(self, page: int, size: int) -> bool:
        """True when ``page`` of ``size`` reaches ``total_count`` (the pages after it are empty)."""
        return page * size >= self.total_count
