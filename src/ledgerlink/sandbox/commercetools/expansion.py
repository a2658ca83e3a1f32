"""Reference expansion (``expand=paymentInfo.payments[*]``): referenced records inlined as ``obj``.

A path names fields separated by dots; ``field[*]`` walks every element of an array and ``field[2]`` one
of them. Where the path ends on a Reference (``{"typeId", "id"}``), the referenced record is copied
into its ``obj``. A path that leads nowhere expands nothing, and the answer is otherwise unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from ledgerlink.sandbox.commercetools.state import Transaction

# typeId of a Reference -> the resource kind the emulator stores it under
KINDS = {
    "payment": "payments",
    "customer": "customers",
    "channel": "channels",
    "product": "products",
    "order": "orders",
    "discount-code": "discount-codes",
    "inventory-entry": "inventory",
    "store": "stores",
}
_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\*|\d+)\])?$")


def _targets(nodes: list[Any], steps: list[str]) -> list[Any]:
    for step in steps:
        match = _STEP.match(step)
        if not match:
            return []
        name, index = match.groups()
        found: list[Any] = []
        for node in nodes:
            value = node.get(name) if isinstance(node, dict) else None
            if index is None:
                found.append(value)
            elif isinstance(value, list):
                found.extend(value if index == "*" else value[int(index) : int(index) + 1])
        nodes = [node for node in found if node is not None]
    return nodes


def expand(document: dict[str, Any], paths: list[str], tx: Transaction) -> dict[str, Any]:
    """``document`` with the references named by ``paths`` expanded in place: every caller passes a
    document read for this one answer, so no copy is needed (copying made large pages slow)."""
    if not paths:
        return document
    result = document
    for path in paths:
        for reference in _targets([result], path.split(".")):
            if not isinstance(reference, dict) or reference.get("typeId") not in KINDS:
                continue
            kind = KINDS[reference["typeId"]]
            found = tx.get(kind, str(reference["id"])) if reference.get("id") else None
            if found is None and reference.get("key"):
                found = tx.by_key(kind, str(reference["key"]))
            if found is not None:
                reference["obj"] = found
    return result
