"""``GET /{resource}``: predicates, sorting and paging as commercetools applies them.

``limit`` is 0..500 (default 20) and ``offset`` 0..10,000; beyond either the API answers 400, as the
real one does, so a client that pages by deep offsets fails here as it would in production. ``sort``
may repeat (``sort=lastModifiedAt asc&sort=id asc``); each names a field path and a direction. Without
a sort, records come in creation order. ``withTotal=false`` leaves ``total`` out of the answer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from ledgerlink.sandbox.commercetools.errors import invalid_input
from ledgerlink.sandbox.commercetools.predicates import PredicateError, compile_predicates

MAX_LIMIT = 500
MAX_OFFSET = 10_000
DEFAULT_LIMIT = 20
_SORT = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\s+(asc|desc)\s*$", re.IGNORECASE
)


def _int_param(params: Mapping[str, list[str]], name: str, default: int, high: int) -> int:
    values = params.get(name) or []
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise invalid_input(f"Malformed parameter: {name}: Invalid number '{values[-1]}'.") from None
    if not 0 <= value <= high:
        raise invalid_input(f"Malformed parameter: {name}: must be between 0 and {high}, got {value}.")
    return value


def _path(document: Any, dotted: str) -> Any:
    value = document
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _order(left: Any, right: Any) -> int:
    """commercetools puts records without the field last in ascending order."""
    if left is None or right is None:
        return (left is None) - (right is None)
    if type(left) is not type(right):
        left, right = str(left), str(right)
    return (left > right) - (left < right)


def sorter(sorts: list[str]) -> functools.partial[list[dict[str, Any]]] | None:
    """A function ordering documents by the ``sort`` parameters, or None for creation order."""
    keys: list[tuple[str, bool]] = []
    for text in sorts:
        match = _SORT.match(text)
        if not match:
            raise invalid_input(f"Malformed parameter: sort: Invalid sort expression '{text}'.")
        keys.append((match.group(1), match.group(2).lower() == "desc"))

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for field, descending in keys:
            result = _order(_path(a, field), _path(b, field))
            if result:
                return -result if descending else result
        return 0

    return functools.partial(sorted, key=functools.cmp_to_key(compare)) if keys else None


def run_query(documents: list[dict[str, Any]], params: Mapping[str, list[str]]) -> dict[str, Any]:
    """The paged query response for ``documents`` (already limited to what the endpoint may show)."""
    limit = _int_param(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    offset = _int_param(params, "offset", 0, MAX_OFFSET)
    variables = {name[4:]: values for name, values in params.items() if name.startswith("var.")}
    try:
        matches = compile_predicates(params.get("where") or [], variables)
    except PredicateError as error:
        raise invalid_input(str(error)) from None
    found = [doc for doc in documents if matches(doc)]
    order = sorter(params.get("sort") or [])
    if order is not None:
        found = order(found)
    results = found[offset : offset + limit]
    body: dict[str, Any] = {"limit": limit, "offset": offset, "count": len(results)}
    with_total = (params.get("withTotal") or ["true"])[-1].lower()
    if with_total not in ("true", "false"):
        raise invalid_input(f"Malformed parameter: withTotal: Invalid boolean '{with_total}'.")
    if with_total == "true":
        body["total"] = len(found)
    body["results"] = results
    return body
