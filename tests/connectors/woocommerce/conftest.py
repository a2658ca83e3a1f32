"""Fixtures for the WooCommerce connector: sample orders as WooCommerce sends them, a fake store that
answers like WooCommerce's REST API over ``httpx.MockTransport``, and the ``shop_order`` schema check."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ledgerlink.config import WooCommerceConnection

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
OPENAPI = SHARED / "specs" / "woocommerce" / "woocommerce-wc-v3-openapi-3.0.x.yml"
CONSUMER_KEY = "ck_4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5"
CONSUMER_SECRET = "cs_9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"
WEBHOOK_SECRET = "whsec-7Gq2mN5pR8tV1xZ4"
SITE_OFFSET = timedelta(hours=2)  # the fake store's local time is UTC+2, so local vs GMT mistakes show


def woo_time(moment: datetime) -> str:
    """WooCommerce's format: ISO 8601 without offset."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def registered_order_json(order_id: int = 727, modified: datetime | None = None) -> dict[str, Any]:
    """A registered customer's order: two lines, a 10% coupon, flat-rate shipping, a gift-wrap fee and
    10% tax on everything. 81.00 + 48.60 + 10.00 + 5.00 + 14.46 tax = 159.06."""
    modified = modified or datetime(2026, 11, 3, 9, 30, 12, tzinfo=UTC)
    created = modified - timedelta(hours=1)
    return {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "order_key": f"wc_order_{order_id}Xy7Qz",
        "created_via": "checkout",
        "version": "9.9.5",
        "status": "processing",
        "currency": "USD",
        "date_created": woo_time(created + SITE_OFFSET),
        "date_created_gmt": woo_time(created),
        "date_modified": woo_time(modified + SITE_OFFSET),
        "date_modified_gmt": woo_time(modified),
        "discount_total": "14.40",
        "discount_tax": "1.44",
        "shipping_total": "10.00",
        "shipping_tax": "1.00",
        "cart_tax": "13.46",
        "total": "159.06",
        "total_tax": "14.46",
        "prices_include_tax": False,
        "customer_id": 42,
        "customer_ip_address": "203.0.113.7",
        "customer_user_agent": "Mozilla/5.0",
        "customer_note": "Please leave at the back door.",
        "billing": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Analytical Engines Ltd",
            "address_1": "12 Byron Street",
            "address_2": "Flat 3",
            "city": "Springfield",
            "state": "IL",
            "postcode": "62701",
            "country": "US",
            "email": "ada@example.com",
            "phone": "+1 217 555 0101",
        },
        "shipping": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "",
            "address_1": "99 Engine Road",
            "address_2": "",
            "city": "Chicago",
            "state": "IL",
            "postcode": "60601",
            "country": "US",
            "phone": "",
        },
        "payment_method": "stripe",
        "payment_method_title": "Credit card (Stripe)",
        "transaction_id": "ch_3PqRsT",
        "date_paid": woo_time(created + timedelta(minutes=2) + SITE_OFFSET),
        "date_paid_gmt": woo_time(created + timedelta(minutes=2)),
        "date_completed": None,
        "date_completed_gmt": None,
        "cart_hash": "5e1d0c2b9a8f7e6d5c4b3a2918273645",
        "meta_data": [{"id": 9001, "key": "_wc_order_attribution_source_type", "value": "typein"}],
        "line_items": [
            {
                "id": 315,
                "name": "Hoodie - Blue, L",
                "parent_name": "Hoodie",
                "product_id": 93,
                "variation_id": 101,
                "quantity": 2,
                "tax_class": "",
                "subtotal": "90.00",
                "subtotal_tax": "9.00",
                "total": "81.00",
                "total_tax": "8.10",
                "taxes": [{"id": 1, "total": "8.1", "subtotal": "9"}],
                "meta_data": [],
                "sku": "WOO-HOODIE-BL-L",
                "price": 40.5,
            },
            {
                "id": 316,
                "name": "Beanie",
                "parent_name": None,
                "product_id": 79,
                "variation_id": 0,
                "quantity": 3,
                "tax_class": "",
                "subtotal": "54.00",
                "subtotal_tax": "5.40",
                "total": "48.60",
                "total_tax": "4.86",
                "taxes": [{"id": 1, "total": "4.86", "subtotal": "5.4"}],
                "meta_data": [],
                "sku": "",
                "price": 16.2,
            },
        ],
        "tax_lines": [
            {
                "id": 320,
                "rate_code": "US-IL-TAX-1",
                "rate_id": 1,
                "label": "Tax",
                "compound": False,
                "tax_total": "13.46",
                "shipping_tax_total": "1.00",
                "meta_data": [],
            }
        ],
        "shipping_lines": [
            {
                "id": 318,
                "method_title": "Flat rate",
                "method_id": "flat_rate",
                "instance_id": "3",
                "total": "10.00",
                "total_tax": "1.00",
                "taxes": [{"id": 1, "total": "1"}],
                "meta_data": [],
            }
        ],
        "fee_lines": [
            {
                "id": 319,
                "name": "Gift wrap",
                "tax_class": "",
                "tax_status": "taxable",
                "total": "5.00",
                "total_tax": "0.50",
                "taxes": [{"id": 1, "total": "0.5", "subtotal": ""}],
                "meta_data": [],
            }
        ],
        "coupon_lines": [
            {"id": 317, "code": "save10", "discount": "14.40", "discount_tax": "1.44", "meta_data": []}
        ],
        "refunds": [],
    }


def guest_order_json(order_id: int = 728, modified: datetime | None = None) -> dict[str, Any]:
    """A guest's unpaid bank-transfer order in EUR: one mug, 21% VAT, local pickup for free."""
    order = registered_order_json(order_id, modified)
    order.update(
        status="on-hold",
        currency="EUR",
        discount_total="0.00",
        discount_tax="0.00",
        shipping_total="0.00",
        shipping_tax="0.00",
        cart_tax="2.63",
        total="15.13",
        total_tax="2.63",
        customer_id=0,
        customer_note="",
        payment_method="bacs",
        payment_method_title="Direct bank transfer",
        transaction_id="",
        date_paid=None,
        date_paid_gmt=None,
        fee_lines=[],
        coupon_lines=[],
        tax_lines=[],
    )
    order["billing"] = {
        "first_name": "Jan",
        "last_name": "de Vries",
        "company": "",
        "address_1": "Keizersgracht 1",
        "address_2": "",
        "city": "Amsterdam",
        "state": "",
        "postcode": "1015 CJ",
        "country": "nl",
        "email": "jan@example.nl",
        "phone": "",
    }
    order["shipping"] = {key: "" for key in order["shipping"]}
    order["line_items"] = [
        {
            "id": 401,
            "name": "Mug",
            "parent_name": None,
            "product_id": 55,
            "variation_id": 0,
            "quantity": 1,
            "tax_class": "",
            "subtotal": "12.50",
            "subtotal_tax": "2.63",
            "total": "12.50",
            "total_tax": "2.63",
            "taxes": [{"id": 2, "total": "2.625", "subtotal": "2.625"}],
            "meta_data": [],
            "sku": "MUG-01",
            "price": 12.5,
        }
    ]
    order["shipping_lines"] = [
        {
            "id": 402,
            "method_title": "Local pickup",
            "method_id": "local_pickup",
            "instance_id": "4",
            "total": "0.00",
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": [],
        }
    ]
    return order


@pytest.fixture(scope="session")
def registered_order() -> Callable[..., dict[str, Any]]:
    return registered_order_json


@pytest.fixture(scope="session")
def guest_order() -> Callable[..., dict[str, Any]]:
    return guest_order_json


def _connection(base_url: str, **overrides: Any) -> WooCommerceConnection:
    values: dict[str, Any] = {
        "type": "woocommerce",
        "base_url": base_url,
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
        "webhook_secret": WEBHOOK_SECRET,
        **overrides,
    }
    return WooCommerceConnection.model_validate(values)


@pytest.fixture(scope="session")
def connection() -> Callable[..., WooCommerceConnection]:
    """``connection("http://shop.test", concurrency=2)``: a connection with the test credentials."""
    return _connection


# ---------------------------------------------------------------------------------------------------------
# The OpenAPI shop_order schema, with the places where the third-party file contradicts WooCommerce core's
# own schema (class-wc-rest-orders-v2-controller.php) corrected, so real-shaped samples can be checked.


def _patch_known_defects(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema["properties"]
    props["version"]["type"] = "string"  # core: 'type' => 'string' ("9.9.5")
    for name in ("date_paid", "date_paid_gmt", "date_completed", "date_completed_gmt"):
        props[name]["nullable"] = True  # core answers null until the order is paid / completed
    line = props["line_items"]["items"]["properties"]
    line["product_id"]["type"] = "integer"  # core: 'type' => 'integer'
    line["parent_name"]["nullable"] = True
    props["tax_lines"]["items"]["properties"]["rate_id"]["type"] = "integer"  # core: integer
    props["status"]["enum"] += ["trash", "checkout-draft"]
    return schema


@pytest.fixture(scope="session")
def shop_order_validator() -> Callable[[dict[str, Any]], None]:
    """Validate an order dict against the OpenAPI ``shop_order`` schema (skips without the shared folder)."""
    if not OPENAPI.is_file():
        pytest.skip(f"the shared specifications folder is absent ({OPENAPI}); the shop_order check needs it")
    from openapi_schema_validator import OAS30Validator

    spec = yaml.safe_load(OPENAPI.read_text())
    schema = _patch_known_defects(copy.deepcopy(spec["components"]["schemas"]["shop_order"]))
    validator = OAS30Validator(schema)

    def validate(order: dict[str, Any]) -> None:
        missing = sorted(set(schema["properties"]) - {"set_paid"} - set(order))
        assert not missing, f"sample order lacks fields WooCommerce always sends: {missing}"
        validator.validate(order)

    return validate


# ---------------------------------------------------------------------------------------------------------
# A fake store answering like WooCommerce for the routes the connector uses.


def woo_error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "data": {"status": status}})


class FakeWooCommerce:
    """Orders and webhooks in memory, served with WooCommerce's filters, paging headers and errors.

    ``modified_after``/``modified_before`` exclude their bound, as WP_Date_Query does, and are read as
    site-local time (UTC+2) unless ``dates_are_gmt=true``. ``on_page_served(page)`` runs after each
    orders page is answered, to change the store between two page reads.
    """

    def __init__(self, *, reveal_webhook_secret: bool = False) -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.on_page_served: Callable[[int], None] | None = None
        self.reveal_webhook_secret = reveal_webhook_secret
        self._next_webhook_id = 1

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add_order(self, order: dict[str, Any]) -> None:
        self.orders[int(order["id"])] = order

    def touch(self, order_id: int, moment: datetime) -> None:
        """Modify an order at ``moment`` (UTC), as an admin saving it would."""
        order = self.orders[order_id]
        order["date_modified_gmt"] = woo_time(moment)
        order["date_modified"] = woo_time(moment + SITE_OFFSET)

    def add_webhook(self, **fields: Any) -> dict[str, Any]:
        hook = {"id": self._next_webhook_id, "name": "", "status": "active", "secret": "", **fields}
        hook.setdefault("resource", hook["topic"].split(".")[0])
        hook.setdefault("event", hook["topic"].split(".")[-1])
        self.webhooks[hook["id"]] = hook
        self._next_webhook_id += 1
        return hook

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/wp-json/wc/v3")
        if path == "/orders" and request.method == "GET":
            return self._list_orders(request)
        if path.startswith("/orders/") and request.method == "GET":
            order = self.orders.get(int(path.rsplit("/", 1)[1]))
            if order is None:
                return woo_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            return httpx.Response(200, json=order)
        if path == "/webhooks":
            return self._webhooks(request)
        if path.startswith("/webhooks/") and request.method == "PUT":
            return self._update_webhook(int(path.rsplit("/", 1)[1]), json.loads(request.content))
        return woo_error(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _bound(self, request: httpx.Request, name: str) -> datetime | None:
        value = request.url.params.get(name)
        if value is None:
            return None
        moment = datetime.fromisoformat(value).replace(tzinfo=None)
        if request.url.params.get("dates_are_gmt") != "true":
            moment -= SITE_OFFSET  # read as the site's local time
        return moment

    def _list_orders(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        per_page, page = int(params.get("per_page", "10")), int(params.get("page", "1"))
        if per_page > 100:
            return woo_error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        assert params.get("orderby") == "id" and params.get("order") == "asc"
        after, before = self._bound(request, "modified_after"), self._bound(request, "modified_before")
        matching = []
        for order_id in sorted(self.orders):
            modified = datetime.fromisoformat(self.orders[order_id]["date_modified_gmt"])
            if (after is None or modified > after) and (before is None or modified < before):
                matching.append(self.orders[order_id])
        pages = math.ceil(len(matching) / per_page)
        chunk = matching[(page - 1) * per_page : page * per_page]
        total = len(matching) if chunk or page == 1 else 0  # past the end: [] with X-WP-Total 0
        response = httpx.Response(
            200,
            json=copy.deepcopy(chunk),
            headers={"X-WP-Total": str(total), "X-WP-TotalPages": str(pages if total else 0)},
        )
        if self.on_page_served is not None:
            self.on_page_served(page)
        return response

    def _shown(self, hook: dict[str, Any]) -> dict[str, Any]:
        shown = dict(hook)
        if not self.reveal_webhook_secret:
            shown.pop("secret")  # WooCommerce core never includes the secret in responses
        return shown

    def _webhooks(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            fields = json.loads(request.content)
            hook = self.add_webhook(**fields)
            return httpx.Response(201, json=self._shown(hook))
        per_page, page = (
            int(request.url.params.get("per_page", "10")),
            int(request.url.params.get("page", "1")),
        )
        hooks = [self._shown(self.webhooks[i]) for i in sorted(self.webhooks)]
        pages = max(1, math.ceil(len(hooks) / per_page))
        return httpx.Response(
            200,
            json=hooks[(page - 1) * per_page : page * per_page],
            headers={"X-WP-Total": str(len(hooks)), "X-WP-TotalPages": str(pages)},
        )

    def _update_webhook(self, hook_id: int, fields: dict[str, Any]) -> httpx.Response:
        hook = self.webhooks.get(hook_id)
        if hook is None:
            return woo_error(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
        hook.update(fields)
        return httpx.Response(200, json=self._shown(hook))


@pytest.fixture
def fake_store() -> Iterator[FakeWooCommerce]:
    yield FakeWooCommerce()


@pytest.fixture(scope="session")
def fake_store_class() -> type[FakeWooCommerce]:
    return FakeWooCommerce
