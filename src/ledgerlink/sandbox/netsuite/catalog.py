"""The metadata catalog: ``GET /services/rest/record/v1/metadata-catalog[/{type}]``.

What is documented (FACTS 1.4, from jacobsvante/netsuite's client and its PR #23): the list answers
with the record types, ``select=a,b`` narrows it; a type's entry with ``Accept: application/schema+json``
is a JSON Schema whose properties carry ``x-ns-filterable`` and ``x-ns-custom-field``, and with
``Accept: application/swagger+json`` an OpenAPI document. The exact envelope of the list (here the
collection shape with one ``{name, links}`` item per type, links ``canonical``/``alternate``/``describes``)
is not documented in the sources at hand.

Schemas are built from the emulator's own type definitions: the field names it accepts (REST API Browser
lists, :mod:`ledgerlink.sandbox.netsuite.fields`), references as ``{id, refName, externalId, links}``
objects, sublists as ``{items: [...]}`` collections, required fields as NetSuite's form labels them.
"""

from __future__ import annotations

from typing import Any

from ledgerlink.sandbox.netsuite import fields
from ledgerlink.sandbox.netsuite.types import BY_NAME, RecordType

SCHEMA_TYPE = "application/schema+json"
SWAGGER_TYPE = "application/swagger+json"
_NUMBERS = frozenset(
    """
    amount rate quantity total subtotal shippingCost handlingCost discountTotal taxTotal taxRate exchangeRate
    payment debit credit price quantityOnHand quantityAvailable quantityCommitted quantityOnOrder
    quantityBackOrdered quantityFulfilled quantityBilled quantityRemaining packageWeight discountPct
    creditLimit balance cost averageCost weight daysUntilNetDue
    """.split()
)
_READ_ONLY = frozenset(
    {"id", "refName", "links", "createdDate", "dateCreated", "lastModifiedDate", "subtotal", "total"}
)
_READ_ONLY |= {"discountTotal", "taxTotal", "status", "itemType"}


def _reference(title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "properties": {
            "id": {"type": "string", "title": "Internal ID"},
            "refName": {"type": "string", "title": "Reference Name", "readOnly": True},
            "externalId": {"type": "string", "title": "External ID"},
            "links": {"type": "array", "readOnly": True, "items": {"type": "object"}},
        },
        "x-ns-filterable": True,
    }


def _scalar(name: str) -> dict[str, Any]:
    if name in _NUMBERS:
        schema: dict[str, Any] = {"type": "number", "format": "double"}
    elif (name.startswith(("is", "has")) and name[2:3].isupper()) or name in (
        "taxable",
        "taxExempt",
        "approved",
    ):
        schema = {"type": "boolean"}
    elif name in ("createdDate", "lastModifiedDate", "dateCreated"):
        schema = {"type": "string", "format": "date-time"}
    elif name.endswith("Date"):
        schema = {"type": "string", "format": "date"}
    elif name == "links":
        schema = {"type": "array", "items": {"type": "object"}}
    else:
        schema = {"type": "string"}
    schema["title"] = name
    schema["x-ns-filterable"] = name not in ("links",)
    return schema


def _labels(rtype: RecordType) -> dict[str, str]:
    return dict(rtype.required)


def record_schema(rtype: RecordType) -> dict[str, Any]:
    """JSON Schema of one record type as the emulator accepts and returns it."""
    names = set(fields.body_fields(rtype.name, rtype.family)) | set(rtype.references) | set(rtype.sublists)
    names |= set(rtype.subrecords) | set(rtype.multi_references) | {"id", "externalId", "links"}
    labels = _labels(rtype)
    properties: dict[str, Any] = {}
    for name in sorted(names):
        if name in rtype.sublists:
            line_names = fields.line_fields(rtype.name, name) or frozenset({"links"})
            line_props = {
                line: (_reference(line) if line in rtype.line_references else _scalar(line))
                for line in sorted(line_names)
            }
            prop: dict[str, Any] = {
                "type": "object",
                "title": name,
                "properties": {
                    "items": {"type": "array", "items": {"type": "object", "properties": line_props}},
                    "links": {"type": "array", "items": {"type": "object"}, "readOnly": True},
                    "totalResults": {"type": "integer", "readOnly": True},
                    "count": {"type": "integer", "readOnly": True},
                    "hasMore": {"type": "boolean", "readOnly": True},
                    "offset": {"type": "integer", "readOnly": True},
                },
                "x-ns-filterable": False,
            }
        elif name in rtype.subrecords:
            prop = {
                "type": "object",
                "title": name,
                "properties": {field: _scalar(field) for field in sorted(fields.ADDRESS)},
                "x-ns-filterable": False,
            }
        elif name in rtype.references:
            prop = _reference(labels.get(name, name))
        elif name in rtype.multi_references:
            prop = {
                "type": "object",
                "title": name,
                "properties": {"items": {"type": "array", "items": _reference(name)}},
                "x-ns-filterable": True,
            }
        else:
            prop = _scalar(name)
            if name in labels:
                prop["title"] = labels[name]
        if name in _READ_ONLY:
            prop["readOnly"] = True
        prop["nullable"] = True
        prop["x-ns-custom-field"] = False
        properties[name] = prop
    return {
        "$schema": "https://json-schema.org/draft-06/schema#",
        "type": "object",
        "title": rtype.name,
        "properties": properties,
        "required": [name for name, _ in rtype.required],
        "x-ns-record-family": rtype.family,
        **({"x-ns-type-code": rtype.code} if rtype.code else {}),
    }


def openapi(rtype: RecordType, base: str, record_path: str) -> dict[str, Any]:
    """A minimal OpenAPI 3 document for one type (the swagger+json variant)."""
    path = f"/{rtype.name}"
    return {
        "openapi": "3.0.1",
        "info": {"title": "NetSuite REST Record API (emulator)", "version": "v1"},
        "servers": [{"url": f"{base}{record_path}"}],
        "paths": {
            path: {"get": {"summary": "Get list of records."}, "post": {"summary": "Insert record."}},
            f"{path}/{{id}}": {
                "get": {"summary": "Get record."},
                "patch": {"summary": "Update record."},
                "put": {"summary": "Insert or update record."},
                "delete": {"summary": "Remove record."},
            },
        },
        "components": {"schemas": {rtype.name: record_schema(rtype)}},
    }


def catalog(base: str, record_path: str, select: set[str] | None) -> dict[str, Any]:
    """The list of record types with links to their metadata."""
    items = []
    for rtype in sorted({t.name: t for t in BY_NAME.values()}.values(), key=lambda t: t.name.lower()):
        if select and rtype.name.lower() not in select:
            continue
        href = f"{base}{record_path}/metadata-catalog/{rtype.name.lower()}"
        items.append(
            {
                "name": rtype.name.lower(),
                "links": [
                    {"rel": "canonical", "href": href, "mediaType": "application/json"},
                    {"rel": "alternate", "href": href, "mediaType": SWAGGER_TYPE},
                    {"rel": "alternate", "href": href, "mediaType": SCHEMA_TYPE},
                    {"rel": "describes", "href": f"{base}{record_path}/{rtype.name.lower()}"},
                ],
            }
        )
    return {
        "links": [{"rel": "self", "href": f"{base}{record_path}/metadata-catalog"}],
        "count": len(items),
        "hasMore": False,
        "items": items,
        "offset": 0,
        "totalResults": len(items),
    }
