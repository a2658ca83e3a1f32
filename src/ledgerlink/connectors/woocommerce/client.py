"""An async client for the parts of the WooCommerce REST API (wc/v3) that Ledgerlink uses.

Every failure leaves as a :class:`ProblemError` (see ``errors.py``). Requests in flight are capped by the
connection's ``concurrency``; writes are refused locally when the connection has ``allow_writes: false``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ledgerlink.config import WooCommerceConnection
from ledgerlink.connectors.gate import Gate, through
from ledgerlink.connectors.store_http import (
    problem_for_transport,
    refuse_writes_unless_allowed,
    store_http_client,
    tls_verification,
)
from ledgerlink.connectors.woocommerce.auth import WooCommerceAuth, install_log_redaction
from ledgerlink.connectors.woocommerce.errors import (
    bad_body,
    parse_json,
    problem_for_response,
)
from ledgerlink.engine.problems import Code, permanent

API_PATH = "/wp-json/wc/v3"
MAX_PER_PAGE = 100  # WooCommerce answers 400 above this


@dataclass(frozen=True)
class OrdersPage:
    items: list[dict[str, Any]]
    total: int  # X-WP-Total: orders matching the filters
    total_pages: int  # X-WP-TotalPages


def gmt_query_time(moment: datetime) -> str:
    """A UTC timestamp as WooCommerce reads it with ``dates_are_gmt=true``; naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; WooCommerce would read it as the site's local time")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class WooCommerceClient:
    """One store, one pooled ``httpx.AsyncClient``. Close it with :meth:`aclose`."""

    def __init__(
        self,
        connection: WooCommerceConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        gate: Gate | None = None,
    ):
        install_log_redaction()
        self.connection = connection
        self.gate = gate
        self._auth = WooCommerceAuth(connection)
        self._api_path = urlsplit(connection.base_url).path + API_PATH
        self._in_flight = asyncio.Semaphore(connection.concurrency)
        self._http = store_http_client(
            connection,
            base_url=connection.base_url + API_PATH,
            auth=self._auth,
            verify=tls_verification(connection),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"WooCommerceClient({self.connection.base_url!r}, auth={self._auth.scheme})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one request through the gate; answer the 2xx response or raise the matching problem."""
        refuse_writes_unless_allowed(self.connection, method, path)
        return await through(self.gate, lambda: self._exchange(method, path, params=params, json=json))

    async def _exchange(
        self, method: str, path: str, *, params: dict[str, str] | None, json: Any
    ) -> httpx.Response:
        try:
            async with self._in_flight:
                response = await self._http.request(method, path, params=params, json=json)
        except httpx.TransportError as error:
            raise problem_for_transport(error, method, self._api_path + path) from error
        if not response.is_success:
            raise problem_for_response(response, scheme=self._auth.scheme)
        return response

    async def _json(self, method: str, path: str, expected: type, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        body = parse_json(response)
        if not isinstance(body, expected):
            raise bad_body(response, f"a JSON {expected.__name__}")
        return body

    async def list_orders(
        self,
        *,
        modified_after: datetime | None,
        modified_before: datetime | None,
        page: int,
        per_page: int = MAX_PER_PAGE,
        status: str | None = None,
        orderby: str = "id",
        order: str = "asc",
    ) -> OrdersPage:
        """One page of orders. Times are sent in UTC with ``dates_are_gmt=true``; WooCommerce excludes
        orders modified exactly at either bound."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1..{MAX_PER_PAGE}; WooCommerce refuses larger pages")
        params = {
            "page": str(page),
            "per_page": str(per_page),
            "orderby": orderby,
            "order": order,
            "dates_are_gmt": "true",
        }
        if modified_after is not None:
            params["modified_after"] = gmt_query_time(modified_after)
        if modified_before is not None:
            params["modified_before"] = gmt_query_time(modified_before)
        if status is not None:
            params["status"] = status
        response = await self.request("GET", "/orders", params=params)
        items = parse_json(response)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise bad_body(response, "a JSON list of orders")
        return OrdersPage(
            items, _count_header(response, "X-WP-Total"), _count_header(response, "X-WP-TotalPages")
        )

    async def get_order(self, order_id: int | str) -> dict[str, Any]:
        return dict(await self._json("GET", f"/orders/{_numeric_id(order_id)}", dict))

    async def list_webhooks(self) -> list[dict[str, Any]]:
        """Every webhook on the store, whatever its status (the store pages them 10 at a time by default)."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"page": str(page), "per_page": str(MAX_PER_PAGE), "status": "all"}
            response = await self.request("GET", "/webhooks", params=params)
            items = parse_json(response)
            if not isinstance(items, list):
                raise bad_body(response, "a JSON list of webhooks")
            found.extend(item for item in items if isinstance(item, dict))
            if not items or page >= _count_header(response, "X-WP-TotalPages", default=page):
                return found
            page += 1

    async def create_webhook(self, name: str, topic: str, delivery_url: str, secret: str) -> dict[str, Any]:
        """Create an active webhook. The store pings ``delivery_url`` at once; answer that ping 2xx."""
        body = {
            "name": name,
            "topic": topic,
            "delivery_url": delivery_url,
            "secret": secret,
            "status": "active",
        }
        return dict(await self._json("POST", "/webhooks", dict, json=body))

    async def update_webhook(self, webhook_id: int | str, **fields: Any) -> dict[str, Any]:
        return dict(await self._json("PUT", f"/webhooks/{_numeric_id(webhook_id)}", dict, json=fields))

    async def find_products_by_sku(self, sku: str) -> list[dict[str, Any]]:
        """Products whose SKU is exactly ``sku`` (the store splits the filter on commas, so re-check)."""
        items = await self._json("GET", "/products", list, params={"sku": sku, "per_page": str(MAX_PER_PAGE)})
        return [item for item in items if isinstance(item, dict) and item.get("sku") == sku]


def _numeric_id(value: int | str) -> str:
    text = str(value).strip()
    if not text.isdigit():
        raise permanent(
            Code.RECORD_NOT_FOUND,
            "no such WooCommerce record",
            f"{value!r} is not a WooCommerce id (they are positive integers)",
            "check where the id came from",
        )
    return text


def _count_header(response: httpx.Response, name: str, *, default: int | None = None) -> int:
    """X-WP-Total / X-WP-TotalPages. Missing paging headers would make a sync stop early, so they are
    required unless a default is safe."""
    value = response.headers.get(name)
    if value is None and default is not None:
        return default
    try:
        return int(value or "")
    except ValueError:
        raise bad_body(response, f"a {name} header with a count (a proxy may strip it)") from None
