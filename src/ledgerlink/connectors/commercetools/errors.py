"""Turn what commercetools answers, or fails to answer, into problems an operator can act on.

commercetools errors are JSON ``{"statusCode", "message", "errors": [{"code", "message", ...}]}``; the
auth service answers OAuth-style ``{"error", "error_description"}`` as well. A proxy or load balancer
in front answers with HTML or nothing, which must not be mistaken for commercetools' verdict. Details
keep the method, path, status and error codes: never tokens, never personal data.
"""

from __future__ import annotations

from typing import Any

import httpx

from ledgerlink.connectors import store_http
from ledgerlink.connectors.http_answers import parse_json
from ledgerlink.connectors.store_http import unreadable_answer
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity, Team

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def error_codes(body: Any) -> list[str]:
    """Every ``errors[].code`` (and an OAuth ``error``) in an error body, in order."""
    codes: list[str] = []
    if isinstance(body, dict):
        for item in body.get("errors") or []:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                codes.append(item["code"])
        if isinstance(body.get("error"), str) and body["error"] not in codes:
            codes.append(body["error"])
    return codes


def error_message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or "")
    return ""


def current_version(body: Any) -> int | None:
    """``currentVersion`` from a 409 ConcurrentModification body, when commercetools said it."""
    if isinstance(body, dict):
        for item in body.get("errors") or []:
            if isinstance(item, dict) and item.get("code") == "ConcurrentModification":
                value = item.get("currentVersion")
                return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def is_invalid_token(response: httpx.Response) -> bool:
    """A 401 that a fresh token may cure (expired or revoked), as opposed to wrong client credentials."""
    if response.status_code != 401:
        return False
    codes = error_codes(parse_json(response))
    return not codes or "invalid_token" in codes


def _problem(
    code: str, what: str, why: str, fix: str, *, team: Team, details: dict[str, Any], transient: bool = False
) -> ProblemError:
    severity = Severity.TRANSIENT if transient else Severity.PERMANENT
    return ProblemError(Problem(code, what, why, fix, severity, team, None, dict(details)))


def missing_scope(message: str) -> str:
    """The scope(s) a 403 names. commercetools says "Insufficient scope. One of the following scopes is
    missing: manage_customers." (sometimes with the project key); an empty string when it names none."""
    marker = "missing:"
    if marker not in message:
        return ""
    return message.split(marker, 1)[1].strip().rstrip(".").strip()


def problem_for_response(response: httpx.Response, *, scopes: list[str] | None = None) -> ProblemError:
    """The problem for a non-2xx answer from the project API or the auth service."""
    status = response.status_code
    request = response.request
    body = parse_json(response)
    codes, message = error_codes(body), error_message(body)
    details: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": status}
    if codes:
        details["codes"] = codes
    if correlation := response.headers.get("x-correlation-id"):
        details["correlation_id"] = correlation  # what commercetools support asks for
    said = f"{', '.join(codes)}: {message}" if codes else (message or f"HTTP {status}")
    where = f"{request.method} {request.url.path}"
    if status == 401 or (status == 400 and ("invalid_client" in codes or "invalid_scope" in codes)):
        if "invalid_scope" in codes:
            why, fix = (
                f"the auth service refused the requested scopes ({said})",
                "give the API client the scopes listed in the connection's scopes (or clear the list to "
                "get all the client has) in Merchant Center > Settings > Developer settings",
            )
        else:
            why, fix = (
                f"commercetools did not accept the API client's credentials or token ({said})",
                "check client_id and client_secret of the connection (create a new API client in Merchant "
                "Center > Settings > Developer settings if it was deleted) and that auth_url matches the "
                "project's region",
            )
        return _problem(
            Code.AUTH_FAILED,
            "commercetools refused the credentials",
            why,
            fix,
            team=Team.INTEGRATION,
            details=details,
        )
    if status == 403:
        scope = missing_scope(message)
        needs = f"the scope {scope}" if scope else "a scope it lacks"
        if scope:
            details["missing_scope"] = scope
        return _problem(
            Code.PERMISSION_DENIED,
            "the API client may not do this",
            f"{where} needs {needs} ({said}); the token has {' '.join(scopes or []) or 'the default scopes'}",
            f"add {scope or 'the scope'} to the API client and to the connection's scopes",
            team=Team.INTEGRATION,
            details=details,
        )
    if status in RETRYABLE_STATUSES:
        kind = Code.RATE_LIMITED if status == 429 else Code.REMOTE_UNAVAILABLE
        return _problem(
            kind,
            "commercetools is throttling or unavailable",
            f"{where} answered {status} ({said})",
            "nothing to do if it passes: the job retries with backoff; lower concurrency if it lasts",
            team=Team.VENDOR,
            details=details,
            transient=True,
        )
    if status >= 500:
        return _problem(
            Code.REMOTE_UNAVAILABLE,
            "commercetools failed to answer",
            f"{where} answered {status} ({said})",
            "nothing to do if it passes; otherwise check the commercetools status page",
            team=Team.VENDOR,
            details=details,
            transient=True,
        )
    if status == 404 and body is None and not response.content.strip():
        body = {}  # an empty 404 (HEAD, some gateways): still "no such record", not a foreign answer
    if body is None:
        return _problem(
            Code.BAD_RESPONSE,
            "something other than commercetools answered",
            f"{where} answered {status} with a body that is not JSON",
            "check api_url and auth_url (region host names) and any proxy between here and commercetools",
            team=Team.INTEGRATION,
            details=details,
        )
    if status == 404:
        return _problem(
            Code.RECORD_NOT_FOUND,
            "the record does not exist in commercetools",
            f"{where}: {said}",
            "check the record was not deleted, and that project_key and store_key are right",
            team=Team.OPERATIONS,
            details=details,
        )
    if status == 409:
        if (version := current_version(body)) is not None:
            details["current_version"] = version
        return _problem(
            Code.VALIDATION_FAILED,
            "the record changed while it was being updated",
            f"{where}: {said}",
            "nothing to do if it passes: the job retries and reads the new version",
            team=Team.VENDOR,
            details=details,
            transient=True,
        )
    return _problem(
        Code.VALIDATION_FAILED,
        "commercetools rejected the request",
        f"{where}: {said}",
        "correct the value commercetools names and retry",
        team=Team.INTEGRATION,
        details=details,
    )


def problem_for_transport(error: httpx.TransportError, method: str, path: str) -> ProblemError:
    """The problem for a request that got no answer: timeouts, refused connections, TLS failures."""
    return store_http.problem_for_transport(
        error,
        method,
        path,
        system="commercetools",
        tls_fix="check the system CA bundle and any TLS-intercepting proxy",
        unreachable_fix="nothing to do if it passes; otherwise check api_url/auth_url and timeout_seconds",
        url_setting="api_url and auth_url",
    )


def bad_body(response: httpx.Response, expected: str) -> ProblemError:
    """A 2xx answer that is not what commercetools sends."""
    return unreadable_answer(
        response,
        expected,
        "check api_url: something other than the commercetools API may be answering",
        system="commercetools",
    )
