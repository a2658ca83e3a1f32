"""Magento's error responses: ``{"message": "... %1 ...", "parameters": [...]}`` with the HTTP status
Magento's web API error processor gives each kind of failure."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."
NO_ROUTE = "Request does not match any route."
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
BAD_SIGNATURE = "The signature is invalid. Verify and try again."
BAD_ADMIN_LOGIN = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
# magento/magento2 lib/internal/Magento/Framework/Webapi/ErrorProcessor.php: an exception Magento did not
# anticipate (a PHP error, a SQL error such as an unknown column) is masked outside developer mode, its
# report id formatted into the message (sprintf, no parameters); the id is uniqid("webapi-").
INTERNAL_ERROR = "Internal Error. Details are available in Magento log file. Report ID: %s"


class MagentoError(Exception):
    """Raised anywhere in the emulator; becomes Magento's JSON error body."""

    def __init__(self, status: int, message: str, parameters: list[Any] | dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters

    def text(self) -> str:
        """The message with its placeholders filled, as Magento logs it and stores it on operations."""
        text = self.message
        if isinstance(self.parameters, dict):
            for name, value in self.parameters.items():
                text = text.replace(f"%{name}", str(value))
        elif isinstance(self.parameters, list):
            for index in range(len(self.parameters), 0, -1):
                text = text.replace(f"%{index}", str(self.parameters[index - 1]))
        return text

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message}
        if self.parameters:
            body["parameters"] = self.parameters
        return JSONResponse(body, status_code=self.status)


def not_found() -> MagentoError:
    return MagentoError(404, NOT_FOUND)


def not_authorized(resource: str) -> MagentoError:
    return MagentoError(401, NOT_AUTHORIZED, {"resources": resource})


def required(field: str) -> MagentoError:
    return MagentoError(400, REQUIRED_FIELD, {"fieldName": field})


def internal_error() -> MagentoError:
    """Magento's masked 500 for an unanticipated exception, with a fresh report id."""
    return MagentoError(500, INTERNAL_ERROR % f"webapi-{uuid.uuid4().hex[:13]}")
