"""Turn what a Magento store answers, or fails to answer, into problems an operator can act on.

Magento errors are JSON ``{"message": "... %1 ...", "parameters": [...]}``: the message is a template and
``parameters`` fills it, by position (``%1``) when a list, by name (``%fieldName``) when an object. The
filled message is what an admin would read, so that is what the problem quotes. Anything in front of the
store (a CDN, a WAF, a maintenance page, a PHP notice) answers with something else, which must not be
mistaken for the store's verdict. Details keep method, path and status: never credentials.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from ledgerlink.connectors import http_answers
from ledgerlink.connectors.http_answers import describe_non_json, retry_after_seconds
from ledgerlink.connectors.store_http import unreadable_answer
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity, Team

_PLACEHOLDER = re.compile(r"%(\d+|[A-Za-z_][A-Za-z0-9_]*)")
NO_ROUTE = "request does not match any route"
# What a real 2.4.7-p3 store answers (400) for a store code it does not have in /rest/<code>/ (issue 21).
UNKNOWN_STORE = "specified request cannot be processed"
# Magento's masked internal error names the report its log keeps (Webapi ErrorProcessor: uniqid("webapi-")).
_REPORT_ID = re.compile(r"webapi-[0-9a-f]+")


def parse_json(response: httpx.Response) -> Any | None:
    """The body as JSON with decimals kept exact (Magento sends amounts as JSON numbers)."""
    return http_answers.parse_json(response, exact_decimals=True)


def fill_message(message: str, parameters: Any) -> str:
    """Magento's message with its ``%1`` / ``%name`` placeholders replaced from ``parameters``."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if isinstance(parameters, list) and key.isdigit() and 0 < int(key) <= len(parameters):
            return str(parameters[int(key) - 1])
        if isinstance(parameters, dict) and key in parameters:
            return str(parameters[key])
        return match.group(0)

    return _PLACEHOLDER.sub(value, message)


def magento_message(body: Any) -> str:
    """The filled message of an error body (errors[] appended), or an empty string."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return ""
    text = fill_message(body["message"], body.get("parameters"))
    extra = [
        fill_message(str(item.get("message", "")), item.get("parameters"))
        for item in body.get("errors") or []
        if isinstance(item, dict)
    ]
    return "; ".join([text, *[e for e in extra if e and e != text]])


def _problem(
    code: str,
    what: str,
    why: str,
    fix: str,
    details: dict[str, Any],
    *,
    team: Team = Team.OPERATIONS,
    severity: Severity = Severity.PERMANENT,
    retry_after: float | None = None,
) -> ProblemError:
    return ProblemError(Problem(code, what, why, fix, severity, team, retry_after, dict(details)))


def _auth_fix(message: str, scheme: str, body: Any) -> tuple[str, str]:
    text = message.lower()
    if "signature" in text or "nonce" in text or "timestamp" in text:
        return (
            f"the store rejected the OAuth 1.0a signature ({message})",
            "copy the integration's consumer secret and access token secret again (System > Extensions > "
            "Integrations), set base_url to the store's base URL exactly, and keep this machine's clock "
            "in sync",
        )
    if "2fa" in text or "two-factor" in text:
        return (
            f"two-factor authentication is on for admin users, so no admin token without a one-time code "
            f"({message})",
            "use auth: oauth1 with an integration (System > Extensions > Integrations); admin tokens then "
            "come only from the 2FA provider endpoints such as /V1/tfa/provider/google/authenticate",
        )
    if "sign-in was incorrect" in text or "account is disabled" in text:
        return (
            f"the store refused the admin user name or password ({message})",
            "check username and password; if the account is locked, unlock it in System > Permissions > "
            "Locked Users; with two-factor authentication on, use an integration (auth: oauth1) instead",
        )
    resources = body.get("parameters", {}).get("resources") if isinstance(body, dict) else None
    if isinstance(body, dict) and isinstance(body.get("parameters"), dict) and resources:
        needed = f" (needs {resources})"
    else:
        needed = ""
    if scheme == "bearer":
        return (
            f"the store does not accept the integration token as a bearer token{needed} ({message})",
            "enable oauth/consumer/enable_integration_as_bearer (Stores > Configuration > Services > OAuth "
            "> Consumer Settings > 'Allow OAuth Access Tokens to be used as standalone Bearer tokens') or "
            "use OAuth 1.0a (auth: oauth1 with all four integration credentials)",
        )
    if scheme == "admin":
        return (
            f"the admin token was not accepted{needed} ({message})",
            "give the admin user a role with access to the resources named, or check the token lifetime in "
            "Stores > Configuration > Services > OAuth > Access Token Expiration",
        )
    return (
        f"the integration may not use this resource or its credentials are unknown{needed} ({message})",
        "in System > Extensions > Integrations give the integration access to the resource named and "
        "reactivate it, then copy its four credentials into the connection",
    )


def problem_for_response(response: httpx.Response, *, scheme: str) -> ProblemError:
    """The problem for a non-2xx answer from the store (or from what stands in front of it)."""
    status = response.status_code
    request = response.request
    body = parse_json(response)
    message = magento_message(body)
    details: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": status}
    where = f"{request.method} {request.url.path}"
    if 300 <= status < 400:
        target = httpx.URL(response.headers.get("location", "")).copy_with(query=None)
        return _problem(
            Code.CONFIG_INVALID,
            "the store redirected the API request",
            f"{where} answered {status} towards {target}",
            "set base_url to the address the store redirects to (often https:// or with/without www)",
            details,
            team=Team.INTEGRATION,
        )
    if status == 429:
        return _problem(
            Code.RATE_LIMITED,
            "the store is throttling requests",
            f"{where} answered 429",
            "nothing to do: the job retries after the delay; lower the connection's concurrency if it lasts",
            details,
            team=Team.VENDOR,
            severity=Severity.TRANSIENT,
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    if status >= 500:
        said = f" with {describe_non_json(response)}" if body is None else f": {message}"
        report = _REPORT_ID.search(message)
        fix = (
            f"find {report.group(0)} in var/log/exception.log on the store: it names what failed (a "
            "searchCriteria field the store's tables lack, a PHP error in an extension); nothing to do if "
            "it passes"
            if report
            else "nothing to do if it passes; otherwise read var/log/exception.log and var/report on the "
            "store"
        )
        return _problem(
            Code.REMOTE_UNAVAILABLE,
            "the store is unavailable",
            f"{where} answered {status}{said}",
            fix,
            details,
            team=Team.VENDOR,
            severity=Severity.TRANSIENT,
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    if body is None or not message:
        return _problem(
            Code.BAD_RESPONSE,
            "something other than Magento answered",
            f"{where} answered {status} with "
            + (describe_non_json(response) if body is None else "JSON without a Magento message"),
            "check base_url and store_code (the store must serve /rest/<store_code>/V1/), and allow-list "
            "this integration in the store's firewall or CDN",
            details,
            team=Team.INTEGRATION,
        )
    if status == 401:
        why, fix = _auth_fix(message, scheme, body)
        if isinstance(body, dict) and isinstance(body.get("parameters"), dict):
            if body["parameters"].get("resources"):
                # Refused one ACL resource, not the credentials: other requests of the connection work.
                details["scope"] = "request"
        return _problem(
            Code.AUTH_FAILED, "Magento refused the credentials", why, fix, details, team=Team.INTEGRATION
        )
    if status == 403:
        return _problem(
            Code.PERMISSION_DENIED,
            "Magento forbids this request",
            f"{where}: {message}",
            "give the integration or admin role access to this resource in the store's admin",
            details,
            team=Team.INTEGRATION,
        )
    if status == 404:
        if NO_ROUTE in message.lower():
            return _problem(
                Code.CONFIG_INVALID,
                "the store has no such API route",
                f"{where}: {message}",
                "check base_url and store_code, and that the module serving this endpoint is enabled "
                "(for /V1/inventory/*: Magento Inventory; for /async/*: the asynchronous operations module)",
                details,
                team=Team.INTEGRATION,
            )
        return _problem(
            Code.RECORD_NOT_FOUND,
            "the record does not exist in the store",
            f"{where}: {message}",
            "check that the record was not deleted and that the store view (store_code) can see it",
            details,
        )
    if status == 400 and message.lower().rstrip(".") == UNKNOWN_STORE:
        return _problem(
            Code.CONFIG_INVALID,
            "the store has no store view with this code",
            f"{where}: {message} (Magento's answer for an unknown store code in /rest/<store_code>/)",
            "set store_code to an existing store view code (Stores > All Stores), such as default; to "
            "read one store view's orders set store_id as well",
            details,
            team=Team.INTEGRATION,
        )
    if status == 400:
        return _problem(
            Code.VALIDATION_FAILED,
            "Magento rejected the request",
            f"{where}: {message}",
            "correct what Magento's message names (quantities, SKUs, order state) and retry",
            details,
        )
    return _problem(
        Code.REMOTE_ERROR,
        "Magento refused the request",
        f"{where} answered {status}: {message}",
        "read Magento's message and correct the request or the store",
        details,
    )


def problem_for_token(response: httpx.Response) -> ProblemError:
    """The admin token exchange failed: always a credentials problem unless the store is down."""
    problem = problem_for_response(response, scheme="admin")
    if problem.problem.transient or response.status_code not in (400, 401):
        return problem
    why, fix = _auth_fix(magento_message(parse_json(response)) or "no message", "admin", None)
    return _problem(
        Code.AUTH_FAILED,
        "Magento refused to issue an admin token",
        why,
        fix,
        dict(problem.problem.details),
        team=Team.INTEGRATION,
    )


def bad_body(response: httpx.Response, expected: str) -> ProblemError:
    """A 2xx answer that is not what Magento sends."""
    return unreadable_answer(
        response,
        expected,
        "check extensions that change REST output, and switch off PHP display_errors on the store",
    )
