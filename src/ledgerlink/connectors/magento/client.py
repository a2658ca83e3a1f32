"""An async client for the parts of the Magento 2 REST API that Ledgerlink uses.

Every call goes to ``<base_url>/rest/<store_code>/V1/...``. Every failure leaves as a
:class:`~ledgerlink.engine.problems.ProblemError` (see ``errors.py``). Requests in flight are capped by the
connection's ``concurrency``; writes are refused locally when the connection has ``allow_writes: false``.
Numbers are read as ``Decimal``: Magento sends amounts as JSON numbers, which must never become floats.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from ledgerlink.config import MagentoConnection
from ledgerlink.connectors.gate import Gate, through
from ledgerlink.connectors.magento.auth import AdminTokenError, MagentoAuth
from ledgerlink.connectors.magento.errors import (
    bad_body,
    parse_json,
    problem_for_response,
    problem_for_token,
)
from ledgerlink.connectors.magento.search import SearchCriteria, SearchResult
from ledgerlink.connectors.store_http import (
    problem_for_transport,
    refuse_writes_unless_allowed,
    store_http_client,
    tls_verification,
)
from ledgerlink.engine.problems import Code, permanent

PAGE_SIZE = 100  # well under the 300 Magento allows when input limiting is on


class MagentoClient:
    """One store view, one pooled ``httpx.AsyncClient``. Close it with :meth:`aclose`."""

    def __init__(
        self,
        connection: MagentoConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        gate: Gate | None = None,
    ):
        self.connection = connection
        self.gate = gate
        self.rest_url = f"{connection.base_url}/rest/{connection.store_code}"
        self.auth = MagentoAuth(connection, f"{connection.base_url}/rest/V1/integration/admin/token")
        self._in_flight = asyncio.Semaphore(connection.concurrency)
        self._http = store_http_client(
            connection,
            base_url=self.rest_url,
            auth=self.auth,
            verify=tls_verification(connection),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"MagentoClient({self.rest_url!r}, auth={self.auth.scheme})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self, method: str, path: str, *, params: list[tuple[str, str]] | None = None, json: Any = None
    ) -> httpx.Response:
        """Send one request (``path`` under ``/rest/<store_code>``) through the gate; the 2xx response or
        a problem."""
        refuse_writes_unless_allowed(self.connection, method, path)
        return await through(self.gate, lambda: self._exchange(method, path, params=params, json=json))

    async def _exchange(
        self, method: str, path: str, *, params: list[tuple[str, str]] | None, json: Any
    ) -> httpx.Response:
        full_path = urlsplit(self.rest_url).path + path
        try:
            async with self._in_flight:
                response = await self._http.request(method, path, params=tuple(params or ()), json=json)
        except AdminTokenError as refused:
            raise problem_for_token(refused.response) from None
        except httpx.TransportError as error:
            raise problem_for_transport(error, method, full_path) from error
        if not response.is_success:
            raise problem_for_response(response, scheme=self.auth.scheme)
        return response

    async def _json(self, method: str, path: str, expected: type | tuple[type, ...], **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        body = parse_json(response)
        kinds = expected if isinstance(expected, tuple) else (expected,)
        wrong_bool = isinstance(body, bool) and bool not in kinds  # JSON true is no entity id
        if wrong_bool or not isinstance(body, expected):
            raise bad_body(response, "a JSON " + " or ".join(kind.__name__ for kind in kinds))
        return body

    async def _created(self, path: str, body: dict[str, Any]) -> int:
        """POST a document and read the new entity id, which the store may answer as a JSON number or as
        a JSON string of digits (a real 2.4.7-p3 store answers ``"10"``, issue 21)."""
        response = await self.request("POST", path, json=body)
        created = parse_json(response)
        if isinstance(created, str) and created.strip().isdigit():
            return int(created)
        if isinstance(created, int) and not isinstance(created, bool) and created > 0:
            return created
        raise bad_body(response, "the new entity id (a JSON number or a string of digits)")

    async def search(self, path: str, criteria: SearchCriteria) -> SearchResult:
        """One search call: ``GET /V1/<path>`` with the criteria as query parameters."""
        response = await self.request("GET", f"/V1/{path}", params=criteria.params())
        body = parse_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
            raise bad_body(response, "a search result with items and total_count")
        total = body.get("total_count")
        if isinstance(total, bool) or not isinstance(total, int):
            raise bad_body(response, "a search result with an integer total_count")
        items = [item for item in body.get("items") or [] if isinstance(item, dict)]
        criteria_echo = body.get("search_criteria")
        return SearchResult(items, total, criteria_echo if isinstance(criteria_echo, dict) else {})

    async def search_pages(
        self, path: str, criteria: SearchCriteria, *, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[SearchResult]:
        """Every page, forwards, stopping by ``total_count`` or at an empty page (past the end a real
        store answers an empty list)."""
        page = 1
        while True:
            result = await self.search(path, criteria.with_page(page, page_size))
            yield result
            if result.is_last_page(page, page_size) or not result.items:
                return
            page += 1

    # Orders -----------------------------------------------------------------------------------------

    async def search_orders(self, criteria: SearchCriteria) -> SearchResult:
        return await self.search("orders", criteria)

    async def get_order(self, order_id: int | str) -> dict[str, Any]:
        return dict(await self._json("GET", f"/V1/orders/{numeric_id(order_id)}", dict))

    async def ship(
        self,
        order_id: int | str,
        items: list[dict[str, Any]] | None = None,
        tracks: list[dict[str, Any]] | None = None,
        *,
        notify: bool = False,
        comment: str | None = None,
    ) -> int:
        """Create a shipment: ``items`` are ``{order_item_id, qty}`` (all remaining when omitted), ``tracks``
        are ``{track_number, title, carrier_code}``. Answers the shipment id. Write-backs that may be
        retried go through ``writeback.ship_once``, which never makes a second shipment."""
        body: dict[str, Any] = {"notify": notify}
        if items:
            body["items"] = items
        if tracks:
            body["tracks"] = tracks
        body |= document_comment(comment)
        return await self._created(f"/V1/order/{numeric_id(order_id)}/ship", body)

    async def invoice(
        self,
        order_id: int | str,
        items: list[dict[str, Any]] | None = None,
        *,
        capture: bool = False,
        notify: bool = False,
        comment: str | None = None,
    ) -> int:
        """Create an invoice (offline unless ``capture``); answers the invoice id."""
        body: dict[str, Any] = {"capture": capture, "notify": notify} | document_comment(comment)
        if items:
            body["items"] = items
        return await self._created(f"/V1/order/{numeric_id(order_id)}/invoice", body)

    async def refund(
        self,
        order_id: int | str,
        items: list[dict[str, Any]] | None = None,
        *,
        notify: bool = False,
        arguments: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> int:
        """Create an offline credit memo; ``arguments`` may carry shipping_amount and adjustments."""
        body: dict[str, Any] = {"notify": notify} | document_comment(comment)
        if items:
            body["items"] = items
        if arguments:
            body["arguments"] = arguments
        return await self._created(f"/V1/order/{numeric_id(order_id)}/refund", body)

    async def cancel(self, order_id: int | str) -> bool:
        return bool(await self._json("POST", f"/V1/orders/{numeric_id(order_id)}/cancel", bool))

    async def add_comment(
        self, order_id: int | str, comment: str, *, status: str | None = None, notify: bool = False
    ) -> bool:
        history: dict[str, Any] = {
            "comment": comment,
            "is_customer_notified": int(notify),
            "is_visible_on_front": 0,
            "parent_id": int(numeric_id(order_id)),
        }
        if status:
            history["status"] = status
        path = f"/V1/orders/{numeric_id(order_id)}/comments"
        return bool(await self._json("POST", path, bool, json={"statusHistory": history}))

    # Catalog and inventory ----------------------------------------------------------------------------

    async def get_product(self, sku: str) -> dict[str, Any]:
        return dict(await self._json("GET", f"/V1/products/{sku_segment(sku)}", dict))

    async def put_product(self, sku: str, product: dict[str, Any]) -> dict[str, Any]:
        """Create or update the product with this SKU (Magento's PUT is an upsert by SKU)."""
        body = {"product": {**product, "sku": sku}}
        return dict(await self._json("PUT", f"/V1/products/{sku_segment(sku)}", dict, json=body))

    async def source_items(self, items: list[dict[str, Any]]) -> None:
        """Save MSI source items ``{sku, source_code, quantity, status}``."""
        await self.request("POST", "/V1/inventory/source-items", json={"sourceItems": items})

    # Asynchronous bulk ------------------------------------------------------------------------------

    async def bulk_async(
        self, path: str, bodies: list[dict[str, Any]], *, method: str = "POST"
    ) -> dict[str, Any]:
        """Queue one operation per body at ``/async/bulk/V1/<path>`` (path parameters spelled as literal
        segments such as ``products/bySku``); answers ``{bulk_uuid, request_items, errors}``."""
        route = "/async/bulk/V1/" + path.strip("/")
        return dict(await self._json(method, route, dict, json=bodies))

    async def async_request(self, path: str, body: dict[str, Any], *, method: str = "POST") -> dict[str, Any]:
        """Queue one operation at ``/async/V1/<path>``; answers ``{bulk_uuid, request_items, errors}``."""
        route = "/async/V1/" + path.strip("/")
        return dict(await self._json(method, route, dict, json=body))

    async def bulk_status(self, bulk_uuid: str, *, detailed: bool = False) -> dict[str, Any]:
        """Each operation's status (1 complete, 2 retriably failed, 3 failed, 4 open, 5 rejected)."""
        kind = "detailed-status" if detailed else "status"
        return dict(await self._json("GET", f"/V1/bulk/{quote(bulk_uuid, safe='')}/{kind}", dict))


def numeric_id(value: int | str) -> str:
    text = str(value).strip()
    if not text.isdigit():
        raise permanent(
            Code.RECORD_NOT_FOUND,
            "no such Magento record",
            f"{value!r} is not a Magento entity id (they are positive integers)",
            "check where the id came from: Magento ids are entity_id, not the increment_id shown to buyers",
        )
    return text


def document_comment(comment: str | None) -> dict[str, Any]:
    """The body fields that put an internal comment on a new shipment, invoice or credit memo."""
    if not comment:
        return {}
    return {"appendComment": True, "comment": {"comment": comment, "is_visible_on_front": 0}}


def sku_segment(sku: str) -> str:
    """A SKU as one path segment: ``/`` and other reserved characters percent-encoded."""
    return quote(sku, safe="")
