"""The emulator's HTTP surface: NetSuite's REST record service and SuiteQL for one account.

Routes (under whatever host serves the app, as a real account's ``*.suitetalk.api.netsuite.com``):

* ``/services/rest/record/v1/{type}``: ``GET`` collection (ids and links only), ``POST`` create
  (204 + ``Location``). Record types are case-insensitive.
* ``/services/rest/record/v1/{type}/{id | eid:ext}``: ``GET`` (``expandSubResources``, ``fields``),
  ``PATCH`` (sublist lines merged unless named in ``replace``), ``PUT`` upsert by external id only,
  ``DELETE``.
* ``/services/rest/record/v1/{type}/{id}/{sublist | subrecord}``: ``GET``.
* ``/services/rest/record/v1/{type}/{id}/!transform/{type}``: ``POST`` (fulfil, bill, return, refund;
  :mod:`ledgerlink.sandbox.netsuite.transforms`).
* ``/services/rest/record/v1/metadata-catalog[/{type}]``: the catalog and JSON Schema per record type.
* ``/services/rest/query/v1/suiteql``: ``POST {"q": ...}`` with ``Prefer: transient``.
* OAuth 2.0 token endpoint, RESTlets, asynchronous jobs and batches, ``governanceLimits`` and the
  sandbox-only ``/__sandbox/*`` endpoints: :mod:`ledgerlink.sandbox.netsuite.services`.

Every request is authenticated (token-based authentication or an OAuth 2.0 bearer token) before anything
else happens, inside the account's concurrency governance (:mod:`ledgerlink.sandbox.netsuite.governance`).

A duplicate ``externalId`` is refused with 400 ``DUP_RCRD`` ("This record already exists."), the code
NetSuite has long used for it; the REST wording of this error could not be confirmed from public sources.
Collection ``q=`` filtering is not emulated and is refused with 400 rather than answered wrongly.

Runtime controls for tests live on ``app.state.sandbox`` (:class:`SandboxState`): ``faults`` (append a
:class:`~ledgerlink.sandbox.netsuite.faults.Fault`), ``gate`` (in-flight, peak and rejected counts) and
``settings``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ledgerlink.sandbox.netsuite import routes as record_routes
from ledgerlink.sandbox.netsuite import rules, services, storage, suiteql
from ledgerlink.sandbox.netsuite.auth import TokenVerifier
from ledgerlink.sandbox.netsuite.errors import NetSuiteError, nonexistent_id
from ledgerlink.sandbox.netsuite.faults import FaultList
from ledgerlink.sandbox.netsuite.governance import ConcurrencyGate, GovernanceMiddleware
from ledgerlink.sandbox.netsuite.render import RECORD_PATH, Renderer, collection, record_url, self_link
from ledgerlink.sandbox.netsuite.seed import ensure_reference_data
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings
from ledgerlink.sandbox.netsuite.types import RecordType, lookup

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
RECORD_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=singular"
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection"
MAX_LIMIT = 1000
_RECORD_ROUTE = re.compile(re.escape(RECORD_PATH) + r"/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?/?")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_\-.]+")


@dataclass
class SandboxState:
    """Everything the emulator holds besides the records themselves, reachable as ``app.state.sandbox``."""

    settings: NetSuiteSandboxSettings
    store: storage.Store
    verifier: TokenVerifier
    gate: ConcurrencyGate
    faults: FaultList = field(default_factory=FaultList)


def create_app(state_path: Path, settings: NetSuiteSandboxSettings | None = None) -> Starlette:
    """An ASGI app emulating one NetSuite account whose state lives in the SQLite file ``state_path``."""
    settings = settings or NetSuiteSandboxSettings()
    ensure_reference_data(Path(state_path))
    state = SandboxState(
        settings=settings,
        store=storage.Store(Path(state_path)),
        verifier=TokenVerifier(settings),
        gate=ConcurrencyGate(settings.concurrency_limit),
        faults=FaultList(settings.faults),
    )
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(
        routes=[Route("/{path:path}", _handle, methods=methods)],
        middleware=[Middleware(GovernanceMiddleware, state=state)],
    )
    app.state.sandbox = state
    return app


async def _handle(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        early = services.before_auth(state, request, headers, body, _dispatch)
        if early is not None:
            return early
        state.verifier.verify(request.method, str(request.url), headers, body)
        return _dispatch(state, request, headers, body)
    except NetSuiteError as error:
        return error.response()


def _dispatch(state: SandboxState, request: Request, headers: dict[str, str], body: bytes) -> Response:
    path = request.url.path
    base = str(request.base_url).rstrip("/")
    routed = services.route(state, request, headers, body, _dispatch)
    if routed is not None:
        return routed
    if path.rstrip("/") == SUITEQL_PATH:
        if request.method != "POST":
            raise _method_not_allowed(request.method)
        return _suiteql(state, request, headers, body, base)
    extra = record_routes.route(
        state.store, request.method, path, dict(request.query_params), headers, body, base
    )
    if extra is not None:  # !transform and the metadata catalog
        return extra
    match = _RECORD_ROUTE.fullmatch(path)
    if match is None:
        raise NetSuiteError(404, "NONEXISTENT_ID", f"The requested resource {path} does not exist.")
    type_name, raw_id, sub = match.groups()
    rtype = lookup(type_name)
    if rtype is None:
        raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{type_name}' does not exist.")
    method = request.method
    if raw_id is None:
        if method == "GET":
            return _list(state, request, rtype, base)
        if method == "POST":
            return _create(state, rtype, headers, body, base)
        raise _method_not_allowed(method)
    if sub is not None:
        if method != "GET":
            raise _method_not_allowed(method)
        return _get_sub(state, request, rtype, raw_id, sub, base)
    if method == "GET":
        return _get(state, request, rtype, raw_id, base)
    if method == "PATCH":
        return _update(state, request, rtype, raw_id, headers, body)
    if method == "PUT":
        return _upsert(state, request, rtype, raw_id, headers, body, base)
    if method == "DELETE":
        return _delete(state, rtype, raw_id)
    raise _method_not_allowed(method)


# --- helpers --------------------------------------------------------------------------------------------


def _method_not_allowed(method: str) -> NetSuiteError:
    detail = f"The HTTP method {method} is not supported for this resource."
    return NetSuiteError(405, "INVALID_REQUEST", detail)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _json_body(body: bytes) -> Any:
    if not body.strip():
        raise NetSuiteError(400, "INVALID_CONTENT", "The request body is empty; a JSON object is required.")
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        detail = f"Invalid content in the request body: {error}."
        raise NetSuiteError(400, "INVALID_CONTENT", detail) from None


def _strict_names(headers: dict[str, str]) -> bool:
    return headers.get("x-netsuite-propertynamevalidation", "warning").strip().lower() == "error"


def _paging(request: Request, *, cap: int | None = None) -> tuple[int, int]:
    params = request.query_params
    try:
        limit = int(params.get("limit", MAX_LIMIT))
    except ValueError:
        raise NetSuiteError(
            400, "INVALID_PARAMETER", "The limit parameter must be an integer.", query_param="limit"
        ) from None
    try:
        offset = int(params.get("offset", 0))
    except ValueError:
        raise NetSuiteError(
            400, "INVALID_PARAMETER", "The offset parameter must be an integer.", query_param="offset"
        ) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid limit {limit}: the value must be between 1 and {MAX_LIMIT}.",
            query_param="limit",
        )
    if offset < 0 or offset % limit:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid offset {offset}: the offset must be a multiple of the limit ({limit}).",
            query_param="offset",
        )
    if cap is not None and offset >= cap:
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            f"Invalid offset {offset}: at most {cap} results of a query can be retrieved.",
            query_param="offset",
        )
    return limit, offset


def _resolve_id(conn: sqlite3.Connection, rtype: RecordType, raw_id: str) -> int | None:
    """Internal id named by ``raw_id`` (``123`` or ``eid:ABC``) when that record exists, else None."""
    if raw_id.startswith("eid:"):
        return storage.find_external(conn, rtype, raw_id[4:])
    if not raw_id.isdigit():
        raise NetSuiteError(400, "INVALID_ID", f"The record instance ID {raw_id} is not valid.")
    found = storage.load(conn, rtype.family, int(raw_id))
    return found.id if found is not None and found.type.name == rtype.name else None


def _load(conn: sqlite3.Connection, rtype: RecordType, raw_id: str) -> storage.StoredRecord:
    record_id = _resolve_id(conn, rtype, raw_id)
    found = None if record_id is None else storage.load(conn, rtype.family, record_id)
    if found is None:
        raise nonexistent_id()
    return found


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").strip().lower() == "true"


def _names(request: Request, name: str) -> frozenset[str]:
    raw = request.query_params.get(name, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def _check_external_id(
    conn: sqlite3.Connection, rtype: RecordType, data: dict[str, Any], own_id: int | None
) -> None:
    external_id = data.get("externalId")
    if external_id is None:
        return
    if not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id):
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            "An external ID may contain only letters, numbers, underscore and hyphen.",
            path="externalId",
        )
    holder = storage.find_external(conn, rtype, external_id)
    if holder is not None and holder != own_id:
        raise NetSuiteError(400, "DUP_RCRD", "This record already exists.", path="externalId")


def _save_new(state: SandboxState, rtype: RecordType, data: dict[str, Any], conn: sqlite3.Connection) -> int:
    _check_external_id(conn, rtype, data, None)
    record_id = storage.next_value(conn, f"id:{rtype.family}")
    storage.save(conn, rtype, record_id, data)
    return record_id


def _created(base: str, rtype: RecordType, record_id: int) -> Response:
    return Response(status_code=204, headers={"Location": record_url(base, rtype.name, record_id)})


# --- record operations ----------------------------------------------------------------------------------


def _create(
    state: SandboxState, rtype: RecordType, headers: dict[str, str], body: bytes, base: str
) -> Response:
    payload = _json_body(body)
    with state.store.write() as conn:
        ctx = rules.WriteContext(conn, _now(), _strict_names(headers))
        data = rules.prepare(ctx, rtype, payload, None)
        record_id = _save_new(state, rtype, data, conn)
    return _created(base, rtype, record_id)


def _update(
    state: SandboxState,
    request: Request,
    rtype: RecordType,
    raw_id: str,
    headers: dict[str, str],
    body: bytes,
) -> Response:
    payload = _json_body(body)
    with state.store.write() as conn:
        current = _load(conn, rtype, raw_id)
        ctx = rules.WriteContext(conn, _now(), _strict_names(headers))
        data = rules.prepare(
            ctx,
            rtype,
            payload,
            current.data,
            _names(request, "replace"),
            _flag(request, "replaceSelectedFields"),
        )
        _check_external_id(conn, rtype, data, current.id)
        storage.save(conn, rtype, current.id, data)
    return Response(status_code=204)


def _upsert(
    state: SandboxState,
    request: Request,
    rtype: RecordType,
    raw_id: str,
    headers: dict[str, str],
    body: bytes,
    base: str,
) -> Response:
    if not raw_id.startswith("eid:") or len(raw_id) <= 4:
        raise NetSuiteError(
            400, "INVALID_ID", "Upsert (PUT) requires an external ID in the URL, written as eid:<externalId>."
        )
    external_id = raw_id[4:]
    payload = _json_body(body)
    if isinstance(payload, dict):
        payload = {**payload, "externalId": external_id}
    with state.store.write() as conn:
        ctx = rules.WriteContext(conn, _now(), _strict_names(headers))
        existing_id = storage.find_external(conn, rtype, external_id)
        if existing_id is None:
            data = rules.prepare(ctx, rtype, payload, None)
            record_id = _save_new(state, rtype, data, conn)
        else:
            current = storage.load(conn, rtype.family, existing_id)
            assert current is not None
            data = rules.prepare(
                ctx,
                rtype,
                payload,
                current.data,
                _names(request, "replace"),
                _flag(request, "replaceSelectedFields"),
            )
            storage.save(conn, rtype, existing_id, data)
            record_id = existing_id
    return _created(base, rtype, record_id)


def _delete(state: SandboxState, rtype: RecordType, raw_id: str) -> Response:
    with state.store.write() as conn:
        current = _load(conn, rtype, raw_id)
        storage.remove(conn, rtype, current.id)
    return Response(status_code=204)


def _get(state: SandboxState, request: Request, rtype: RecordType, raw_id: str, base: str) -> Response:
    only = _names(request, "fields") or None
    with state.store.connect() as conn:
        current = _load(conn, rtype, raw_id)
        document = Renderer(conn, base).record(
            rtype,
            current.id,
            current.data,
            expand=_flag(request, "expandSubResources"),
            only=set(only) if only else None,
        )
    return JSONResponse(document, media_type=RECORD_MEDIA_TYPE)


def _get_sub(
    state: SandboxState, request: Request, rtype: RecordType, raw_id: str, sub: str, base: str
) -> Response:
    with state.store.connect() as conn:
        current = _load(conn, rtype, raw_id)
        renderer = Renderer(conn, base)
        href = record_url(base, rtype.name, current.id)
        if sub in rtype.sublists:
            lines = (current.data.get(sub) or {}).get("items", [])
            document = renderer.sublist(rtype, href, sub, lines)
        elif sub in rtype.subrecords and current.data.get(sub):
            document = renderer.subrecord(href, sub, current.data[sub])
        else:
            raise nonexistent_id()
    return JSONResponse(document, media_type=RECORD_MEDIA_TYPE)


def _list(state: SandboxState, request: Request, rtype: RecordType, base: str) -> Response:
    if request.query_params.get("q"):
        raise NetSuiteError(
            400,
            "INVALID_PARAMETER",
            "Collection filtering with q is not available in this sandbox; use SuiteQL.",
            query_param="q",
        )
    limit, offset = _paging(request)
    with state.store.connect() as conn:
        ids, total = storage.list_ids(conn, rtype, limit, offset)
    items = [{"links": self_link(record_url(base, rtype.name, i)), "id": str(i)} for i in ids]
    document = collection(f"{base}{RECORD_PATH}/{rtype.name}", items, limit=limit, offset=offset, total=total)
    return JSONResponse(document, media_type=COLLECTION_MEDIA_TYPE)


def _suiteql(
    state: SandboxState, request: Request, headers: dict[str, str], body: bytes, base: str
) -> Response:
    """Run a SuiteQL query.

    NetSuite documents ``Prefer: transient`` as required on SuiteQL requests; the wording of its refusal
    could not be confirmed, so the emulator answers 400 ``INVALID_HEADER`` naming the header (turn this
    off with ``require_prefer_transient=False``).
    """
    prefer = headers.get("prefer", "")
    if state.settings.require_prefer_transient and "transient" not in prefer.lower():
        raise NetSuiteError(
            400, "INVALID_HEADER", "SuiteQL requests require the header Prefer: transient.", header="Prefer"
        )
    limit, offset = _paging(request, cap=suiteql.MAX_ROWS)
    payload = _json_body(body)
    if not isinstance(payload, dict) or "q" not in payload:
        detail = 'The request body must be a JSON object {"q": "<query>"}.'
        raise NetSuiteError(400, "INVALID_CONTENT", detail)
    with state.store.connect() as conn:
        rows, total = suiteql.run(conn, payload["q"], limit=limit, offset=offset)
    document = collection(f"{base}{SUITEQL_PATH}", rows, limit=limit, offset=offset, total=total)
    return JSONResponse(document, media_type=COLLECTION_MEDIA_TYPE)
