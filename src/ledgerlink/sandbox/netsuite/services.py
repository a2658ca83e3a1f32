"""Routes the emulator serves beside records and SuiteQL: OAuth 2.0 token endpoint, RESTlets, asynchronous
jobs and batches, and the sandbox-only admin endpoints. ``app.py`` calls :func:`before_auth` before it
authenticates a request and :func:`route` before it routes one to the record service.

Sandbox-only admin endpoints (no authentication; never part of NetSuite; for the CLI and e2e tests):

* ``GET|POST|DELETE /__sandbox/faults``: list, add (one fault object or a list) or clear injected faults
  (see :mod:`ledgerlink.sandbox.netsuite.faults`).
* ``GET /__sandbox/governance``: the account's concurrency limit, requests in flight, peak, requests
  admitted since start and rejections.

NetSuite's own ``GET /services/rest/system/v1/governanceLimits`` is answered too (authenticated).
"""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.netsuite import restlet
from ledgerlink.sandbox.netsuite.async_jobs import (
    ASYNC_ROOT,
    RECORD_ROOT,
    AsyncService,
    Dispatch,
    is_async,
    is_batch,
)
from ledgerlink.sandbox.netsuite.errors import NetSuiteError
from ledgerlink.sandbox.netsuite.faults import Fault
from ledgerlink.sandbox.netsuite.oauth2 import TOKEN_PATH

ADMIN_FAULTS = "/__sandbox/faults"
ADMIN_GOVERNANCE = "/__sandbox/governance"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
GOVERNANCE_LIMITS_PATH = "/services/rest/system/v1/governanceLimits"
_FAULTS = TypeAdapter(list[Fault])


def async_service(request: Request, dispatch: Dispatch) -> AsyncService:
    """The app's asynchronous job service, created on first use."""
    app_state = request.app.state
    service: AsyncService | None = getattr(app_state, "netsuite_async", None)
    if service is None:
        service = AsyncService(app_state.sandbox, dispatch)
        app_state.netsuite_async = service
    return service


def before_auth(
    state: Any, request: Request, headers: dict[str, str], body: bytes, dispatch: Dispatch
) -> Response | None:
    """Answer the routes that authenticate differently (or not at all); None for everything else."""
    path = request.url.path.rstrip("/")
    if path == TOKEN_PATH:
        if request.method != "POST":
            raise NetSuiteError(405, "INVALID_REQUEST", f"The HTTP method {request.method} is not supported.")
        return state.verifier.oauth2.token_response(str(request.url), headers, body, time.time())
    if path == restlet.RESTLET_PATH:
        return restlet.handle(state, request, headers, body, dispatch)
    if path == ADMIN_FAULTS:
        return _admin_faults(state, request, body)
    if path == ADMIN_GOVERNANCE:
        gate = state.gate
        return JSONResponse(
            {
                "concurrencyLimit": gate.limit,
                "serviceTier": state.settings.service_tier,
                "suiteCloudPlusLicenses": state.settings.suitecloud_plus_licenses,
                "inFlight": gate.in_flight,
                "peak": gate.peak,
                "admitted": gate.admitted,
                "rejected": gate.rejected,
            }
        )
    return None


def route(
    state: Any, request: Request, headers: dict[str, str], body: bytes, dispatch: Dispatch
) -> Response | None:
    """Asynchronous jobs, ``Prefer: respond-async`` and batch requests; None for everything else."""
    path = request.url.path.rstrip("/")
    if path == GOVERNANCE_LIMITS_PATH:
        if request.method != "GET":
            raise NetSuiteError(405, "INVALID_REQUEST", f"The HTTP method {request.method} is not supported.")
        return JSONResponse(governance_limits(state))
    if path == ASYNC_ROOT or path.startswith(ASYNC_ROOT + "/"):
        return async_service(request, dispatch).answer(request)
    on_records = path.startswith(RECORD_ROOT + "/") or path == SUITEQL_PATH
    if on_records and is_async(headers):
        return async_service(request, dispatch).submit(request, headers, body)
    if on_records and is_batch(headers) and request.method in ("POST", "PUT", "PATCH"):
        raise NetSuiteError(
            400,
            "INVALID_HEADER",
            "Batch operations run asynchronously: send them with the header Prefer: respond-async.",
            header="Prefer",
        )
    return None


def governance_limits(state: Any) -> dict[str, Any]:
    """``GET /services/rest/system/v1/governanceLimits`` (Oracle, "GovernanceLimits Operation").

    Oracle names the three values (account limit, unallocated limit, limit type) but shows no JSON
    here; the field names follow the SOAP ``getAccountGovernanceInfo`` / ``getIntegrationGovernanceInfo``
    results and the limit types ``integrationSpecific`` / ``accountUnallocated``.
    """
    account = state.settings.concurrency_limit
    allocated = state.settings.integration_concurrency_limit
    document: dict[str, Any] = {
        "accountConcurrencyLimit": account,
        "unallocatedConcurrencyLimit": max(1, account - (allocated or 0)),
        "limitType": "integrationSpecific" if allocated else "accountUnallocated",
    }
    if allocated:
        document["integrationConcurrencyLimit"] = allocated
    return document


def _admin_faults(state: Any, request: Request, body: bytes) -> Response:
    faults = state.faults
    if request.method == "POST":
        try:
            data = json.loads(body or b"null")
            added = _FAULTS.validate_python(data if isinstance(data, list) else [data])
        except (ValueError, ValidationError) as error:
            return JSONResponse({"error": f"not a fault: {error}"}, status_code=400)
        faults.extend(added)
        return JSONResponse({"faults": _dump(faults)}, status_code=201)
    if request.method == "DELETE":
        faults.replace_all([])
        return JSONResponse({"faults": []})
    if request.method == "GET":
        return JSONResponse({"faults": _dump(faults)})
    return JSONResponse({"error": f"{request.method} is not supported"}, status_code=405)


def _dump(faults: list[Fault]) -> list[dict[str, Any]]:
    return [fault.model_dump() for fault in list(faults)]
