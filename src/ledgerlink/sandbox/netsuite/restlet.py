"""RESTlets: ``/app/site/hosting/restlet.nl?script=N&deploy=M`` with a small registry of sandbox scripts.

A real account serves RESTlets from ``{account}.restlets.api.netsuite.com``; the emulator serves them on
its own host. RESTlets take TBA or OAuth 2.0 (scope ``restlets``) and count toward the account's
concurrency limit like every web-service request; a RESTlet over the limit is answered HTTP 400 with the
SuiteScript error ``SSS_REQUEST_LIMIT_EXCEEDED`` (Oracle, "Errors Related to Concurrency Violations";
applied in :mod:`ledgerlink.sandbox.netsuite.governance`). RESTlet errors have their own body,
``{"error": {"code": ..., "message": ...}}``, not the REST ``nsError`` (observed in public client code).

Built-in scripts, chosen by ``settings.restlet_scripts`` (``"script:deploy" -> name``):

* ``echo`` (default ``1:1``): answers ``{"method", "params", "body"}`` with what it was sent.
* ``bulk_upsert`` (default ``2:1``): ``POST {"recordType": "customer", "records": [{"externalId": ...,
  ...}, ...]}`` upserts each record by external id (as ``PUT /record/v1/{type}/eid:{externalId}``) and
  answers ``{"results": [{"externalId", "success": true, "id"} | {"externalId", "success": false,
  "error": {"code", "message"}}]}``; at most ``async_max_batch_items`` records.

Codes the emulator uses where public sources are silent: 401 ``INVALID_LOGIN_ATTEMPT`` (bad credentials),
400 ``SSS_INVALID_SCRIPTLET_ID`` (no such script/deployment), 405 ``SSS_INVALID_HTTP_METHOD``, 400
``SYNTAX_ERROR`` (a body that is not JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.netsuite.async_jobs import Dispatch, sub_request
from ledgerlink.sandbox.netsuite.errors import NetSuiteError
from ledgerlink.sandbox.netsuite.governance import restlet_error

RESTLET_PATH = "/app/site/hosting/restlet.nl"

Script = Callable[[Any, Request, Any, Dispatch], Response]


def handle(
    state: Any, request: Request, headers: dict[str, str], body: bytes, dispatch: Dispatch
) -> Response:
    """Authenticate and run one RESTlet call."""
    try:
        state.verifier.verify(request.method, str(request.url), headers, body)
    except NetSuiteError:
        return restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")
    script = request.query_params.get("script", "")
    deploy = request.query_params.get("deploy", "")
    name = state.settings.restlet_scripts.get(f"{script}:{deploy}")
    run = SCRIPTS.get(name or "")
    if run is None:
        return restlet_error(
            400, "SSS_INVALID_SCRIPTLET_ID", "That Suitelet is invalid, disabled, or no longer exists."
        )
    if request.method not in ("GET", "POST", "PUT", "DELETE"):
        return restlet_error(405, "SSS_INVALID_HTTP_METHOD", f"{request.method} is not supported.")
    payload: Any = None
    if request.method in ("POST", "PUT") and body.strip():
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return restlet_error(400, "SYNTAX_ERROR", "SyntaxError: Unexpected token in JSON.")
    return run(state, request, payload, dispatch)


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in ("script", "deploy")}


def echo(state: Any, request: Request, payload: Any, dispatch: Dispatch) -> Response:
    return JSONResponse({"method": request.method, "params": _params(request), "body": payload})


def bulk_upsert(state: Any, request: Request, payload: Any, dispatch: Dispatch) -> Response:
    if request.method != "POST":
        return restlet_error(405, "SSS_INVALID_HTTP_METHOD", "bulk_upsert takes POST only.")
    record_type = payload.get("recordType") if isinstance(payload, dict) else None
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(record_type, str) or not isinstance(records, list):
        return restlet_error(400, "INVALID_INPUT", 'Send {"recordType": "...", "records": [...]}.')
    limit = state.settings.async_max_batch_items
    if len(records) > limit:
        return restlet_error(400, "INVALID_INPUT", f"At most {limit} records per call.")
    results: list[dict[str, Any]] = []
    headers = {"content-type": "application/json"}
    for record in records:
        external_id = record.get("externalId") if isinstance(record, dict) else None
        if not isinstance(external_id, str) or not external_id:
            results.append(
                {
                    "externalId": external_id,
                    "success": False,
                    "error": {"code": "INVALID_INPUT", "message": "Each record needs an externalId."},
                }
            )
            continue
        path = f"/services/rest/record/v1/{record_type}/eid:{quote(external_id, safe='')}"
        sub = sub_request(dict(request.scope), "PUT", path, "", headers)
        try:
            response = dispatch(state, sub, headers, json.dumps(record).encode())
        except NetSuiteError as error:
            response = error.response()
        if response.status_code < 400:
            location = response.headers.get("location", "")
            results.append({"externalId": external_id, "success": True, "id": location.rsplit("/", 1)[-1]})
        else:
            error_body = json.loads(bytes(response.body) or b"{}")
            detail = (error_body.get("o:errorDetails") or [{}])[0]
            results.append(
                {
                    "externalId": external_id,
                    "success": False,
                    "error": {
                        "code": detail.get("o:errorCode", "UNEXPECTED_ERROR"),
                        "message": detail.get("detail", ""),
                    },
                }
            )
    return JSONResponse({"results": results})


SCRIPTS: dict[str, Script] = {"echo": echo, "bulk_upsert": bulk_upsert}
