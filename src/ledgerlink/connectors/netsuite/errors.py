"""NetSuite's error answers (``nsError``) turned into Problems an operator can act on.

NetSuite answers failures with HTTP 4xx (the request was wrong) or 5xx (NetSuite failed) and a body
``{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode", "o:errorPath", ...}]}``. The
error code decides the Problem more reliably than the status: a concurrency rejection may come as 429 or
as 400 with ``CONCURRENCY_LIMIT_EXCEEDED``, and must be retried rather than treated as bad data.

RESTlets answer with their own body ``{"error": {"code", "message"}}`` (a concurrency rejection is HTTP
400 ``SSS_REQUEST_LIMIT_EXCEEDED``); :meth:`NsError.parse` reads both forms. The OAuth 2.0 token endpoint
answers RFC 6749 errors (``{"error": "invalid_grant"}``), read by :func:`problem_from_token_response`.

Every "too many requests" form is RATE_LIMITED (transient; the client backs off and the governor shrinks
its limit): HTTP 429, REST ``CONCURRENCY_LIMIT_EXCEEDED``, RESTlet ``SSS_REQUEST_LIMIT_EXCEEDED``, SOAP
``WS_REQUEST_BLOCKED`` / ``WS_CONCUR_SESSION_DISALLWD`` (Oracle, "Errors Related to Concurrency
Violations") and the other spellings listed in :data:`RATE_LIMIT_CODES`.

Problem details keep what an operator needs to see what was sent and answered (method, path, status,
NetSuite's detail and codes, the names of the fields sent) and never the request body or any header:
bodies carry personal data, headers carry the signed credentials.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledgerlink.connectors.http_answers import request_url, retry_after_seconds, tls_mismatch
from ledgerlink.connectors.netsuite.suiteql import redact_literals
from ledgerlink.engine.problems import Code, ProblemError, Team, permanent, transient

RATE_LIMIT_CODES = frozenset(
    {
        "CONCURRENCY_LIMIT_EXCEEDED",
        "SSS_REQUEST_LIMIT_EXCEEDED",
        "WS_CONCUR_SESSION_DISALLWD",
        "WS_CONCUR_SESSION_DISALLOWED",
        "WS_REQUEST_BLOCKED",
        "REQUEST_LIMIT_EXCEEDED",
        "EXCEEDED_CONCURRENT_REQUEST_LIMIT",
        "EXCEEDEDCONCURRENTREQUESTLIMITFAULT",
        "EXCEEDEDREQUESTLIMITFAULT",
        "TOO_MANY_REQUESTS",
        "SSS_CONCURRENCY_LIMIT_EXCEEDED",
    }
)
AUTH_CODES = frozenset(
    {
        "INVALID_LOGIN",
        "INVALID_LOGIN_ATTEMPT",
        "INVALID_LOGIN_CREDENTIALS",
        "CONSUMER_KEY_REFUSED",
        "CONSUMER_KEY_UNKNOWN",
        "FEATUREDISABLED",
        "MISSINGTOKENPASSPORTREQUIREDFIELDS",
        "INVALIDSIGNATURE",
        "INVALID_SIGNATURE",
        "INVALID_TOKEN",
        "INVALID_GRANT",
        "INVALID_CLIENT",
        "INVALIDSCOPE",
        "INVALID_SCOPE",
        "UNAUTHORIZED_CLIENT",
        "CLIENTAUTHENTICATIONFAILED",
        "ENTITYORROLEDISABLED",
        "INVALIDINTEGRATION",
        "USER_ERROR_INVALID_LOGIN",
    }
)
PERMISSION_CODES = frozenset({"INSUFFICIENT_PERMISSION", "INVALID_ROLE", "ACCESS_DENIED"})
# A RESTlet that cannot be reached as configured (wrong script/deploy ids, deployment not released...).
RESTLET_SETUP_CODES = frozenset(
    {
        "SSS_INVALID_SCRIPTLET_ID",
        "SSS_INVALID_HTTP_METHOD",
        "SSS_INVALID_SCRIPT_DEPLOYMENT",
        "INVALID_RESTLET",
    }
)
VALIDATION_CODES = frozenset(
    {
        "USER_ERROR",
        "INVALID_CONTENT",
        "INVALID_PARAMETER",
        "INVALID_REQUEST",
        "INVALID_ID",
        "INVALID_FLD_VALUE",
    }
)
_DUPLICATE_WORDS = re.compile(r"duplicate|already exists|not unique|already in use", re.IGNORECASE)
_EXTERNAL_ID = re.compile(r"external\s*id", re.IGNORECASE)
_INVALID_VALUE = re.compile(
    r"Invalid Field Value (?P<value>.+?) for the following field: (?P<field>[\w.\[\]]+)"
)
_PERMISSION_NAME = re.compile(
    r"['\u2018\u2019\"](?P<name>[^'\u2018\u2019\"]+)['\u2018\u2019\"] permission", re.IGNORECASE
)
_ENTER_VALUES = re.compile(r"Please enter value\(s\) for:\s*(?P<labels>.+?)\.?$", re.IGNORECASE)
_SNIPPET = 300
_MAINTENANCE = re.compile(r"maintenance|upgrade", re.IGNORECASE)
# What a reference field points at, for operator-readable messages (by the last segment of its path).
REFERENCE_KINDS = {
    "entity": "customer",
    "customer": "customer",
    "item": "item",
    "currency": "currency",
    "subsidiary": "subsidiary",
    "location": "location",
    "department": "department",
    "class": "class",
    "terms": "payment terms",
    "shipmethod": "shipping method (shipping item)",
    "shippingtaxcode": "tax code",
    "taxcode": "tax code",
    "taxitem": "tax item",
    "pricelevel": "price level",
    "price": "price level",
    "account": "account",
    "undepfunds": "account",
    "salesrep": "sales rep (employee)",
    "salesorder": "sales order",
    "createdfrom": "source transaction",
    "paymentoption": "payment method",
    "paymentmethod": "payment method",
    "discountitem": "discount item",
    "parent": "parent record",
    "country": "country",
}
# Role permissions a record type needs (Setup > Users/Roles > Manage Roles), for permission fixes.
RECORD_PERMISSIONS = {
    "salesorder": "Transactions > Sales Order",
    "customer": "Lists > Customers",
    "inventoryitem": "Lists > Items",
    "noninventorysaleitem": "Lists > Items",
    "kititem": "Lists > Items",
    "assemblyitem": "Lists > Items",
    "serviceitem": "Lists > Items",
    "itemfulfillment": "Transactions > Item Fulfillment",
    "invoice": "Transactions > Invoice",
    "cashsale": "Transactions > Cash Sale",
    "creditmemo": "Transactions > Credit Memo",
    "cashrefund": "Transactions > Cash Refund",
    "customerdeposit": "Transactions > Customer Deposit",
    "customerpayment": "Transactions > Customer Payment",
    "returnauthorization": "Transactions > Return Authorization",
    "journalentry": "Transactions > Make Journal Entry",
    "estimate": "Transactions > Estimate",
}


class ErrorDetail(BaseModel):
    """One entry of ``o:errorDetails``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    detail: str = ""
    code: str = Field(default="", alias="o:errorCode")
    path: str | None = Field(default=None, alias="o:errorPath")
    header: str | None = Field(default=None, alias="o:errorHeader")
    query_param: str | None = Field(default=None, alias="o:errorQueryParam")
    url: str | None = Field(default=None, alias="o:errorUrl")
    url_path: str | None = Field(default=None, alias="o:urlPath")


class NsError(BaseModel):
    """NetSuite's error body."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    type: str | None = None
    title: str | None = None
    status: int | None = None
    details: list[ErrorDetail] = Field(default_factory=list, alias="o:errorDetails")

    @classmethod
    def parse(cls, content: bytes | str) -> NsError | None:
        """The error body, or None when the answer is not an nsError (an HTML outage page, say)."""
        try:
            data = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            restlet = data["error"]  # a RESTlet's {"error": {"code", "message"}}
            code, message = restlet.get("code"), restlet.get("message")
            detail = {"o:errorCode": str(code or ""), "detail": str(message or "")}
            return cls.model_validate({"title": str(code or "RESTlet error"), "o:errorDetails": [detail]})
        if not isinstance(data, dict) or not ("o:errorDetails" in data or "title" in data):
            return None
        try:
            return cls.model_validate(data)
        except ValidationError:
            return None

    @property
    def codes(self) -> list[str]:
        """Error codes upper-cased: NetSuite is not consistent about the case of TBA codes."""
        return [d.code.upper() for d in self.details if d.code]

    @property
    def text(self) -> str:
        """NetSuite's human-readable explanation: every detail, else the title."""
        return " | ".join(d.detail for d in self.details if d.detail) or (self.title or "")

    def first(self, codes: frozenset[str] | set[str]) -> ErrorDetail | None:
        return next((d for d in self.details if d.code.upper() in codes), None)


@dataclass(frozen=True)
class RequestInfo:
    """What the client sent, as far as a Problem may repeat it."""

    method: str
    path: str
    record_type: str | None = None
    record_id: str | None = None
    body: dict[str, Any] | None = None
    query: str | None = None  # SuiteQL text

    @property
    def action(self) -> str:
        verbs = {"POST": "create", "PATCH": "update", "PUT": "upsert", "DELETE": "delete", "GET": "read"}
        if self.query is not None:
            return "SuiteQL query"
        what = self.record_type or "record"
        target = f" {self.record_id}" if self.record_id else ""
        return f"{verbs.get(self.method, self.method)} of {what}{target}"

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.record_type:
            described["record_type"] = self.record_type
        if self.record_id:
            described["record_id"] = self.record_id
        if self.body is not None:
            described["fields_sent"] = sorted(self.body)
        if self.query is not None:
            described["query"] = redact_literals(self.query)
        return described


def problem_from_response(
    response: httpx.Response, request: RequestInfo, *, now: float, auth: str = "tba"
) -> ProblemError:
    """The Problem for a non-2xx answer. ``auth`` (tba or oauth2) shapes the advice on credentials."""
    status = response.status_code
    error = NsError.parse(response.content)
    codes = set(error.codes) if error else set()
    details = request.describe() | {"status": status}
    if error:
        details |= {"error_codes": sorted(codes), "detail": error.text, "title": error.title}
        paths = [d.path for d in error.details if d.path]
        if paths:
            details["error_paths"] = paths
    elif response.content:
        details["response_snippet"] = response.text[:_SNIPPET]
    retry_after = retry_after_seconds(response.headers.get("Retry-After"), now)
    said = error.text if error and error.text else f"HTTP {status} {response.reason_phrase}".strip()

    if status == 429 or codes & RATE_LIMIT_CODES:
        return _rate_limited(request, said, retry_after, details)
    if status == 503 and _MAINTENANCE.search(said):
        # The whole account is closed for a scheduled maintenance or upgrade: no request can succeed
        # until the window ends, which is why the engine pauses the connection instead of each job.
        return transient(
            Code.REMOTE_MAINTENANCE,
            "NetSuite is in a maintenance window",
            f"NetSuite answered HTTP 503 to the {request.action}: {said}",
            "Nothing to do: requests to NetSuite pause and resume by themselves when the window ends. "
            "Scheduled maintenance and release upgrades are announced on status.netsuite.com and under "
            "Setup > Company > Company Information (Version and upgrade dates).",
            retry_after=retry_after,
            **details,
        )
    if status >= 500:
        return transient(
            Code.REMOTE_UNAVAILABLE,
            f"NetSuite could not carry out the {request.action}",
            f"NetSuite answered HTTP {status}: {said}",
            "Nothing to do if it passes: Ledgerlink retries with backoff. If it persists, check "
            "status.netsuite.com and the account's scheduled maintenance.",
            retry_after=retry_after,
            **details,
        )
    if status == 401 or codes & AUTH_CODES:
        return _auth_failed(request, said, details, auth)
    if status == 403 or codes & PERMISSION_CODES:
        return _permission_denied(request, said, details, auth)
    if codes & RESTLET_SETUP_CODES:
        return permanent(
            Code.CONFIG_INVALID,
            f"NetSuite could not run the {request.action}",
            f"NetSuite answered: {said}",
            "Check the RESTlet's script and deploy ids (Customization > Scripting > Script Deployments), "
            "that the deployment is Released and its audience includes the credentials' role, and that the "
            "script handles this HTTP method.",
            team=Team.INTEGRATION,
            **details,
        )
    missing_ref = error.first({"NONEXISTENT_ID"}) if error else None
    if missing_ref is not None and missing_ref.path and request.body is not None:
        # A write naming a record that does not exist: the path says which reference.
        return _invalid_reference(request, missing_ref, said, details)
    if "NONEXISTENT_ID" in codes or (status == 404 and not codes):
        return permanent(
            Code.RECORD_NOT_FOUND,
            f"NetSuite has no {request.record_type or 'record'} {request.record_id or ''}".rstrip(),
            f"NetSuite answered: {said}",
            "Check that the record exists in this NetSuite account (sandbox and production ids differ) "
            "and was not deleted; correct the link or mapping that points at it.",
            **details,
        )
    if error and (bad_ref := error.first({"INVALID_KEY_OR_REF"})):
        return _invalid_reference(request, bad_ref, said, details)
    if error and _is_duplicate(error):
        return permanent(
            Code.DUPLICATE_RECORD,
            f"NetSuite refused the {request.action}: the record already exists",
            f"NetSuite answered: {said}",
            "Link the existing NetSuite record (look it up by its external id) instead of creating it "
            "again; writes by external id (upsert) avoid this.",
            **details,
        )
    if codes & VALIDATION_CODES or status in (400, 404, 409, 422):
        path = next((d.path for d in error.details if d.path), None) if error else None
        entries = error.details if error else []
        labels = next((m.group("labels") for d in entries if (m := _ENTER_VALUES.search(d.detail))), None)
        field = (path or "").removeprefix("$.") or None
        where = f" (field {field})" if field else ""
        if labels and field:
            fix = (
                f"Fill in {labels} (field {field}): add it to the mapping or set a default for it, or make "
                "the field optional on the form NetSuite uses; then retry the job."
            )
        elif field or labels:
            fix = f"Correct the value of {field or labels} in the data or the mapping, then retry the job."
        else:
            fix = "Correct the data or the mapping that NetSuite's message names, then retry the job."
        return permanent(
            Code.VALIDATION_FAILED,
            f"NetSuite rejected the {request.action}" + (f": {field or labels}" if field or labels else ""),
            f"NetSuite answered{where}: {said}",
            fix,
            **details | ({"field": field} if field else {}),
        )
    return permanent(
        Code.REMOTE_ERROR,
        f"NetSuite answered the {request.action} with HTTP {status}",
        f"an answer Ledgerlink does not expect here: {said}",
        "Check the connection's base_url (read it from Setup > Company > Company Information > Company "
        "URLs) and report the details to the integration team.",
        team=Team.INTEGRATION,
        **details,
    )


def problem_from_transport_error(error: httpx.RequestError, request: RequestInfo) -> ProblemError:
    """Timeouts and broken connections: transient, never retried here.

    A write whose request left the machine may have been committed even though no answer came back, so
    the client does not repeat it; the engine's retry writes by external id and cannot duplicate.
    """
    mismatch = tls_mismatch(
        error,
        request.method,
        request_url(error, request.path),
        system="NetSuite",
        setting="the connection's base_url (or restlet_url)",
        **request.describe(),
    )
    if mismatch is not None:
        return mismatch
    never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    is_write = request.method in ("POST", "PUT", "PATCH", "DELETE")
    maybe_applied = is_write and not never_sent
    if isinstance(error, httpx.TimeoutException):
        why = f"no answer from NetSuite in time ({type(error).__name__})"
    else:
        why = f"the connection to NetSuite failed ({type(error).__name__})"
    if maybe_applied:
        why += "; NetSuite may still have carried out the request"
    return transient(
        Code.REMOTE_UNAVAILABLE,
        f"NetSuite did not answer the {request.action}",
        why,
        "Nothing to do if it passes: Ledgerlink retries with backoff. If it persists, check the network "
        "path to NetSuite, status.netsuite.com, and the connection's timeout_seconds.",
        **request.describe(),
        error=type(error).__name__,
        maybe_applied=maybe_applied,
    )


def bad_response(request: RequestInfo, response: httpx.Response, why: str) -> ProblemError:
    """A 2xx answer Ledgerlink cannot use (no Location on a create, a body that is not JSON...)."""
    return permanent(
        Code.BAD_RESPONSE,
        f"NetSuite's answer to the {request.action} cannot be used",
        why,
        "Check that the connection's base_url points at NetSuite's REST host and not at a proxy or login "
        "page; if it does, report the details to the integration team.",
        team=Team.INTEGRATION,
        **request.describe(),
        status=response.status_code,
        content_type=response.headers.get("Content-Type"),
        response_snippet=response.text[:_SNIPPET],
    )


def _rate_limited(
    request: RequestInfo, said: str, retry_after: float | None, details: dict[str, Any]
) -> ProblemError:
    return transient(
        Code.RATE_LIMITED,
        f"NetSuite turned away the {request.action}: too many requests",
        f"the account's concurrency or request limit was reached: {said}",
        "Nothing to do if it passes: nothing was carried out and Ledgerlink retries after the wait. "
        "If it persists, lower this connection's concurrency or the other integrations sharing the "
        "account's limit (Setup > Integration > Integration Management > Integration Governance).",
        retry_after=retry_after,
        **details,
    )


def _auth_failed(request: RequestInfo, said: str, details: dict[str, Any], auth: str = "tba") -> ProblemError:
    if auth == "oauth2":
        fix = (
            "NetSuite refused the OAuth 2.0 access token, and a freshly fetched one too. Check in NetSuite "
            "that the integration record is enabled with the Client Credentials (Machine to Machine) grant "
            "and the REST Web Services scope, that the mapping in Setup > Integration > Manage "
            "Authentication > OAuth 2.0 Client Credentials (M2M) Setup is not revoked or expired and names "
            "an active entity and role, and that the role has the Log in using OAuth 2.0 Access Tokens "
            "permission. Check the connection's client_id, certificate_id and private key (sandbox and "
            "production mappings differ; a sandbox refresh removes them) and the machine's clock."
        )
    else:
        fix = (
            "Check the connection's consumer_key and consumer_secret (the integration record, which must "
            "be enabled with Token-based Authentication) and token_id and token_secret (an access token of "
            "the same account: sandbox tokens differ from production) and that the account id matches. Also "
            "check the machine's clock, and that the token's role has the Log in using Access Tokens "
            "permission. If it happens only under load, the account's concurrency limit is the cause."
        )
    return permanent(
        Code.AUTH_FAILED,
        "NetSuite did not accept the connection's credentials",
        f"NetSuite answered: {said}",
        fix,
        team=Team.INTEGRATION,
        **details,
    )


def _permission_denied(
    request: RequestInfo, said: str, details: dict[str, Any], auth: str = "tba"
) -> ProblemError:
    named = _PERMISSION_NAME.search(said)
    if named:
        permission = named.group("name").replace("->", ">")
    elif request.query is not None:
        permission = "SuiteAnalytics Workbook (and view permission on every record type the query reads)"
    else:
        permission = RECORD_PERMISSIONS.get(
            (request.record_type or "").lower(), f"the {request.record_type or 'record'} permission"
        )
    login = "Log in using OAuth 2.0 Access Tokens" if auth == "oauth2" else "Log in using Access Tokens"
    holder = "the role mapped to the OAuth 2.0 certificate" if auth == "oauth2" else "the access token's role"
    return permanent(
        Code.PERMISSION_DENIED,
        f"NetSuite refused the {request.action}",
        f"the role behind the credentials may not do this: {said}",
        f"Give {holder} the permission {permission} (level high enough for the {request.action}), plus "
        f"Setup > REST Web Services and {login}, in Setup > Users/Roles > Manage Roles; or use a role that "
        "has them.",
        team=Team.INTEGRATION,
        **details | {"permission": permission},
    )


def _invalid_reference(
    request: RequestInfo, bad_ref: ErrorDetail, said: str, details: dict[str, Any]
) -> ProblemError:
    from_text = _INVALID_VALUE.search(bad_ref.detail)
    field = (bad_ref.path or (from_text.group("field") if from_text else "") or "").removeprefix("$.")
    value = _value_at(request.body, field) if field else None
    if value is None and from_text:
        value = from_text.group("value")
    field_text = field or "a reference field"
    value_text = f" {value}" if value is not None else ""
    kind = reference_kind(field)
    target = f"the {kind}{value_text}" if kind else f"the record{value_text}"
    return permanent(
        Code.INVALID_REFERENCE,
        f"NetSuite refused the {request.action}: {field_text} points at nothing",
        f"NetSuite has no record{value_text} for {field_text} ({target} does not exist): {said}",
        f"Create it in NetSuite or correct the mapping that produces {field_text}{value_text}"
        + (
            f": {target} must exist in this NetSuite account (sandbox and production ids differ)."
            if kind
            else "."
        ),
        **details | {"field": field or None, "value": value, "missing": kind},
    )


def reference_kind(field: str | None) -> str | None:
    """What a reference field names (customer, item, ...), from the last segment of its JSON path."""
    if not field:
        return None
    last = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1].lower()
    return REFERENCE_KINDS.get(last)


def problem_from_token_response(response: httpx.Response, token_url: str) -> ProblemError:
    """The Problem for a failed OAuth 2.0 token request (RFC 6749 error body, or anything else)."""
    status = response.status_code
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    said = " - ".join(str(p) for p in (error, description) if p) or f"HTTP {status}"
    details: dict[str, Any] = {"method": "POST", "path": urlsplit(token_url).path, "status": status}
    if error:
        details["oauth_error"] = error
    elif response.content:
        details["response_snippet"] = response.text[:_SNIPPET]
    what = "NetSuite did not issue an OAuth 2.0 access token"
    if status == 429:
        return transient(
            Code.RATE_LIMITED,
            what,
            f"too many requests: {said}",
            "Nothing to do if it passes: Ledgerlink retries after the wait.",
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), 0.0),
            **details,
        )
    if status >= 500:
        return transient(
            Code.REMOTE_UNAVAILABLE,
            what,
            f"NetSuite's token endpoint answered HTTP {status}: {said}",
            "Nothing to do if it passes: Ledgerlink retries with backoff. If it persists, check "
            "status.netsuite.com and the account's scheduled maintenance.",
            **details,
        )
    fixes = {
        "invalid_client": "Check the connection's client_id: it is the integration record's client id "
        "(shown once when the record was saved) and the record must be enabled with the Client Credentials "
        "(Machine to Machine) grant.",
        "invalid_scope": "Check the connection's scopes (rest_webservices, restlets, suite_analytics) "
        "against the scopes ticked on the integration record.",
        "unsupported_grant_type": "Enable the Client Credentials (Machine to Machine) grant on the "
        "integration record.",
    }
    fix = fixes.get(
        str(error),
        "Check the connection's certificate_id (from Setup > Integration > Manage Authentication > OAuth 2.0 "
        "Client Credentials (M2M) Setup), that private_key_file holds the private key of that certificate "
        "and jwt_algorithm matches it (PS256/384/512 for RSA 3072/4096, ES256/384/512 for EC), that the "
        "mapping is not revoked or expired, and the machine's clock.",
    )
    return permanent(
        Code.AUTH_FAILED, what, f"NetSuite answered: {said}", fix, team=Team.INTEGRATION, **details
    )


def _is_duplicate(error: NsError) -> bool:
    if any(code.startswith("DUP_") for code in error.codes):
        return True
    text = error.text
    return bool(_DUPLICATE_WORDS.search(text)) and (
        bool(_EXTERNAL_ID.search(text)) or "record already exists" in text.lower()
    )


def _value_at(body: dict[str, Any] | None, path: str) -> str | None:
    """The value at a JSON path like ``item.items[0].item`` in what was sent; a reference gives its id."""
    node: Any = body
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if isinstance(node, list) and part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if index < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    if isinstance(node, dict):
        node = node.get("id", node.get("externalId"))
    if isinstance(node, str | int | float) and not isinstance(node, bool):
        return str(node)
    return None
