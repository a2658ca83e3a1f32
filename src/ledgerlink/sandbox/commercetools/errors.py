"""commercetools error responses: ``{"statusCode", "message", "errors": [{"code", "message", ...}]}``.

The auth errors also carry the OAuth fields ``error`` and ``error_description``, as the real service
sends them next to ``errors``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class CtApiError(Exception):
    """Raised anywhere in the emulator; the API turns it into the JSON error response."""

    def __init__(self, status: int, code: str, message: str, *, oauth: bool = False, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.oauth, self.extra = status, code, message, oauth, extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "statusCode": self.status,
            "message": self.message,
            "errors": [{"code": self.code, "message": self.message, **self.extra}],
        }
        if self.oauth:
            body["error"] = self.code
            body["error_description"] = self.message
        return body

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": f'Bearer error="{self.code}"'} if self.status == 401 else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


def invalid_input(message: str) -> CtApiError:
    return CtApiError(400, "InvalidInput", message)


def not_found(what: str) -> CtApiError:
    return CtApiError(404, "ResourceNotFound", f"The Resource with ID '{what}' was not found.")


def concurrent_modification(record_id: str, current: int, sent: Any) -> CtApiError:
    message = (
        f"Object {record_id} has a different version than expected. Expected: {sent} - Actual: {current}."
    )
    return CtApiError(409, "ConcurrentModification", message, currentVersion=current)


def invalid_operation(message: str) -> CtApiError:
    return CtApiError(400, "InvalidOperation", message)
