"""The REST routes of the emulated store and how a request reaches them.

Every route is served under ``/rest/V1/``, ``/rest/<store_code>/V1/`` (``default``, ``all`` and the
configured codes) and, for writes, ``/rest/<store_code>/async/V1/`` (one queued operation) and
``/rest/<store_code>/async/bulk/V1/`` (one per body of a list). Unknown routes answer Magento's
404 "Request does not match any route.". Each route names the ACL resource Magento checks, which is what
a refused caller is told it lacks. Synchronous answers go through ``fields=`` (see ``fields.py``); anything
Magento would not have anticipated answers its masked internal error, 500 with a report id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.magento import actions, bulk, catalog, customers, fields
from ledgerlink.sandbox.magento.auth import Authenticator
from ledgerlink.sandbox.magento.criteria import INVALID_TYPE, Criteria, parse_criteria, search_result
from ledgerlink.sandbox.magento.errors import NO_ROUTE, MagentoError, internal_error, not_found, required
from ledgerlink.sandbox.magento.orders import ORDER, ORDER_COLUMNS, render
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore

log = logging.getLogger(__name__)
_PREFIX = re.compile(
    r"^/rest/(?:(?P<store>(?!V1/|async/)[A-Za-z0-9_]+)/)?(?P<mode>async/bulk/|async/)?V1/(?P<route>.+)$"
)
# An unknown store code in the URL: 400, observed on Magento 2.4.7-p3 (issue 21).
STORE_NOT_FOUND = "Specified request cannot be processed."


@dataclass
class Call:
    """One request as a handler sees it."""

    args: dict[str, str]
    query: list[tuple[str, str]]
    body: Any
    store_code: str


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    resource: str


def decode(raw: bytes) -> Any:
    """The JSON body, read after the caller is authenticated, as Magento does."""
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise MagentoError(400, "Decoding error: \nSyntax error") from None


def raw_path(request: Request) -> str:
    """The path as sent, still percent-encoded: a SKU may hold an encoded ``/``."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1").split("?", 1)[0] if raw else request.url.path


def request_url(request: Request) -> str:
    """The URL the caller signed: its scheme and Host, the raw path and the raw query string."""
    host = request.headers.get("host") or request.url.netloc
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{request.url.scheme}://{host}{raw_path(request)}" + (f"?{query}" if query else "")


class MagentoApi:
    """Authenticates, routes and answers; also runs the bulk consumer between requests."""

    def __init__(self, settings: MagentoSandboxSettings, store: StateStore, auth: Authenticator) -> None:
        self.settings = settings
        self.store = store
        self.auth = auth
        self.routes = self._routes()
        self._faults: list[tuple[int, float | None]] = []

    def fail_next(self, status: int = 503, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (e.g. 503 from a load balancer, 429 from a
        CDN), as stores behind hosting limits do; the requests change nothing."""
        self._faults += [(status, retry_after)] * times

    async def __call__(self, request: Request) -> Response:
        if self.settings.latency_seconds:
            await asyncio.sleep(self.settings.latency_seconds)
        if self._faults:
            status, retry_after = self._faults.pop(0)
            headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
            body = {"message": "Service Unavailable" if status >= 500 else "Too Many Requests"}
            return JSONResponse(body, status_code=status, headers=headers)
        try:
            return await self._answer(request)
        except MagentoError as error:
            return error.response()
        except (ValueError, TypeError, KeyError, ArithmeticError):
            # What Magento answers when a request makes it throw something it did not expect.
            log.exception("magento sandbox: unexpected error on %s %s", request.method, request.url.path)
            return internal_error().response()

    async def _answer(self, request: Request) -> Response:
        bulk.work(self.store, self.execute, self.settings.bulk_operations_per_request)
        match = _PREFIX.match(raw_path(request))
        if not match:
            raise MagentoError(404, NO_ROUTE)
        store_code = match.group("store") or "default"
        if store_code not in {"default", "all", *self.settings.store_codes}:
            raise MagentoError(400, STORE_NOT_FOUND)
        raw = await request.body()
        route_path = match.group("route").rstrip("/")
        method = request.method.upper()
        if method == "POST" and route_path == "integration/admin/token" and not match.group("mode"):
            body = decode(raw)
            data = body if isinstance(body, dict) else {}
            for field in ("username", "password"):
                if not data.get(field):
                    raise required(field)
            return JSONResponse(self.auth.issue_admin_token(data["username"], data["password"]))
        if match.group("mode"):
            if method not in ("POST", "PUT", "PATCH", "DELETE"):
                raise MagentoError(404, NO_ROUTE)
            template = re.sub(r"/by[A-Z][A-Za-z0-9]*", "/x", "/" + unquote(route_path)).lstrip("/")
            route, _ = self._find(method, template)
            self.auth.check(method, request_url(request), request.headers, route.resource, raw)
            topic = f"async.magento.{route_path.replace('/', '.').lower()}.{method.lower()}"
            body = decode(raw)
            # /async/V1 queues one operation for the body; /async/bulk/V1 one per element of a list.
            bodies = body if match.group("mode") == "async/bulk/" else [body]
            accepted = bulk.accept(self.store, method, route_path, bodies, topic)
            return JSONResponse(accepted, status_code=202)
        route, args = self._find(method, route_path)
        self.auth.check(method, request_url(request), request.headers, route.resource, raw)
        query = list(request.query_params.multi_items())
        result = route.handler(Call(args, query, decode(raw), store_code))
        return JSONResponse(fields.filtered(result, query))

    def _find(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self.routes:
            if route.method == method and (found := route.pattern.fullmatch(path)):
                return route, {name: unquote(value) for name, value in found.groupdict().items()}
        raise MagentoError(404, NO_ROUTE)

    def execute(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """Run one queued bulk operation as its synchronous route would (no caller check: it was done)."""
        route, args = self._find(method, path)
        return 200, route.handler(Call(args, [], body, "all"))

    # Handlers ---------------------------------------------------------------------------------------

    def _orders(self, call: Call) -> Any:
        criteria = self._criteria(call)
        criteria.require_columns(ORDER_COLUMNS)
        with self.store.transaction() as tx:
            docs = [render(order) for order in tx.all(ORDER)]
        return search_result(docs, criteria)

    def _criteria(self, call: Call, *, optional: bool = False) -> Criteria:
        """The request's searchCriteria: required on search routes, and within the input limit if set."""
        if not optional and not any(name.startswith("searchCriteria") for name, _ in call.query):
            raise required("searchCriteria")
        criteria = parse_criteria(call.query)
        limit = self.settings.max_page_size
        if limit is not None and (criteria.page_size is None or criteria.page_size > limit):
            raise MagentoError(400, "Maximum SearchCriteria pageSize is %max", {"max": limit})
        return criteria

    def _order(self, call: Call) -> Any:
        # Observed on Magento 2.4.7-p3 (issue 21): a non-numeric id is a type error, 0 is "no id".
        text = call.args["id"]
        if not text.isdigit():
            raise MagentoError(400, INVALID_TYPE, {"value": text, "type": "int"})
        if int(text) == 0:
            raise MagentoError(400, "An ID is needed. Set the ID and try again.")
        with self.store.transaction() as tx:
            order = tx.get(ORDER, int(text))
        if order is None:
            raise not_found()
        return render(order)

    def _action(self, name: str) -> Handler:
        def run(call: Call) -> Any:
            body = call.body if isinstance(call.body, dict) else {}
            with self.store.transaction() as tx:
                order_id = int(call.args["id"])
                # The new document's id as a JSON string: a real 2.4.7-p3 store answers "10" (issue 21).
                if name == "ship":
                    return str(actions.ship(tx, order_id, body))
                if name == "invoice":
                    return str(actions.invoice(tx, order_id, body))
                if name == "refund":
                    return str(actions.refund(tx, order_id, body))
                if name == "cancel":
                    return actions.cancel(tx, order_id)
                if name == "hold":
                    return actions.hold(tx, order_id)
                if name == "unhold":
                    return actions.unhold(tx, order_id)
                return actions.add_comment(tx, order_id, body)

        return run

    def _comments(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            order = actions.load(tx, int(call.args["id"]))
        histories = order.get("status_histories", [])
        return {"items": histories, "search_criteria": {"filter_groups": []}, "total_count": len(histories)}

    def _search(self, kind: str) -> Handler:
        def run(call: Call) -> Any:
            with self.store.transaction() as tx:
                docs = tx.all(kind)
            return search_result(docs, self._criteria(call))

        return run

    def _listed(self, docs: Callable[[], list[dict[str, Any]]], *, optional: bool = False) -> Handler:
        return lambda call: search_result(docs(), self._criteria(call, optional=optional))

    def _customer(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            customer = tx.get(customers.CUSTOMER, int(call.args["id"]))
        if customer is None:
            raise MagentoError(
                404,
                "No such entity with %fieldName = %fieldValue",
                {"fieldName": "customerId", "fieldValue": call.args["id"]},
            )
        return customer

    def _create_customer(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            return customers.create_customer(tx, call.body)

    def _product(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            return catalog.product_or_404(tx, call.args["sku"])

    def _save_product(self, call: Call) -> Any:
        body = call.body if isinstance(call.body, dict) else {}
        product = body.get("product")
        if not isinstance(product, dict):
            raise required("product")
        sku = call.args.get("sku") or str(product.get("sku") or "")
        if not sku:
            raise required("sku")
        with self.store.transaction() as tx:
            return catalog.save_product(tx, sku, product)

    def _save_source_items(self, call: Call) -> Any:
        body = call.body if isinstance(call.body, dict) else {}
        if "sourceItems" not in body:
            raise required("sourceItems")
        with self.store.transaction() as tx:
            catalog.save_source_items(tx, body["sourceItems"])
        return []

    def _salable(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            return catalog.salable_quantity(tx, call.args["sku"], int(call.args["stock"]))

    def _stock_item(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            return catalog.product_or_404(tx, call.args["sku"])["extension_attributes"]["stock_item"]

    def _put_stock_item(self, call: Call) -> Any:
        with self.store.transaction() as tx:
            return catalog.update_stock_item(tx, call.args["sku"], int(call.args["item"]), call.body)

    def _bulk_status(self, call: Call) -> Any:
        return bulk.status(self.store, call.args["uuid"])

    def _bulk_detailed(self, call: Call) -> Any:
        return bulk.detailed_status(self.store, call.args["uuid"])

    def _bulk_count(self, call: Call) -> Any:
        return bulk.operation_count(self.store, call.args["uuid"], int(call.args["status"]))

    def _routes(self) -> list[Route]:
        sales, catalog_acl = "Magento_Sales::actions_view", "Magento_Catalog::products"
        inventory, customer_acl = "Magento_InventoryApi::source", "Magento_Customer::customer"
        stock, legacy = "Magento_InventoryApi::stock", "Magento_CatalogInventory::cataloginventory"
        stores, bulk_acl = "Magento_Backend::store", "Magento_Logging::system_magento_logging_bulk_operations"
        sku = r"(?P<sku>[^/]+)"
        groups = self._listed(lambda: list(customers.GROUPS))
        table: list[tuple[str, str, Handler, str]] = [
            ("GET", r"orders", self._orders, sales),
            ("GET", r"orders/(?P<id>[^/]+)", self._order, sales),
            ("POST", r"order/(?P<id>\d+)/ship", self._action("ship"), "Magento_Sales::ship"),
            ("POST", r"order/(?P<id>\d+)/invoice", self._action("invoice"), "Magento_Sales::invoice"),
            ("POST", r"order/(?P<id>\d+)/refund", self._action("refund"), "Magento_Sales::creditmemo"),
            ("POST", r"orders/(?P<id>\d+)/cancel", self._action("cancel"), "Magento_Sales::cancel"),
            ("POST", r"orders/(?P<id>\d+)/comments", self._action("comment"), "Magento_Sales::comment"),
            ("GET", r"orders/(?P<id>\d+)/comments", self._comments, sales),
            ("POST", r"orders/(?P<id>\d+)/hold", self._action("hold"), "Magento_Sales::hold"),
            ("POST", r"orders/(?P<id>\d+)/unhold", self._action("unhold"), "Magento_Sales::unhold"),
            ("GET", r"shipments", self._search("shipment"), "Magento_Sales::shipment"),
            ("GET", r"invoices", self._search("invoice"), "Magento_Sales::sales_invoice"),
            ("GET", r"creditmemos", self._search("creditmemo"), "Magento_Sales::sales_creditmemo"),
            ("GET", r"customers/search", self._search(customers.CUSTOMER), customer_acl),
            ("GET", r"customers/(?P<id>\d+)", self._customer, customer_acl),
            ("POST", r"customers", self._create_customer, "Magento_Customer::manage"),
            ("GET", r"customerGroups/search", groups, "Magento_Customer::group"),
            ("GET", r"products", self._search(catalog.PRODUCT), catalog_acl),
            ("POST", r"products", self._save_product, catalog_acl),
            ("GET", rf"products/{sku}", self._product, catalog_acl),
            ("PUT", rf"products/{sku}", self._save_product, catalog_acl),
            ("GET", rf"stockItems/{sku}", self._stock_item, legacy),
            ("PUT", rf"products/{sku}/stockItems/(?P<item>\d+)", self._put_stock_item, legacy),
            ("GET", r"inventory/source-items", self._search(catalog.SOURCE_ITEM), inventory),
            ("POST", r"inventory/source-items", self._save_source_items, inventory),
            (
                "GET",
                r"inventory/sources",
                self._listed(lambda: list(catalog.SOURCES), optional=True),
                inventory,
            ),
            ("GET", r"inventory/stocks", self._listed(lambda: list(catalog.STOCKS), optional=True), stock),
            ("GET", rf"inventory/get-product-salable-quantity/{sku}/(?P<stock>\d+)", self._salable, stock),
            ("GET", r"store/websites", lambda call: list(customers.WEBSITES), stores),
            (
                "GET",
                r"store/storeViews",
                lambda call: customers.store_views(self.settings.store_codes),
                stores,
            ),
            ("GET", r"bulk/(?P<uuid>[0-9a-fA-F-]+)/status", self._bulk_status, bulk_acl),
            ("GET", r"bulk/(?P<uuid>[0-9a-fA-F-]+)/detailed-status", self._bulk_detailed, bulk_acl),
            (
                "GET",
                r"bulk/(?P<uuid>[0-9a-fA-F-]+)/operation-status/(?P<status>\d+)",
                self._bulk_count,
                bulk_acl,
            ),
        ]
        return [Route(method, re.compile(pattern), handler, acl) for method, pattern, handler, acl in table]
