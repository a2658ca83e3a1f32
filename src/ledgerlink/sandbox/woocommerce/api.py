"""The /wp-json HTTP surface: request pipeline, routes and the handlers behind them.

Requests pass the same stages as in WordPress, in the same order, because clients observe the
order: authentication of WooCommerce routes (an invalid signature is a 401 whatever the route),
the API key's read/write permission, route matching (`rest_no_route` 404), argument validation
(400 `rest_invalid_param`, even when anonymous), the endpoint's permission check (the generic
`woocommerce_rest_cannot_*` 401 for anonymous callers) and finally the endpoint itself.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ledgerlink.sandbox.woocommerce import catalog, customers, orders, webhooks
from ledgerlink.sandbox.woocommerce.auth import Authenticator, AuthRequest, check_key_permission
from ledgerlink.sandbox.woocommerce.common import ResourceEvent, require_object
from ledgerlink.sandbox.woocommerce.errors import NO_ROUTE, WooApiError
from ledgerlink.sandbox.woocommerce.formats import utcnow, wire_date, wp_json
from ledgerlink.sandbox.woocommerce.listing import CollectionArgs, QueryReader, paging_headers
from ledgerlink.sandbox.woocommerce.phpquery import PhpValue, parse_php_query
from ledgerlink.sandbox.woocommerce.settings import ApiKey, WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import Condition, Row, StateStore, Transaction
from ledgerlink.sandbox.woocommerce.webhooks import WebhookDispatcher

NAMESPACE = "wc/v3"
BATCH_LIMIT = 100

_DENIED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "read": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


@dataclass
class Call:
    """One request on its way through the pipeline."""

    method: str
    route: str
    query: dict[str, PhpValue]
    query_pairs: list[tuple[str, str]]
    body: Any
    key: ApiKey | None
    params: dict[str, str] = field(default_factory=dict)

    def require(self, action: str) -> None:
        if self.key is None:
            code, message = _DENIED[action]
            raise WooApiError(code, message, 401)

    def payload(self) -> dict[str, Any]:
        return require_object(self.body if self.body is not None else {})

    def force(self) -> bool:
        raw = self.query.get("force")
        if raw is None and isinstance(self.body, dict):
            raw = self.body.get("force")
        if isinstance(raw, bool):
            return raw
        return isinstance(raw, str) and raw.lower() in ("true", "1")


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


Handler = Callable[[Call], Awaitable[Reply]]


def _json_form(value: Any) -> Any:
    """PHP arrays with 0..n keys from a form body become JSON lists, as WordPress sees them."""
    if isinstance(value, dict):
        converted = {key: _json_form(item) for key, item in value.items()}
        if converted and all(key.isdigit() for key in converted):
            return [converted[key] for key in sorted(converted, key=int)]
        return converted
    return value


class WooApi:
    """Everything the store does over HTTP, bound to one settings object and one state file."""

    def __init__(
        self, settings: WooSandboxSettings, store: StateStore, dispatcher: WebhookDispatcher
    ) -> None:
        self.settings = settings
        self.store = store
        self.webhooks = dispatcher
        self.authenticator = Authenticator(settings, store)
        item = r"/(?P<id>\d+)/?$"
        self.routes: list[tuple[Sequence[str], re.Pattern[str], Handler]] = [
            (("GET",), re.compile(r"^wc/v3/?$"), self.namespace_index),
            (("GET",), re.compile(r"^wc/v3/orders/?$"), self.list_orders),
            (("POST",), re.compile(r"^wc/v3/orders/?$"), self.create_order),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/orders/batch/?$"), self.batch_orders),
            (("GET",), re.compile(r"^wc/v3/orders" + item), self.get_order),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/orders" + item), self.update_order),
            (("DELETE",), re.compile(r"^wc/v3/orders" + item), self.delete_order),
            (("GET",), re.compile(r"^wc/v3/products/?$"), self.list_products),
            (("POST",), re.compile(r"^wc/v3/products/?$"), self.create_product),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/products/batch/?$"), self.batch_products),
            (("GET",), re.compile(r"^wc/v3/products" + item), self.get_product),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/products" + item), self.update_product),
            (("DELETE",), re.compile(r"^wc/v3/products" + item), self.delete_product),
            (("GET",), re.compile(r"^wc/v3/customers/?$"), self.list_customers),
            (("POST",), re.compile(r"^wc/v3/customers/?$"), self.create_customer),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/customers/batch/?$"), self.batch_customers),
            (("GET",), re.compile(r"^wc/v3/customers" + item), self.get_customer),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/customers" + item), self.update_customer),
            (("DELETE",), re.compile(r"^wc/v3/customers" + item), self.delete_customer),
            (("GET",), re.compile(r"^wc/v3/webhooks/?$"), self.list_webhooks),
            (("POST",), re.compile(r"^wc/v3/webhooks/?$"), self.create_webhook),
            (("GET",), re.compile(r"^wc/v3/webhooks" + item), self.get_webhook),
            (("POST", "PUT", "PATCH"), re.compile(r"^wc/v3/webhooks" + item), self.update_webhook),
            (("DELETE",), re.compile(r"^wc/v3/webhooks" + item), self.delete_webhook),
        ]

    # -- pipeline ------------------------------------------------------------------------------

    async def __call__(self, request: Request) -> Response:
        if self.settings.latency_seconds:
            await asyncio.sleep(self.settings.latency_seconds)
        try:
            reply = await self._handle(request)
        except WooApiError as error:
            reply = Reply(error.body(), error.status)
        response = Response(wp_json(reply.body), status_code=reply.status, media_type="application/json")
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        for name, value in reply.headers.items():
            response.headers[name] = value
        for link in reply.links:
            response.headers.append("Link", link)
        return response

    def _is_ssl(self, request: Request) -> bool:
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return request.url.scheme == "https" or forwarded == "https"

    async def _handle(self, request: Request) -> Reply:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        raw_path_text = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else str(raw_path)
        query_string = request.scope.get("query_string", b"").decode("latin-1")
        query = parse_php_query(query_string)
        home_path = urlsplit(self.settings.home).path.rstrip("/")
        path = request.url.path
        if home_path and path.startswith(home_path):
            path = path[len(home_path) :] or "/"
        keyed = False
        if path.startswith("/wp-json"):
            route = path[len("/wp-json") :].strip("/")
            keyed = route.startswith(("wc/", "wc-"))
        elif path in ("/", "") and isinstance(query.get("rest_route"), str):
            # Plain-permalink form: served, but a 9.9.5 store never authenticates keys here.
            route = str(query["rest_route"]).strip("/")
        else:
            raise WooApiError(*NO_ROUTE)

        body_bytes = await request.body()
        content_type = request.headers.get("content-type", "").lower()
        form: dict[str, PhpValue] = {}
        body: Any = None
        if body_bytes:
            if "json" in content_type:
                try:
                    body = json.loads(body_bytes)
                except ValueError as exc:
                    raise WooApiError("rest_invalid_json", "Invalid JSON body passed.", 400) from exc
            elif "application/x-www-form-urlencoded" in content_type:
                form = parse_php_query(body_bytes.decode("utf-8", errors="replace"))
                body = _json_form(form)

        key: ApiKey | None = None
        method = request.method.upper()
        if keyed:
            result = self.authenticator.authenticate(
                AuthRequest(
                    method=method,
                    raw_path=raw_path_text,
                    is_ssl=self._is_ssl(request),
                    query=query,
                    form=form if method == "POST" else {},
                    authorization=request.headers.get("authorization"),
                )
            )
            if result.error is not None:
                raise result.error
            key = result.key
            if key is not None:
                denied = check_key_permission(key, method)
                if denied is not None:
                    raise denied

        if route == "":
            return await self.site_index()
        call = Call(
            method=method,
            route=route,
            query=query,
            query_pairs=parse_qsl(query_string, keep_blank_values=True),
            body=body,
            key=key,
        )
        for methods, pattern, handler in self.routes:
            match = pattern.match(route)
            if match and method in methods:
                call.params = match.groupdict()
                return await handler(call)
        raise WooApiError(*NO_ROUTE)

    # -- helpers -------------------------------------------------------------------------------

    def _url(self, route: str) -> str:
        return f"{self.settings.home}/wp-json/{NAMESPACE}/{route}"

    def _links(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        links: dict[str, Any] = {
            "self": [{"href": self._url(f"{collection}/{doc['id']}")}],
            "collection": [{"href": self._url(collection)}],
        }
        if collection == "orders" and doc.get("customer_id"):
            links["customer"] = [{"href": self._url(f"customers/{doc['customer_id']}")}]
        return links

    def render(self, collection: str, doc: dict[str, Any], *, edit: bool = False) -> dict[str, Any]:
        rendered = dict(doc)
        if collection == "webhooks":
            # The secret can only be set: a real store never returns it, not on POST, GET or with
            # context=edit (shared/specs/FACTS.md §7, WooCommerce 9.9.5). ``edit`` shows nothing more.
            rendered.pop("secret", None)
        rendered["_links"] = self._links(collection, doc)
        return rendered

    def render_event(self, event: ResourceEvent) -> Any:
        """The payload a webhook sends: the resource as GET would return it *at delivery time*."""
        with self.store.transaction() as tx:
            if event.resource == "order":
                found = orders.get(tx, event.resource_id)
                if found is None:
                    return orders_error()
                return self.render("orders", found[0])
            if event.resource == "product":
                product = catalog.get(tx, event.resource_id)
                return self.render("products", product) if product else {"id": event.resource_id}
            if event.resource == "customer":
                customer = customers.get(tx, event.resource_id)
                return self.render("customers", customer) if customer else {"id": event.resource_id}
        return {"id": event.resource_id}

    def _page(
        self,
        call: Call,
        collection: str,
        args: CollectionArgs,
        rows: list[Row],
        total: int,
        *,
        empty_page_reports_zero: bool = False,
        edit: bool = False,
    ) -> Reply:
        if empty_page_reports_zero and not rows:
            total = 0  # HPOS order queries report no total for a page past the end (observed)
        headers, links = paging_headers(self._url(collection), call.query_pairs, args, total)
        return Reply([self.render(collection, row.data, edit=edit) for row in rows], 200, headers, links)

    @staticmethod
    def _window(rows: list[Row], args: CollectionArgs) -> tuple[list[Row], int]:
        return rows[args.skip : args.skip + args.per_page], len(rows)

    @staticmethod
    def _include_order(rows: list[Row], args: CollectionArgs) -> list[Row]:
        position = {record_id: index for index, record_id in enumerate(args.include)}
        ordered = sorted(rows, key=lambda row: position.get(row.id, len(position)))
        return list(reversed(ordered)) if args.descending else ordered

    def _created(self, collection: str, doc: dict[str, Any], *, edit: bool = False) -> Reply:
        return Reply(
            self.render(collection, doc, edit=edit), 201, {"Location": self._url(f"{collection}/{doc['id']}")}
        )

    def _write(
        self, operation: Callable[[Transaction], tuple[dict[str, Any], list[ResourceEvent]]]
    ) -> dict[str, Any]:
        with self.store.transaction() as tx:
            doc, events = operation(tx)
        self.webhooks.notify(events)
        return doc

    async def _batch(
        self,
        call: Call,
        create: Callable[[dict[str, Any]], dict[str, Any]],
        update: Callable[[int, dict[str, Any]], dict[str, Any]],
        delete: Callable[[int], dict[str, Any]],
        invalid_id_status: tuple[int, int] = (400, 404),
    ) -> Reply:
        """WC_REST_Controller::batch_items: each item on its own, errors inline, deletes forced."""
        call.require("batch")
        payload = call.payload()
        sections = {name: payload.get(name) or [] for name in ("create", "update", "delete")}
        for name, items in sections.items():
            if not isinstance(items, list):
                raise WooApiError("rest_invalid_param", f"Invalid parameter(s): {name}", 400)
        if sum(len(items) for items in sections.values()) > BATCH_LIMIT:
            raise WooApiError(
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
                413,
            )
        result: dict[str, list[Any]] = {}
        if "create" in payload:
            result["create"] = []
            for item in sections["create"]:
                try:
                    result["create"].append(create(require_object(item)))
                except WooApiError as error:
                    result["create"].append({"id": 0, "error": error.body()})
        if "update" in payload:
            result["update"] = []
            for item in sections["update"]:
                record_id = item.get("id", 0) if isinstance(item, dict) else 0
                try:
                    result["update"].append(update(int(record_id or 0), require_object(item)))
                except (WooApiError, ValueError, TypeError) as error:
                    body = (
                        error.body()
                        if isinstance(error, WooApiError)
                        else WooApiError("rest_invalid_param", "Invalid ID.", invalid_id_status[0]).body()
                    )
                    result["update"].append({"id": record_id, "error": body})
        if "delete" in payload:
            result["delete"] = []
            for record_id in sections["delete"]:
                try:
                    result["delete"].append(delete(int(record_id)))
                except (WooApiError, ValueError, TypeError) as error:
                    body = (
                        error.body()
                        if isinstance(error, WooApiError)
                        else WooApiError("rest_invalid_param", "Invalid ID.", invalid_id_status[1]).body()
                    )
                    result["delete"].append({"id": record_id, "error": body})
        return Reply(result)

    # -- index ---------------------------------------------------------------------------------

    def _route_table(self) -> dict[str, Any]:
        routes: dict[str, Any] = {}
        for methods, pattern, _ in self.routes:
            template = pattern.pattern.lstrip("^").rstrip("$").replace("/?", "")
            template = "/" + template.replace("(?P<id>\\d+)", "(?P<id>[\\d]+)")
            entry = routes.setdefault(
                template,
                {
                    "namespace": NAMESPACE,
                    "methods": [],
                    "endpoints": [],
                    "_links": {"self": [{"href": f"{self.settings.home}/wp-json{template}"}]},
                },
            )
            for method in methods:
                if method not in entry["methods"]:
                    entry["methods"].append(method)
            entry["endpoints"].append({"methods": list(methods), "args": {}})
        return routes

    async def namespace_index(self, call: Call) -> Reply:
        return Reply({"namespace": NAMESPACE, "routes": self._route_table()})

    async def site_index(self) -> Reply:
        return Reply(
            {
                "name": "Ledgerlink sandbox store",
                "description": "WooCommerce emulator",
                "url": self.settings.home,
                "home": self.settings.home,
                "gmt_offset": 0,
                "timezone_string": "UTC",
                "namespaces": ["wp/v2", "wc/v3"],
                "authentication": [],
                "routes": self._route_table(),
            }
        )

    # -- orders --------------------------------------------------------------------------------

    async def list_orders(self, call: Call) -> Reply:
        reader = QueryReader(call.query)
        args = reader.collection(("date", "id", "include", "title", "slug", "modified"), "date")
        statuses = reader.choices("status", ("any", *orders.STATUSES))
        reader.boolean("dates_are_gmt")
        after, before = reader.date("after"), reader.date("before")
        modified_after, modified_before = reader.date("modified_after"), reader.date("modified_before")
        customer = reader.integer("customer")
        product = reader.integer("product")
        reader.integer("dp", minimum=0)
        call.require("list")

        conditions: list[Condition] = []
        if not statuses or "any" in statuses:
            conditions.append(Condition("status", "not_in", ["trash", "checkout-draft"]))
        else:
            conditions.append(Condition("status", "in", statuses))
        for moment, column, op in (
            (after, "created", ">"),
            (before, "created", "<"),
            (modified_after, "modified", ">"),
            (modified_before, "modified", "<"),
        ):
            if moment is not None:
                conditions.append(Condition(column, op, wire_date(moment)))
        if customer is not None:
            conditions.append(Condition("customer_id", "=", customer))
        if args.include:
            conditions.append(Condition("id", "in", args.include))
        if args.exclude:
            conditions.append(Condition("id", "not_in", args.exclude))
        column = {
            "date": "created",
            "id": "id",
            "title": "sort_name",
            "slug": "sort_name",
            "modified": "modified",
            "include": "id",
        }[args.orderby]
        order_by = [(column, args.descending), ("id", args.descending)]
        python_side = bool(args.search) or product is not None or args.orderby == "include"
        with self.store.transaction() as tx:
            if not python_side:
                total = tx.count(orders.KIND, conditions)
                rows = tx.select(
                    orders.KIND, conditions, order_by=order_by, limit=args.per_page, offset=args.skip
                )
            else:
                rows = tx.select(orders.KIND, conditions, order_by=order_by)
                if product is not None:
                    rows = [
                        r for r in rows if any(li["product_id"] == product for li in r.data["line_items"])
                    ]
                if args.search:
                    needle = args.search.lower()
                    rows = [
                        r
                        for r in rows
                        if needle
                        in json.dumps(
                            [
                                r.data["billing"],
                                r.data["shipping"],
                                [li["name"] for li in r.data["line_items"]],
                            ]
                        ).lower()
                    ]
                if args.orderby == "include":
                    rows = self._include_order(rows, args)
                rows, total = self._window(rows, args)
        return self._page(call, "orders", args, rows, total, empty_page_reports_zero=True)

    async def get_order(self, call: Call) -> Reply:
        QueryReader(call.query).choice("context", ("view", "edit"), "view")
        call.require("read")
        with self.store.transaction() as tx:
            found = orders.get(tx, int(call.params["id"]))
        if found is None:
            raise orders_invalid_id(404)
        return Reply(self.render("orders", found[0]))

    def _create_order(self, payload: dict[str, Any]) -> dict[str, Any]:
        doc = self._write(lambda tx: orders.create(tx, payload, self.settings, utcnow()))
        return self.render("orders", doc)

    def _update_order(self, order_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        doc = self._write(lambda tx: orders.update(tx, order_id, payload, self.settings, utcnow()))
        return self.render("orders", doc)

    def _delete_order(self, order_id: int, force: bool) -> dict[str, Any]:
        doc = self._write(lambda tx: orders.delete(tx, order_id, force, self.settings, utcnow()))
        return self.render("orders", doc)

    async def create_order(self, call: Call) -> Reply:
        call.require("create")
        rendered = self._create_order(call.payload())
        return Reply(rendered, 201, {"Location": self._url(f"orders/{rendered['id']}")})

    async def update_order(self, call: Call) -> Reply:
        call.require("edit")
        return Reply(self._update_order(int(call.params["id"]), call.payload()))

    async def delete_order(self, call: Call) -> Reply:
        call.require("delete")
        return Reply(self._delete_order(int(call.params["id"]), call.force()))

    async def batch_orders(self, call: Call) -> Reply:
        return await self._batch(
            call, self._create_order, self._update_order, lambda order_id: self._delete_order(order_id, True)
        )

    # -- products ------------------------------------------------------------------------------

    async def list_products(self, call: Call) -> Reply:
        reader = QueryReader(call.query)
        args = reader.collection(
            (
                "date",
                "id",
                "include",
                "title",
                "slug",
                "modified",
                "price",
                "popularity",
                "rating",
                "menu_order",
            ),
            "date",
        )
        status = reader.choice(
            "status", ("any", "future", "trash", "draft", "pending", "private", "publish"), "any"
        )
        product_type = reader.text("type")
        stock_status = reader.text("stock_status")
        skus = [sku.strip() for sku in reader.text("sku").split(",") if sku.strip()]
        modified_after, modified_before = reader.date("modified_after"), reader.date("modified_before")
        after, before = reader.date("after"), reader.date("before")
        call.require("list")
        conditions: list[Condition] = []
        if status == "any":
            conditions.append(Condition("status", "!=", "trash"))
        else:
            conditions.append(Condition("status", "=", status))
        if skus:
            conditions.append(Condition("sku", "in", skus))
        if args.include:
            conditions.append(Condition("id", "in", args.include))
        if args.exclude:
            conditions.append(Condition("id", "not_in", args.exclude))
        for moment, column, op in (
            (after, "created", ">"),
            (before, "created", "<"),
            (modified_after, "modified", ">"),
            (modified_before, "modified", "<"),
        ):
            if moment is not None:
                conditions.append(Condition(column, op, wire_date(moment)))
        column = {
            "date": "created",
            "id": "id",
            "title": "sort_name",
            "slug": "sort_name",
            "modified": "modified",
        }.get(args.orderby, "created")
        with self.store.transaction() as tx:
            rows = tx.select(
                catalog.KIND, conditions, order_by=[(column, args.descending), ("id", args.descending)]
            )
        if product_type:
            rows = [r for r in rows if r.data["type"] == product_type]
        if stock_status:
            rows = [r for r in rows if r.data["stock_status"] == stock_status]
        if args.search:
            rows = [r for r in rows if args.search.lower() in r.data["name"].lower()]
        if args.orderby == "price":
            rows.sort(key=lambda r: catalog.active_price(r.data), reverse=args.descending)
        elif args.orderby == "popularity":
            rows.sort(key=lambda r: r.data["total_sales"], reverse=args.descending)
        elif args.orderby == "include":
            rows = self._include_order(rows, args)
        page, total = self._window(rows, args)
        return self._page(call, "products", args, page, total)

    async def get_product(self, call: Call) -> Reply:
        call.require("read")
        with self.store.transaction() as tx:
            product = catalog.get(tx, int(call.params["id"]))
        if product is None:
            raise WooApiError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return Reply(self.render("products", product))

    def _create_product(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.render(
            "products", self._write(lambda tx: catalog.create(tx, payload, self.settings, utcnow()))
        )

    def _update_product(self, product_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        doc = self._write(lambda tx: catalog.update(tx, product_id, payload, self.settings, utcnow()))
        return self.render("products", doc)

    def _delete_product(self, product_id: int, force: bool) -> dict[str, Any]:
        return self.render(
            "products", self._write(lambda tx: catalog.delete(tx, product_id, force, utcnow()))
        )

    async def create_product(self, call: Call) -> Reply:
        call.require("create")
        return self._created("products", self._create_product(call.payload()))

    async def update_product(self, call: Call) -> Reply:
        call.require("edit")
        return Reply(self._update_product(int(call.params["id"]), call.payload()))

    async def delete_product(self, call: Call) -> Reply:
        call.require("delete")
        return Reply(self._delete_product(int(call.params["id"]), call.force()))

    async def batch_products(self, call: Call) -> Reply:
        return await self._batch(
            call, self._create_product, self._update_product, lambda pid: self._delete_product(pid, True)
        )

    # -- customers -----------------------------------------------------------------------------

    async def list_customers(self, call: Call) -> Reply:
        reader = QueryReader(call.query)
        args = reader.collection(("id", "include", "name", "registered_date"), "name", "asc")
        email = reader.text("email")
        role = reader.text("role") or "customer"
        call.require("list")
        conditions: list[Condition] = []
        if email:
            conditions.append(Condition("email", "=", email.lower()))
        if role != "all":
            conditions.append(Condition("status", "=", role))
        if args.include:
            conditions.append(Condition("id", "in", args.include))
        if args.exclude:
            conditions.append(Condition("id", "not_in", args.exclude))
        column = {"id": "id", "include": "id", "name": "sort_name", "registered_date": "created"}[
            args.orderby
        ]
        with self.store.transaction() as tx:
            rows = tx.select(
                customers.KIND, conditions, order_by=[(column, args.descending), ("id", args.descending)]
            )
        if args.search:
            needle = args.search.lower()
            rows = [
                r
                for r in rows
                if needle
                in " ".join(
                    [r.data["email"], r.data["first_name"], r.data["last_name"], r.data["username"]]
                ).lower()
            ]
        if args.orderby == "include":
            rows = self._include_order(rows, args)
        page, total = self._window(rows, args)
        return self._page(call, "customers", args, page, total)

    async def get_customer(self, call: Call) -> Reply:
        call.require("read")
        with self.store.transaction() as tx:
            customer = customers.get(tx, int(call.params["id"]))
        if customer is None:
            raise customers.invalid_customer_id(404)
        return Reply(self.render("customers", customer))

    def _create_customer(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.render("customers", self._write(lambda tx: customers.create(tx, payload, utcnow())))

    def _update_customer(self, customer_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        return self.render(
            "customers", self._write(lambda tx: customers.update(tx, customer_id, payload, utcnow()))
        )

    def _delete_customer(self, customer_id: int, force: bool) -> dict[str, Any]:
        return self.render("customers", self._write(lambda tx: customers.delete(tx, customer_id, force)))

    async def create_customer(self, call: Call) -> Reply:
        call.require("create")
        return self._created("customers", self._create_customer(call.payload()))

    async def update_customer(self, call: Call) -> Reply:
        call.require("edit")
        return Reply(self._update_customer(int(call.params["id"]), call.payload()))

    async def delete_customer(self, call: Call) -> Reply:
        call.require("delete")
        return Reply(self._delete_customer(int(call.params["id"]), call.force()))

    async def batch_customers(self, call: Call) -> Reply:
        return await self._batch(
            call, self._create_customer, self._update_customer, lambda cid: self._delete_customer(cid, True)
        )

    # -- webhooks ------------------------------------------------------------------------------

    async def list_webhooks(self, call: Call) -> Reply:
        reader = QueryReader(call.query)
        args = reader.collection(("date", "id", "title"), "date")
        status = reader.choice("status", ("all", *webhooks.STATUSES), "all")
        call.require("list")
        conditions: list[Condition] = [] if status == "all" else [Condition("status", "=", status)]
        if args.include:
            conditions.append(Condition("id", "in", args.include))
        if args.exclude:
            conditions.append(Condition("id", "not_in", args.exclude))
        column = {"date": "created", "id": "id", "title": "sort_name"}[args.orderby]
        with self.store.transaction() as tx:
            total = tx.count(webhooks.KIND, conditions)
            rows = tx.select(
                webhooks.KIND,
                conditions,
                order_by=[(column, args.descending), ("id", args.descending)],
                limit=args.per_page,
                offset=args.skip,
            )
        return self._page(call, "webhooks", args, rows, total)

    async def get_webhook(self, call: Call) -> Reply:
        context = QueryReader(call.query).choice("context", ("view", "edit"), "view")
        call.require("read")
        with self.store.transaction() as tx:
            found = webhooks.get(tx, int(call.params["id"]))
        if found is None:
            raise webhooks.invalid_webhook_id(404)
        return Reply(self.render("webhooks", found[0], edit=context == "edit"))

    async def create_webhook(self, call: Call) -> Reply:
        call.require("create")
        payload = call.payload()
        with self.store.transaction() as tx:
            doc = webhooks.create(tx, payload, utcnow())
        reply = self._created("webhooks", doc, edit=True)
        await self.webhooks.ping(doc)
        return reply

    async def update_webhook(self, call: Call) -> Reply:
        call.require("edit")
        payload = call.payload()
        with self.store.transaction() as tx:
            doc = webhooks.update(tx, int(call.params["id"]), payload, utcnow())
        return Reply(self.render("webhooks", doc, edit=True))

    async def delete_webhook(self, call: Call) -> Reply:
        call.require("delete")
        with self.store.transaction() as tx:
            doc = webhooks.delete(tx, int(call.params["id"]), call.force())
        return Reply(self.render("webhooks", doc, edit=True))


def orders_invalid_id(status: int) -> WooApiError:
    return WooApiError(f"woocommerce_rest_{orders.POST_TYPE}_invalid_id", "Invalid ID.", status)


def orders_error() -> dict[str, Any]:
    """What a delivery carries when the order vanished before it was sent (core renders the error)."""
    return orders_invalid_id(404).body()
