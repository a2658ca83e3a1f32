"""NetSuite's error envelope (``nsError``) and the errors the emulator raises.

Every failure leaves the emulator in this shape, as NetSuite's REST services answer::

    {"type": <RFC 9110 section URI>, "title": "Bad Request", "status": 400,
     "o:errorDetails": [{"detail": "...", "o:errorCode": "...", "o:errorPath": "..."}]}

Current NetSuite releases point ``type`` at RFC 9110 sections (older ones at RFC 2616); clients must not
depend on it, so the emulator uses the current form.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

ERROR_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=error"

_TYPES: dict[int, tuple[str, str]] = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    403: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4", "Forbidden"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    415: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.16", "Unsupported Media Type"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1", "Internal Server Error"),
    502: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3", "Bad Gateway"),
    503: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4", "Service Unavailable"),
    504: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.5", "Gateway Timeout"),
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
NONEXISTENT_ID_DETAIL = "The record instance does not exist. Provide a valid record instance ID."
CONCURRENCY_DETAIL = "Concurrent request limit exceeded. Request blocked."
INVALID_QUERY_PREFIX = "Invalid search query. Detailed unprocessed description follows. "


class NetSuiteError(Exception):
    """One failed request: HTTP status plus one ``o:errorDetails`` entry."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        path: str | None = None,
        query_param: str | None = None,
        header: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.query_param = query_param
        self.header = header
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(
            self.status,
            self.code,
            self.detail,
            path=self.path,
            query_param=self.query_param,
            header=self.header,
        )

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body(), status_code=self.status, headers=self.headers, media_type=ERROR_MEDIA_TYPE
        )


def error_body(
    status: int,
    code: str,
    detail: str,
    *,
    path: str | None = None,
    query_param: str | None = None,
    header: str | None = None,
) -> dict[str, Any]:
    """The ``nsError`` document for one error detail."""
    kind, title = _TYPES.get(status, (_TYPES[500][0], "Error"))
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    if query_param is not None:
        item["o:errorQueryParam"] = query_param
    if header is not None:
        item["o:errorHeader"] = header
    return {"type": kind, "title": title, "status": status, "o:errorDetails": [item]}


def invalid_login() -> NetSuiteError:
    return NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def nonexistent_id() -> NetSuiteError:
    return NetSuiteError(404, "NONEXISTENT_ID", NONEXISTENT_ID_DETAIL)


def invalid_reference(field: str, value: object, path: str) -> NetSuiteError:
    """A body reference naming a record that does not exist.

    Oracle's own example of this case answers ``INVALID_CONTENT`` with the detail wording used here;
    NetSuite's long-standing code for a bad reference is ``INVALID_KEY_OR_REF``, which the emulator
    sends so that clients can tell a missing record from malformed content.
    """
    return NetSuiteError(
        400,
        "INVALID_KEY_OR_REF",
        f"Error while accessing resource: You have entered an Invalid Field Value {value} for the following "
        f"field: {field}",
        path=path,
    )


def missing_field(field: str, label: str) -> NetSuiteError:
    return NetSuiteError(
        400, "USER_ERROR", f"Error while accessing resource: Please enter value(s) for: {label}", path=field
    )


def invalid_query(message: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_PARAMETER", INVALID_QUERY_PREFIX + message, query_param="q")
