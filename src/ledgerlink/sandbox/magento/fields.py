"""``fields=``: the partial responses Magento's REST API gives, filter syntax and quirks included.

A port of magento/magento2 ``lib/internal/Magento/Framework/Webapi/Rest/Response/FieldsFilter.php``, applied
where ``app/code/Magento/Webapi/Controller/Rest/SynchronousRequestProcessor::process`` applies it: on
synchronous routes only (the asynchronous processor has no filter), when the ``fields`` parameter is one PHP
reads as true, and only to answers that are PHP arrays (objects and lists; a bare id, ``true`` or ``false``
comes back as it is). Vendor documentation: "Retrieve filtered responses for REST endpoints" (AdobeDocs
commerce-webapi ``src/pages/rest/use-rest/retrieve-filtered-responses.md``).

``fields=items[entity_id,increment_id],total_count`` keeps ``total_count`` and, in every element of the list
``items``, only ``entity_id`` and ``increment_id``; a name without brackets keeps the whole object. What the
PHP does and is reproduced here:

* the answer keeps its own key order, not the filter's; names the answer lacks are dropped silently;
* a filter with any character other than letters, digits, ``_``, ``[``, ``]`` and ``,``, or with unbalanced
  brackets, is invalid and the whole answer becomes ``[]`` (so is a ``fields`` given as a PHP array);
* an object left with no keys prints as ``[]`` (PHP's empty array), and a list filtered by sub-fields that is
  empty becomes ``null`` (``applyFilter`` starts from ``null`` and has no element to add);
* ``custom_attributes[code,...]`` keeps the attributes whose ``attribute_code`` is named, by their original
  position (so a list with gaps prints as an object keyed by position);
* sub-fields asked of a list of plain values is a PHP type error: Magento's internal error (500).
"""

from __future__ import annotations

import re
from typing import Any

from ledgerlink.sandbox.magento.errors import internal_error

PARAMETER = "fields"
_ALLOWED = re.compile(r"[A-Za-z0-9_\[\],]+")
CUSTOM_ATTRIBUTES = "custom_attributes"

Filter = dict[str, Any]  # name -> 1 (the whole value) or a nested Filter


def parse(text: str) -> Filter | None:
    """The filter as ``FieldsFilter::parse`` builds it, or None when the text is not a valid filter."""
    if not text or not _ALLOWED.fullmatch(text):
        return None
    start: int | None = None
    current: Filter = {}
    stack: list[Filter] = []
    parents: list[str | None] = []
    element: str | None = None
    for position, char in enumerate(text):
        if char in "[],":
            if start is not None:
                element = text[start:position]
                current[element] = 1
            start = None
        if char == "[":
            parents.append(element)
            stack.append(current)
            current = {}
        elif char == "]":
            nested = current
            # PHP's array_pop on an empty stack gives null, which becomes a fresh array keyed "".
            current = stack.pop() if stack else {}
            current[(parents.pop() if parents else None) or ""] = nested
        elif char != "," and start is None:
            start = position
    if stack:
        return None
    if start is not None:
        current[text[start:]] = 1
    return current


def _php_true(value: str) -> bool:
    return value not in ("", "0")


def requested(query: list[tuple[str, str]]) -> tuple[bool, Filter | None]:
    """(filter or not, the filter): the last ``fields`` of the query string, as PHP's ``$_GET`` keeps it."""
    wanted: tuple[bool, Filter | None] = (False, None)
    for name, value in query:
        if name == PARAMETER:
            wanted = (_php_true(value), parse(value))
        elif name.startswith(PARAMETER + "["):
            wanted = (True, None)  # a PHP array: not a string, so FieldsFilter::filter answers []
    return wanted


def _php_array(positions: dict[int, Any]) -> Any:
    """A PHP array keyed by position as json_encode prints it: a list when the keys run 0..n-1."""
    if list(positions) == list(range(len(positions))):
        return list(positions.values())
    return {str(key): value for key, value in positions.items()}


def _custom_attributes(attributes: list[Any], wanted: Filter) -> Any:
    kept: dict[int, Any] = {}
    for index, attribute in enumerate(attributes):
        if not isinstance(attribute, dict):
            raise internal_error()
        code = attribute.get("attribute_code")
        if code in wanted:
            kept[index] = {"attribute_code": code, "value": attribute.get("value")}
            continue
        part = {name: attribute.get(name) for name in ("attribute_code", "value") if name in wanted}
        if part:
            kept[index] = part
    return _php_array(kept)


def _intersect(document: Any, wanted: Filter) -> Any:
    """``recursiveArrayIntersectKey``: the keys of ``document`` that ``wanted`` names."""
    if isinstance(document, list):
        return []  # a PHP list has integer keys, which no filter name matches
    if not isinstance(document, dict):
        raise internal_error()  # a scalar where PHP's array type is declared: a TypeError
    kept: dict[str, Any] = {}
    for key, value in document.items():
        if key not in wanted:
            continue
        rule = wanted[key]
        if key == CUSTOM_ATTRIBUTES and isinstance(rule, dict) and isinstance(value, list):
            kept[key] = _custom_attributes(value, rule)
        elif isinstance(rule, dict) and isinstance(value, (dict, list)):
            kept[key] = _apply(value, rule)
        else:
            kept[key] = value
    return kept if kept else []


def _apply(value: dict[str, Any] | list[Any], wanted: Filter) -> Any:
    """``applyFilter``: a list (or an empty array) filters each element, an object itself."""
    if isinstance(value, list) or not value:
        elements = value if isinstance(value, list) else []
        return [_intersect(element, wanted) for element in elements] or None
    return _intersect(value, wanted)


def filtered(answer: Any, query: list[tuple[str, str]]) -> Any:
    """The answer as Magento sends it for this query string."""
    apply, wanted = requested(query)
    if not apply or not isinstance(answer, (dict, list)):
        return answer
    if wanted is None:
        return []
    return _apply(answer, wanted)
