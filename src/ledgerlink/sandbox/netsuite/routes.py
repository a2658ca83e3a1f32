"""Record-service routes beyond CRUD: ``!transform`` and the metadata catalog.

The app hands every request under ``/services/rest/record/v1`` here first; :func:`route` answers the
ones it owns and returns None for the rest.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.netsuite import catalog, rules, storage, transforms
from ledgerlink.sandbox.netsuite.errors import NetSuiteError, nonexistent_id
from ledgerlink.sandbox.netsuite.render import RECORD_PATH, record_url
from ledgerlink.sandbox.netsuite.types import lookup

_TRANSFORM = re.compile(re.escape(RECORD_PATH) + r"/([^/]+)/([^/]+)/!transform/([^/]+)/?")
_CATALOG = re.compile(re.escape(RECORD_PATH) + r"/metadata-catalog(?:/([^/]+))?/?")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_\-.]+")


def route(
    store: storage.Store,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    base: str,
) -> Response | None:
    """The answer to a transform or metadata request, or None when the path is not one of those."""
    found = _CATALOG.fullmatch(path)
    if found is not None:
        if method != "GET":
            raise NetSuiteError(
                405, "INVALID_REQUEST", f"The HTTP method {method} is not supported for this resource."
            )
        return _metadata(found.group(1), query, headers, base)
    found = _TRANSFORM.fullmatch(path)
    if found is not None:
        if method != "POST":
            raise NetSuiteError(
                405, "INVALID_REQUEST", f"The HTTP method {method} is not supported for this resource."
            )
        type_name, raw_id, target = found.groups()
        return _transform(store, type_name, raw_id, target, headers, body, base)
    return None


def _metadata(type_name: str | None, query: dict[str, str], headers: dict[str, str], base: str) -> Response:
    accept = headers.get("accept", "")
    if type_name is None:
        select = {part.strip().lower() for part in query.get("select", "").split(",") if part.strip()}
        return JSONResponse(catalog.catalog(base, RECORD_PATH, select or None))
    rtype = lookup(type_name)
    if rtype is None:
        raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{type_name}' does not exist.")
    if catalog.SWAGGER_TYPE in accept:
        return JSONResponse(catalog.openapi(rtype, base, RECORD_PATH), media_type=catalog.SWAGGER_TYPE)
    return JSONResponse(catalog.record_schema(rtype), media_type=catalog.SCHEMA_TYPE)


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise NetSuiteError(
            400, "INVALID_CONTENT", f"Invalid content in the request body: {error}."
        ) from None


def _transform(
    store: storage.Store,
    type_name: str,
    raw_id: str,
    target_name: str,
    headers: dict[str, str],
    body: bytes,
    base: str,
) -> Response:
    source_type = lookup(type_name)
    if source_type is None:
        raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{type_name}' does not exist.")
    target = transforms.check_transform(source_type, target_name)
    payload = _json_body(body)
    strict = headers.get("x-netsuite-propertynamevalidation", "warning").strip().lower() == "error"
    with store.write() as conn:
        if raw_id.startswith("eid:"):
            source_id = storage.find_external(conn, source_type, raw_id[4:])
        elif raw_id.isdigit():
            source_id = int(raw_id)
        else:
            raise NetSuiteError(400, "INVALID_ID", f"The record instance ID {raw_id} is not valid.")
        source = None if source_id is None else storage.load(conn, source_type.family, source_id)
        if source is None or source.type.name != source_type.name:
            raise nonexistent_id()
        ctx = rules.WriteContext(conn, datetime.now(UTC).replace(microsecond=0), strict)
        data = transforms.transform(ctx, source, target, payload)
        external_id = data.get("externalId")
        if external_id is not None:
            if not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id):
                raise NetSuiteError(
                    400,
                    "INVALID_CONTENT",
                    "An external ID may contain only letters, numbers, underscore and hyphen.",
                    path="externalId",
                )
            if storage.find_external(conn, target, external_id) is not None:
                raise NetSuiteError(400, "DUP_RCRD", "This record already exists.", path="externalId")
        record_id = storage.next_value(conn, f"id:{target.family}")
        storage.save(conn, target, record_id, data)
    return Response(status_code=204, headers={"Location": record_url(base, target.name, record_id)})
