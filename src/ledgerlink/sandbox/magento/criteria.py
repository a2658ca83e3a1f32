"""``searchCriteria`` from a query string, applied to documents as Magento's collections apply it.

Both spellings reach the same thing (``filter_groups``/``filterGroups``, ``condition_type``/
``conditionType``, ``sortOrders``/``sort_orders``). Filters in one group are OR-ed, groups AND-ed.
Without ``pageSize`` every match comes back. A ``currentPage`` past the end answers an empty list with
the true ``total_count`` (observed on Magento 2.4.7-p3, issue 21), and the criteria are echoed as asked.

A ``condition_type`` Magento does not know filters as ``eq``: magento/magento2
``lib/internal/Magento/Framework/DB/Adapter/Pdo/Mysql.php::prepareSqlCondition`` finds no key of its
condition map in ``[<type> => <value>]`` and ORs the conditions of the values, and a plain value is ``eq``
(the real store answers such a search as an ``eq`` one, issue 21). A filter or sort field that is no column
of the collection's table is a SQL error ("Column not found"), which Magento masks as its internal error:
500 with a report id (issue 21; magento/magento2 issue 12790 shows the logged SQL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerlink.sandbox.magento.errors import MagentoError, internal_error

_FILTER = re.compile(
    r"searchCriteria\[(?:filter_groups|filterGroups)\]\[(\d+)\]\[filters\]\[(\d+)\]"
    r"\[(field|value|condition_type|conditionType)\]"
)
_SORT = re.compile(r"searchCriteria\[(?:sortOrders|sort_orders)\]\[(\d+)\]\[(field|direction)\]")
_PAGE = re.compile(r"searchCriteria\[(pageSize|page_size|currentPage|current_page)\]")
INVALID_TYPE = 'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and try again.'
CONDITIONS = {
    "eq",
    "neq",
    "gt",
    "gteq",
    "lt",
    "lteq",
    "moreq",
    "like",
    "nlike",
    "in",
    "nin",
    "null",
    "notnull",
    "from",
    "to",
    "finset",
    "nfinset",
}


@dataclass
class Criteria:
    groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def require_columns(self, columns: frozenset[str]) -> None:
        """Refuse, as the store's database does, filters and sort orders on fields the table lacks."""
        named = [item["field"] for group in self.groups for item in group] + [name for name, _ in self.sort]
        if any(name not in columns for name in named):
            raise internal_error()

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {"filter_groups": [{"filters": group} for group in self.groups]}
        if self.sort:
            out["sort_orders"] = [{"field": f, "direction": d} for f, d in self.sort]
        if self.page_size is not None:
            out["page_size"] = self.page_size
        if self.current_page is not None:
            out["current_page"] = self.current_page
        return out


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise MagentoError(400, INVALID_TYPE, {"value": value, "type": "int"}) from None


def parse_criteria(pairs: Iterable[tuple[str, str]]) -> Criteria:
    filters: dict[tuple[int, int], dict[str, str]] = {}
    sorts: dict[int, dict[str, str]] = {}
    criteria = Criteria()
    for name, value in pairs:
        if match := _FILTER.fullmatch(name):
            key = match.group(3).replace("conditionType", "condition_type")
            filters.setdefault((int(match.group(1)), int(match.group(2))), {})[key] = value
        elif match := _SORT.fullmatch(name):
            sorts.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif match := _PAGE.fullmatch(name):
            number = _integer(name, value)
            if match.group(1) in ("pageSize", "page_size"):
                criteria.page_size = number
            else:
                criteria.current_page = number
    grouped: dict[int, list[dict[str, str]]] = {}
    for (g, _f), item in sorted(filters.items()):
        condition = item.get("condition_type", "eq") or "eq"
        grouped.setdefault(g, []).append(
            {"field": item.get("field", ""), "value": item.get("value", ""), "condition_type": condition}
        )
    criteria.groups = [grouped[g] for g in sorted(grouped)]
    criteria.sort = [
        (s.get("field", ""), (s.get("direction") or "ASC").upper()) for _, s in sorted(sorts.items())
    ]
    return criteria


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _compare(left: Any, right: str) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    text = str(left)
    return (text > right) - (text < right)


def _like(value: Any, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, str(value), re.IGNORECASE | re.DOTALL) is not None


def matches(doc: dict[str, Any], condition: dict[str, str]) -> bool:
    value = doc.get(condition["field"])
    wanted = condition["value"]
    kind = condition["condition_type"] if condition["condition_type"] in CONDITIONS else "eq"
    if kind == "null":
        return value is None
    if kind == "notnull":
        return value is not None
    if value is None:
        return False  # SQL: a comparison with NULL is never true
    listed = [part.strip() for part in wanted.split(",")]
    tests = {
        "eq": lambda: _compare(value, wanted) == 0,
        "neq": lambda: _compare(value, wanted) != 0,
        "gt": lambda: _compare(value, wanted) > 0,
        "gteq": lambda: _compare(value, wanted) >= 0,
        "moreq": lambda: _compare(value, wanted) >= 0,
        "from": lambda: _compare(value, wanted) >= 0,
        "lt": lambda: _compare(value, wanted) < 0,
        "lteq": lambda: _compare(value, wanted) <= 0,
        "to": lambda: _compare(value, wanted) <= 0,
        "like": lambda: _like(value, wanted),
        "nlike": lambda: not _like(value, wanted),
        "in": lambda: any(_compare(value, item) == 0 for item in listed),
        "nin": lambda: all(_compare(value, item) != 0 for item in listed),
        "finset": lambda: wanted in str(value).split(","),
        "nfinset": lambda: wanted not in str(value).split(","),
    }
    return bool(tests[kind]())


def _sort_key(value: Any) -> tuple[int, Any]:
    number = _number(value)
    if value is None:
        return (0, "")
    return (1, number) if number is not None else (2, str(value))


def search(docs: list[dict[str, Any]], criteria: Criteria) -> tuple[list[dict[str, Any]], int]:
    """The page of matching documents and the total number of matches."""
    found = [d for d in docs if all(any(matches(d, c) for c in group) for group in criteria.groups)]
    for name, direction in reversed(criteria.sort):
        found.sort(key=lambda d: _sort_key(d.get(name)), reverse=direction == "DESC")
    total = len(found)
    if not criteria.page_size or criteria.page_size <= 0:
        return found, total
    page = max(criteria.current_page or 1, 1)
    start = (page - 1) * criteria.page_size
    return found[start : start + criteria.page_size], total


def search_result(docs: list[dict[str, Any]], criteria: Criteria) -> dict[str, Any]:
    items, total = search(docs, criteria)
    return {"items": items, "search_criteria": criteria.echo(), "total_count": total}
