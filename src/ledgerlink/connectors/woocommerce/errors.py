"""Turn what a WooCommerce store answers, or fails to answer, into problems an operator can act on.

WooCommerce errors are JSON ``{"code", "message", "data": {"status"}}``; ``data`` is sometimes a bare
number (seen on refunds). Anything else in front of the store (a firewall, a proxy, a PHP notice printed
before the JSON) answers with HTML or text, which must not be mistaken for the store's verdict.
Details keep the method, path, status and WooCommerce's code: never credentials, never personal data.
"""

from __future__ import annotations

from typing import Any

import httpx

from ledgerlink.connectors.http_answers import describe_non_json, parse_json, retry_after_seconds
from ledgerlink.connectors.store_http import unreadable_answer
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity, Team

# A 500/501 with WooCommerce's own error code is a refusal (a failed gateway refund, an unsupported
# operation) that retrying will not cure; WordPress's fatal-error handler uses this code for crashes.
_CRASH_CODES = {"internal_server_error"}


def permanent(
    code: str, what: str, why: str, fix: str, *, details: dict[str, Any], team: Team = Team.OPERATIONS
) -> ProblemError:
    """Like ``problems.permanent`` but with a details dict, which may hold WooCommerce's own ``code``."""
    return ProblemError(Problem(code, what, why, fix, Severity.PERMANENT, team, None, dict(details)))


def transient(
    code: str, what: str, why: str, fix: str, *, details: dict[str, Any], retry_after: float | None = None
) -> ProblemError:
    return ProblemError(Problem(code, what, why, fix, Severity.TRANSIENT, Team.VENDOR, retry_after, details))


def woo_error(body: Any) -> tuple[str, str]:
    """WooCommerce's ``code`` and ``message`` from an error body, or empty strings."""
    if isinstance(body, dict):
        return str(body.get("code") or ""), str(body.get("message") or "")
    return "", ""


def _auth_problem(code: str, message: str, scheme: str, details: dict[str, Any]) -> ProblemError:
    text = message.lower()
    if "secret is invalid" in text:
        why = f"the store knows the consumer key but not this secret ({message})"
        fix = "copy the consumer secret of this key again from WooCommerce > Settings > Advanced > REST API"
    elif "permissions" in text:
        why = f"the key's permission level forbids this request ({message})"
        fix = "give the key read_write permission (or create a new read_write key) in the store"
        # A read-only key is refused its writes only: the connection itself works for reads.
        details = details | {"scope": "request"}
    elif "signature" in text or "timestamp" in text or "nonce" in text:
        why = f"the store rejected the OAuth 1.0a signature ({message})"
        fix = (
            "set base_url to the store's home URL exactly as WordPress shows it (Settings > General), "
            "check the consumer secret, and keep this machine's clock in sync"
        )
    else:
        why = (
            f"the store did not accept the key ({message or 'no message'}): the key is unknown to it "
            "(deleted, revoked, from another store or its user removed), or no credentials reached it"
        )
        fix = "create a read_write key in WooCommerce > Settings > Advanced > REST API and configure it"
        if scheme == "basic":
            fix += "; make sure the web server passes the Authorization header on to PHP"
    return permanent(
        Code.AUTH_FAILED,
        "WooCommerce refused the credentials",
        why,
        fix,
        team=Team.INTEGRATION,
        details=details,
    )


def problem_for_response(response: httpx.Response, *, scheme: str) -> ProblemError:
    """The problem for a non-2xx answer."""
    status = response.status_code
    request = response.request
    body = parse_json(response)
    code, message = woo_error(body)
    details: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": status}
    if code:
        details["code"] = code
    said = f"{code}: {message}" if code else message
    if 300 <= status < 400:
        target = httpx.URL(response.headers.get("location", "")).copy_with(query=None)
        return permanent(
            Code.CONFIG_INVALID,
            "the store redirected the API request",
            f"{request.method} {request.url.path} answered {status} towards {target}",
            "set base_url to the address the store redirects to (often https:// or with/without www)",
            team=Team.INTEGRATION,
            details=details,
        )
    if status == 401:
        return _auth_problem(code, message, scheme, details)
    if status == 429:
        return transient(
            Code.RATE_LIMITED,
            "the store is throttling requests",
            f"{request.method} {request.url.path} answered 429",
            "nothing to do: the job retries after the delay; lower the connection's concurrency if it lasts",
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
            details=details,
        )
    if status == 413:
        return permanent(
            Code.VALIDATION_FAILED,
            "batch too large",
            f"the store refused the request body as too large ({said or 'HTTP 413'})",
            "send at most 100 objects per batch request (WooCommerce's limit) or raise the server's limit",
            team=Team.INTEGRATION,
            details=details,
        )
    if status >= 500:
        if status in (500, 501) and code and code not in _CRASH_CODES:
            return permanent(
                Code.REMOTE_ERROR,
                "WooCommerce refused the request",
                f"{request.method} {request.url.path} answered {status} {said}",
                "read WooCommerce's message; fix the order or the store setting it names, then retry",
                details=details,
            )
        return transient(
            Code.REMOTE_UNAVAILABLE,
            "the store is unavailable",
            f"{request.method} {request.url.path} answered {status}"
            + (f" with {describe_non_json(response)}" if body is None else f" {said}"),
            "nothing to do if it passes; otherwise check the store's PHP error log and hosting",
            details=details,
        )
    if body is None:
        return permanent(
            Code.BAD_RESPONSE,
            "something other than WooCommerce answered",
            f"{request.method} {request.url.path} answered {status} with {describe_non_json(response)}",
            "check base_url and pretty permalinks (the store must serve /wp-json/), and allow-list this "
            "integration in the store's firewall or CDN",
            team=Team.INTEGRATION,
            details=details,
        )
    if status == 404:
        if code == "rest_no_route":
            return permanent(
                Code.CONFIG_INVALID,
                "the store has no such API route",
                f"{request.method} {request.url.path}: {said}",
                "check that WooCommerce is active and base_url is the store's home URL",
                team=Team.INTEGRATION,
                details=details,
            )
        return permanent(
            Code.RECORD_NOT_FOUND,
            "the record does not exist in the store",
            f"{request.method} {request.url.path}: {said}",
            "check that the record was not deleted or trashed in WooCommerce",
            details=details,
        )
    if status == 400:
        return permanent(
            Code.VALIDATION_FAILED,
            "WooCommerce rejected the request",
            f"{request.method} {request.url.path}: {said}",
            "correct the value WooCommerce names and retry",
            details=details,
        )
    if status == 403:
        return permanent(
            Code.PERMISSION_DENIED,
            "the key's WordPress user may not do this",
            f"{request.method} {request.url.path}: {said}",
            "create the key for a user with the Shop manager or Administrator role",
            team=Team.INTEGRATION,
            details=details,
        )
    return permanent(
        Code.REMOTE_ERROR,
        "WooCommerce refused the request",
        f"{request.method} {request.url.path} answered {status} {said}",
        "read WooCommerce's message and correct the request or the store",
        details=details,
    )


def bad_body(response: httpx.Response, expected: str) -> ProblemError:
    """A 2xx answer that is not what WooCommerce sends."""
    return unreadable_answer(
        response,
        expected,
        "switch off PHP display_errors (WP_DEBUG_DISPLAY false) and check plugins that print output",
    )
