"""Query strings read the way PHP fills `$_GET`, because WooCommerce signs and filters on that.

PHP turns `a[b]=1&a[]=2` into nested arrays, lets a repeated plain key overwrite the earlier
value, and rewrites `.` and spaces in a key's base name to `_`. WooCommerce's OAuth check sorts
and encodes the parameters *after* that parsing, and WordPress reads list arguments from it, so
the emulator parses the same way instead of keeping Python's list of pairs.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

PhpValue = str | dict[str, Any]

_SUBKEY = re.compile(r"\[([^\]]*)\]")


def _split_key(raw: str) -> tuple[str, list[str]]:
    """`name[a][]` → ("name", ["a", ""]); a key without a well-formed bracket part stays flat."""
    bracket = raw.find("[")
    if bracket > 0 and "]" in raw[bracket:]:
        base = raw[:bracket]
        subkeys: list[str] = []
        position = bracket
        while position < len(raw) and raw[position] == "[":
            match = _SUBKEY.match(raw, position)
            if not match:
                break
            subkeys.append(match.group(1))
            position = match.end()
        return _mangle(base), subkeys
    return _mangle(raw), []


def _mangle(base: str) -> str:
    base = base.lstrip(" ")
    return base.replace(".", "_").replace(" ", "_").replace("[", "_")


def _assign(target: dict[str, Any], keys: list[str], value: str) -> None:
    node = target
    for index, key in enumerate(keys):
        last = index == len(keys) - 1
        if key == "":
            numeric = [int(k) for k in node if k.lstrip("-").isdigit()]
            key = str(max(numeric) + 1 if numeric else 0)
        if last:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child


def parse_php_query(query: str) -> dict[str, PhpValue]:
    """Parse a raw query string (or form body) into PHP's `$_GET` structure, order preserved."""
    result: dict[str, Any] = {}
    for raw_key, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"):
        if not raw_key:
            continue
        base, subkeys = _split_key(raw_key)
        if not base:
            continue
        _assign(result, [base, *subkeys], value)
    return result


def as_list(value: PhpValue | None) -> list[str]:
    """A list argument as WordPress reads it: `a[]=x&a[]=y` or `a=x,y` (wp_parse_list)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(item) for item in value.values() if not isinstance(item, dict)]
    return [part for part in re.split(r"[\s,]+", value) if part]


def as_scalar(value: PhpValue | None) -> str | None:
    """A scalar argument; arrays are not scalars (WordPress would refuse them)."""
    if value is None or isinstance(value, dict):
        return None
    return value
