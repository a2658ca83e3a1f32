"""WordPress REST errors: the `{"code", "message", "data": {"status"}}` body every failure uses.

Handlers raise :class:`WooApiError`; the application turns it into the JSON WordPress would send.
Parameter validation failures carry WordPress's `params`/`details` maps so clients that read them
see the same shape as on a real store.
"""

from __future__ import annotations

from typing import Any


class WooApiError(Exception):
    """A failure that becomes a WordPress REST error response."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def invalid_param(name: str, reason: str, detail_code: str = "rest_invalid_type") -> WooApiError:
    """WordPress's answer when an argument fails its schema (HTTP 400 `rest_invalid_param`)."""
    return WooApiError(
        "rest_invalid_param",
        f"Invalid parameter(s): {name}",
        400,
        params={name: reason},
        details={name: {"code": detail_code, "message": reason, "data": None}},
    )


def missing_param(name: str) -> WooApiError:
    return WooApiError("rest_missing_callback_param", f"Missing parameter(s): {name}", 400, params=[name])


def invalid_id(post_type: str, status: int) -> WooApiError:
    """`woocommerce_rest_<post type>_invalid_id`: 404 on read/delete, 400 on update (as core does)."""
    return WooApiError(f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.", status)


NO_ROUTE = ("rest_no_route", "No route was found matching the URL and request method.", 404)
