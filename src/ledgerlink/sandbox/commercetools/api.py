"""The project API under ``/{projectKey}``: query, read, create, update and delete, with scopes checked.

Paths follow commercetools: ``/{resource}``, ``/{resource}/{id}``, ``/{resource}/key={key}``,
``/orders/import``, ``/orders/order-number={number}``, ``/product-projections[/{id}]`` and the store's
view of orders under ``/in-store/key={storeKey}/orders``, which shows only orders of that store (an
order of another store is 404 there, as it is on commercetools). ``HEAD`` answers whether a record, or
any record matching ``where``, exists. ``expand`` inlines referenced records (see ``expansion.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.commercetools import documents
from ledgerlink.sandbox.commercetools.actions import apply_update
from ledgerlink.sandbox.commercetools.auth import AuthService, Grant
from ledgerlink.sandbox.commercetools.errors import (
    CtApiError,
    concurrent_modification,
    invalid_input,
    not_found,
)
from ledgerlink.sandbox.commercetools.expansion import expand
from ledgerlink.sandbox.commercetools.faults import Faults
from ledgerlink.sandbox.commercetools.orders import import_order
from ledgerlink.sandbox.commercetools.querying import run_query
from ledgerlink.sandbox.commercetools.settings import CommercetoolsSandboxSettings
from ledgerlink.sandbox.commercetools.state import StateStore, Transaction

# resource in the URL -> the permission word of its scopes (view_<word>, manage_<word>)
PERMISSIONS = {
    "orders": "orders",
    "customers": "customers",
    "products": "products",
    "product-projections": "products",
    "inventory": "products",
    "payments": "payments",
    "channels": "channels",
    "stores": "stores",
}
_IN_STORE = re.compile(r"^in-store/key=(?P<store>[^/]+)/(?P<rest>orders(?:/.*)?)$")


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise CtApiError(400, "InvalidJsonInput", "Request body does not contain valid JSON.") from None


def projection(product: dict[str, Any], staged: bool) -> dict[str, Any] | None:
    """The product as ``/product-projections`` shows it: current (published only) or staged data."""
    data = product["masterData"]
    if not staged and not data["published"]:
        return None
    view = data["staged"] if staged else data["current"]
    return {
        "id": product["id"],
        "version": product["version"],
        "key": product.get("key"),
        "productType": product["productType"],
        "createdAt": product["createdAt"],
        "lastModifiedAt": product["lastModifiedAt"],
        "published": data["published"],
        "hasStagedChanges": data["hasStagedChanges"],
        **{k: view[k] for k in ("name", "slug", "categories", "masterVariant", "variants", "searchKeywords")},
        "attributes": view.get("attributes", []),
    }


class ProjectApi:
    def __init__(self, settings: CommercetoolsSandboxSettings, store: StateStore, auth: AuthService) -> None:
        self.settings, self.store, self.auth = settings, store, auth
        self.faults = Faults()

    async def __call__(self, request: Request, project_key: str, path: str) -> Response:
        if self.settings.latency_seconds:
            await asyncio.sleep(self.settings.latency_seconds)
        grant = self.auth.grant(request)
        if fault := self.faults.take(path):
            raise fault
        if project_key != self.settings.project_key:
            raise CtApiError(404, "ResourceNotFound", f"The project '{project_key}' was not found.")
        store_key: str | None = None
        if match := _IN_STORE.match(path):
            store_key, path = match.group("store"), match.group("rest")
        parts = path.strip("/").split("/")
        resource = parts[0]
        if resource not in PERMISSIONS or len(parts) > 2:
            raise CtApiError(404, "ResourceNotFound", f"The endpoint '/{path}' was not found.")
        self._check(grant, request.method, resource, store_key, request)
        body = _json_body(await request.body()) if request.method == "POST" else None
        params: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            params.setdefault(name, []).append(value)
        with self.store.transaction() as tx:
            return self._dispatch(
                tx, request.method, resource, parts[1] if len(parts) > 1 else None, params, body, store_key
            )

    async def project(self, request: Request, project_key: str) -> Response:
        """``GET /{projectKey}``: the project's settings (currencies, countries, languages)."""
        grant = self.auth.grant(request)
        if project_key != self.settings.project_key:
            raise CtApiError(404, "ResourceNotFound", f"The project '{project_key}' was not found.")
        self.auth.require(grant, "view_project_settings")
        settings = self.settings
        return JSONResponse(
            {
                "key": settings.project_key,
                "name": settings.project_name,
                "version": 1,
                "createdAt": "2024-01-01T00:00:00.000Z",
                "currencies": settings.currencies,
                "countries": settings.countries,
                "languages": settings.languages,
                "messages": {"enabled": False},
                "carts": {"deleteDaysAfterLastModification": 90, "countryTaxRateFallbackEnabled": False},
                "discounts": {"discountCombinationMode": "Stacking"},
                "inventory": {"releaseExpiredReservations": False},
            }
        )

    def _check(
        self, grant: Grant, method: str, resource: str, store_key: str | None, request: Request
    ) -> None:
        word = PERMISSIONS[resource]
        permission = f"{'view' if method in ('GET', 'HEAD') else 'manage'}_{word}"
        project = self.settings.project_key
        if resource == "channels" and grant.allows(permission.replace("channels", "products"), project):
            return
        if resource in ("product-projections", "products") and method == "GET":
            if grant.allows("view_published_products", project):
                staged = request.query_params.get("staged", "false") == "true"
                if resource == "product-projections" and not staged:
                    return
        self.auth.require(grant, permission, store_key)

    def _dispatch(
        self,
        tx: Transaction,
        method: str,
        resource: str,
        target: str | None,
        params: dict[str, list[str]],
        body: Any,
        store_key: str | None,
    ) -> Response:
        if resource == "product-projections":
            if method != "GET":
                raise CtApiError(405, "MethodNotAllowed", "Product projections are read-only.")
            return self._projections(tx, target, params)
        if method == "HEAD":
            return self._exists(tx, resource, target, params, store_key)
        if target is None:
            if method == "GET":
                page = run_query(self._visible(tx, resource, store_key), params)
                page["results"] = [expand(doc, params.get("expand") or [], tx) for doc in page["results"]]
                return JSONResponse(page)
            if method == "POST":
                return self._create(tx, resource, body, store_key)
        elif resource == "orders" and target == "import" and method == "POST":
            return self._create(tx, resource, body, store_key, imported=True)
        else:
            document = self._find(tx, resource, target, store_key)
            paths = params.get("expand") or []
            if method == "GET":
                return JSONResponse(expand(document, paths, tx))
            if method == "POST":
                return JSONResponse(expand(apply_update(resource, document, body, tx), paths, tx))
            if method == "DELETE":
                version = (params.get("version") or [""])[-1]
                if not version.isdigit():
                    raise invalid_input("Missing or invalid 'version' query parameter.")
                if int(version) != document["version"]:
                    raise concurrent_modification(document["id"], document["version"], int(version))
                tx.delete(resource, document["id"])
                return JSONResponse(document)
        raise CtApiError(405, "MethodNotAllowed", f"{method} is not allowed here.")

    def _exists(
        self,
        tx: Transaction,
        resource: str,
        target: str | None,
        params: dict[str, list[str]],
        store_key: str | None,
    ) -> Response:
        """``HEAD``: 200 when the record (or a record matching ``where``) exists, else 404 with no body."""
        if target is not None:
            try:
                self._find(tx, resource, target, store_key)
            except CtApiError:
                return Response(status_code=404)
            return Response(status_code=200)
        found = run_query(self._visible(tx, resource, store_key), {**params, "limit": ["1"], "offset": ["0"]})
        return Response(status_code=200 if found["results"] else 404)

    def _visible(self, tx: Transaction, resource: str, store_key: str | None) -> list[dict[str, Any]]:
        found = tx.all(resource)
        if store_key is not None:
            found = [doc for doc in found if (doc.get("store") or {}).get("key") == store_key]
        return found

    def _find(self, tx: Transaction, resource: str, target: str, store_key: str | None) -> dict[str, Any]:
        if target.startswith("key="):
            document = tx.by_key(resource, target[4:])
        elif resource == "orders" and target.startswith("order-number="):
            number = target[len("order-number=") :]
            document = next((o for o in tx.all("orders") if o.get("orderNumber") == number), None)
        else:
            document = tx.get(resource, target)
        if document is None or (
            store_key is not None and (document.get("store") or {}).get("key") != store_key
        ):
            raise not_found(target)
        return document

    def _create(
        self, tx: Transaction, resource: str, body: Any, store_key: str | None, *, imported: bool = False
    ) -> Response:
        if not isinstance(body, dict):
            raise CtApiError(400, "InvalidJsonInput", "Request body does not contain valid JSON.")
        stamp = tx.stamp()
        if resource == "orders":
            if not imported:
                raise CtApiError(
                    400, "InvalidOperation", "Orders are created from carts; use /orders/import."
                )
            if store_key is not None:
                body = {**body, "store": {"typeId": "store", "key": store_key}}
            document = import_order(body, tx)
        elif resource == "payments":
            document = documents.payment(body, tx, stamp)
        else:
            document = documents.BUILDERS[resource](body, tx)
        key = document.get("key")
        if key and tx.by_key(resource, str(key)) is not None:
            raise CtApiError(
                400,
                "DuplicateField",
                f"A duplicate value '\"{key}\"' exists for field 'key'.",
                field="key",
                duplicateValue=key,
            )
        document = {**document, "version": 1, "createdAt": stamp, "lastModifiedAt": stamp}
        tx.put(resource, document)
        answer = {"customer": document} if resource == "customers" else document
        return JSONResponse(answer, status_code=201)

    def _projections(self, tx: Transaction, target: str | None, params: dict[str, list[str]]) -> Response:
        staged = (params.get("staged") or ["false"])[-1] == "true"
        if target is None:
            views = [projection(p, staged) for p in tx.all("products")]
            return JSONResponse(run_query([v for v in views if v is not None], params))
        product = self._find(tx, "products", target, None)
        view = projection(product, staged)
        if view is None:
            raise not_found(target)
        return JSONResponse(view)
