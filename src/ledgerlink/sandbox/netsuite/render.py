"""Turning a stored record into the JSON NetSuite's REST record service returns.

NetSuite answers with HATEOAS links everywhere: the record, every reference (``{"id", "refName",
"links"}``) and every sublist or subrecord, which appear only as a link stub unless
``expandSubResources=true`` asks for them inline. Fields without a value are left out, and ``fields=``
limits the answer to the named fields.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ledgerlink.sandbox.netsuite import storage
from ledgerlink.sandbox.netsuite.types import TRANSACTION_LABELS, RecordType, family_of_target

RECORD_PATH = "/services/rest/record/v1"


def record_url(base: str, type_name: str, record_id: int | str) -> str:
    return f"{base}{RECORD_PATH}/{type_name}/{record_id}"


def self_link(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


def ref_name(record: storage.StoredRecord) -> str:
    """The display name NetSuite puts in ``refName`` for a reference to ``record``."""
    data = record.data
    family = record.type.family
    if family == "contact":
        return f"{data.get('firstName', '')} {data.get('lastName', '')}".strip() or str(record.id)
    if family == "customer":
        name = (
            data.get("companyName")
            if not data.get("isPerson")
            else (f"{data.get('firstName', '')} {data.get('lastName', '')}".strip())
        )
        return f"{data.get('entityId')} {name}".strip() if name else str(data.get("entityId"))
    if family == "item":
        return str(data.get("itemId", record.id))
    if family == "transaction":
        label = TRANSACTION_LABELS.get(record.type.name, record.type.name)
        return f"{label} #{data.get('tranId', record.id)}"
    if family == "account":
        return " ".join(str(part) for part in (data.get("acctNumber"), data.get("acctName")) if part)
    if family == "promotioncode":
        return str(data.get("code", record.id))
    return str(data.get("name", record.id))


class Renderer:
    """Renders records for one request (one base URL, one connection)."""

    def __init__(self, conn: sqlite3.Connection, base: str) -> None:
        self.conn = conn
        self.base = base

    def reference(self, value: dict[str, Any], target: str) -> dict[str, Any]:
        if target == "priceLevel" and str(value["id"]) == "-1":
            return {"id": "-1", "refName": "Custom"}  # a typed-in rate: no price level record
        record = storage.load(self.conn, family_of_target(target), int(value["id"]))
        if record is None:  # the referenced record was deleted since
            return {"id": str(value["id"])}
        return {
            "links": self_link(record_url(self.base, record.type.name, record.id)),
            "id": str(record.id),
            "refName": ref_name(record),
        }

    def record(
        self,
        rtype: RecordType,
        record_id: int,
        data: dict[str, Any],
        *,
        expand: bool = False,
        only: set[str] | None = None,
    ) -> dict[str, Any]:
        href = record_url(self.base, rtype.name, record_id)
        out: dict[str, Any] = {"links": self_link(href)}
        body = {"id": str(record_id), **data}
        for name, value in body.items():
            if only is not None and name not in only:
                continue
            if value is None:
                continue
            if name in rtype.sublists:
                out[name] = (
                    self.sublist(rtype, href, name, value.get("items", []))
                    if expand
                    else {"links": self_link(f"{href}/{name}")}
                )
            elif name in rtype.subrecords:
                out[name] = (
                    self.subrecord(href, name, value) if expand else {"links": self_link(f"{href}/{name}")}
                )
            elif name in rtype.references and isinstance(value, dict) and "id" in value:
                out[name] = self.reference(value, rtype.references[name])
            elif name in rtype.multi_references and isinstance(value, dict):
                target = rtype.multi_references[name]
                out[name] = {"items": [self.reference(one, target) for one in value.get("items", [])]}
            else:
                out[name] = value
        return out

    def subrecord(self, href: str, name: str, value: dict[str, Any]) -> dict[str, Any]:
        return {"links": self_link(f"{href}/{name}"), **{k: v for k, v in value.items() if v is not None}}

    def sublist(self, rtype: RecordType, href: str, name: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
        items = []
        for number, line in enumerate(lines, start=1):
            key = line.get("line") if name in ("item", "line") else line.get("id")
            if key in (None, ""):
                key = line.get("lineNumber") or number
            line_href = f"{href}/{name}/{key}"
            rendered: dict[str, Any] = {"links": self_link(line_href)}
            for field, value in line.items():
                if value is None:
                    continue
                if field in rtype.line_references and isinstance(value, dict) and "id" in value:
                    rendered[field] = self.reference(value, rtype.line_references[field])
                elif field == "addressBookAddress" and isinstance(value, dict):
                    rendered[field] = self.subrecord(line_href, field, value)
                else:
                    rendered[field] = value
            items.append(rendered)
        return {
            "links": self_link(f"{href}/{name}"),
            "count": len(items),
            "hasMore": False,
            "items": items,
            "offset": 0,
            "totalResults": len(items),
        }


def collection(
    base_href: str, items: list[dict[str, Any]], *, limit: int, offset: int, total: int, extra_query: str = ""
) -> dict[str, Any]:
    """NetSuite's collection envelope with self/first/previous/next/last links."""

    def page(at: int) -> str:
        return f"{base_href}?{extra_query}limit={limit}&offset={at}"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [{"rel": "self", "href": page(offset)}, {"rel": "first", "href": page(0)}]
    if offset > 0:
        links.append({"rel": "previous", "href": page(max(0, offset - limit))})
    has_more = offset + len(items) < total
    if has_more:
        links.append({"rel": "next", "href": page(offset + limit)})
    links.append({"rel": "last", "href": page(last)})
    return {
        "links": links,
        "count": len(items),
        "hasMore": has_more,
        "items": items,
        "offset": offset,
        "totalResults": total,
    }
