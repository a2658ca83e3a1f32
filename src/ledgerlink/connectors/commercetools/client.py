"""An async client for the parts of the commercetools project API that Ledgerlink uses.

Every failure leaves as a :class:`ProblemError` (see ``errors.py``). Requests in flight are capped by
the connection's ``concurrency``; writes are refused locally when the connection has
``allow_writes: false``. Reads that meet 429/502/503/504 are retried a few times with backoff before
the problem is raised (commercetools asks clients to retry those); writes are not, because a write the
server did apply would then be applied twice. A 409 ConcurrentModification on :meth:`update` is
answered by reading the record again and applying the actions to the new version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ledgerlink.config import CommercetoolsConnection
from ledgerlink.connectors.commercetools.auth import TokenSource
from ledgerlink.connectors.commercetools.errors import (
    RETRYABLE_STATUSES,
    bad_body,
    is_invalid_token,
    parse_json,
    problem_for_response,
    problem_for_transport,
)
from ledgerlink.connectors.commercetools.query import (
    MAX_LIMIT,
    MAX_OFFSET,
    WALK_SORT,
    Cursor,
    combine,
    literal,
)
from ledgerlink.connectors.gate import Gate, through
from ledgerlink.connectors.http_answers import retry_after_seconds
from ledgerlink.connectors.store_http import refuse_writes_unless_allowed, store_http_client
from ledgerlink.engine.problems import Code, ProblemError, Team, permanent

# Resources whose reads and writes go through the store when the connection names one.
STORE_SCOPED = frozenset({"orders"})
Actions = Sequence[dict[str, Any]] | Callable[[dict[str, Any]], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class QueryPage:
    results: list[dict[str, Any]]
    limit: int
    offset: int
    count: int
    total: int | None  # absent with withTotal=false


class CommercetoolsClient:
    """One project, one pooled ``httpx.AsyncClient`` shared with the token source; close with aclose."""

    def __init__(
        self,
        connection: CommercetoolsConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        retry_delays: Sequence[float] = (0.5, 1.0, 2.0),
        update_attempts: int = 5,
        gate: Gate | None = None,
    ) -> None:
        self.connection = connection
        self.gate = gate
        self._in_flight = asyncio.Semaphore(connection.concurrency)
        self._retry_delays = tuple(retry_delays)
        self._update_attempts = update_attempts
        self._http = store_http_client(connection, transport=transport)
        self.tokens = TokenSource(connection, self._http, clock=clock)
        self._base = f"{connection.api_url}/{connection.project_key}"

    def __repr__(self) -> str:
        return f"CommercetoolsClient({self.connection.api_url!r}, project={self.connection.project_key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    def resource_path(self, resource: str) -> str:
        """``/orders`` or, with a store key, ``/in-store/key={store}/orders`` (project-relative)."""
        if resource in STORE_SCOPED and self.connection.store_key:
            return f"/in-store/key={self.connection.store_key}/{resource}"
        return f"/{resource}"

    async def may_view(self, resource: str) -> bool:
        """Whether the token's scopes let it read ``resource`` (``payments``, ``discount_codes``...) in
        this project: ``view_x``, ``manage_x`` or ``manage_project``. Reference expansion is asked for
        only then, so that a narrowly scoped API client is never refused for a detail."""
        await through(self.gate, self.tokens.token)
        project = self.connection.project_key
        allowed = {f"view_{resource}:{project}", f"manage_{resource}:{project}", f"manage_project:{project}"}
        return any(scope in allowed for scope in self.tokens.scopes)

    # -- transport ------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one request to the project API (``path`` relative to the project) through the gate, with
        its token and the retries of reads; answer the 2xx response."""
        refuse_writes_unless_allowed(self.connection, method, path, system="commercetools project")
        return await through(self.gate, lambda: self._request(method, path, params, json))

    async def _request(
        self, method: str, path: str, params: list[tuple[str, str]] | None, json: Any
    ) -> httpx.Response:
        delays = iter(self._retry_delays if method in ("GET", "HEAD") else ())
        refreshed = False
        while True:
            token = await self.tokens.token()
            response = await self._send(method, path, token, params, json)
            if response.status_code == 401 and not refreshed and is_invalid_token(response):
                refreshed = True
                await self.tokens.refresh(token)
                continue
            if response.status_code in RETRYABLE_STATUSES:
                delay = next(delays, None)
                if delay is not None:
                    await asyncio.sleep(_retry_after(response, delay))
                    continue
            if not response.is_success:
                raise problem_for_response(response, scopes=self.tokens.scopes)
            return response

    async def _send(
        self, method: str, path: str, token: str, params: list[tuple[str, str]] | None, json: Any
    ) -> httpx.Response:
        url = self._base + path
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with self._in_flight:
                query = httpx.QueryParams(tuple(params or ()))
                return await self._http.request(method, url, params=query, json=json, headers=headers)
        except httpx.TransportError as error:
            raise problem_for_transport(error, method, httpx.URL(url).path) from error

    async def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.request(method, path, **kwargs)
        body = parse_json(response)
        if not isinstance(body, dict):
            raise bad_body(response, "a JSON object")
        return body

    # -- generic resources ----------------------------------------------------------------------------

    async def query(
        self,
        resource: str,
        *,
        where: str | Sequence[str] | None = None,
        sort: Sequence[str] = (),
        limit: int = 20,
        offset: int = 0,
        with_total: bool = False,
        expand: Sequence[str] = (),
    ) -> QueryPage:
        """One page of a query endpoint. Several ``where`` predicates are combined with ``and``."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}; commercetools refuses larger pages")
        if not 0 <= offset <= MAX_OFFSET:
            raise ValueError(f"offset must be 0..{MAX_OFFSET}; walk with a cursor instead")
        params: list[tuple[str, str]] = [
            ("limit", str(limit)),
            ("offset", str(offset)),
            ("withTotal", "true" if with_total else "false"),
        ]
        predicates = [where] if isinstance(where, str) else list(where or ())
        params += [("where", p) for p in predicates]
        params += [("sort", s) for s in sort]
        params += [("expand", e) for e in expand]
        response = await self.request("GET", self.resource_path(resource), params=params)
        body = parse_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise bad_body(response, "a paged query response with results")
        results = [item for item in body["results"] if isinstance(item, dict)]
        total = body.get("total")
        return QueryPage(
            results,
            int(body.get("limit", limit)),
            int(body.get("offset", offset)),
            int(body.get("count", len(results))),
            int(total) if isinstance(total, int) else None,
        )

    async def walk(
        self, resource: str, *, where: str | None = None, limit: int = MAX_LIMIT, expand: Sequence[str] = ()
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every record matching ``where``, in pages sorted by (lastModifiedAt, id), with a keyset cursor.

        A record modified while the walk runs gets a later lastModifiedAt and is met again further on,
        so records may repeat but none is skipped. The walk ends on a short page.
        """
        cursor: Cursor | None = None
        while True:
            page = await self.query(
                resource,
                where=combine(where, cursor.predicate() if cursor else None),
                sort=WALK_SORT,
                limit=limit,
                expand=expand,
            )
            if page.results:
                yield page.results
            if len(page.results) < limit:
                return
            last = max(page.results, key=lambda r: (str(r.get("lastModifiedAt")), str(r.get("id"))))
            following = Cursor(str(last.get("lastModifiedAt")), str(last.get("id")))
            if cursor is not None and (following.last_modified_at, following.id) <= (
                cursor.last_modified_at,
                cursor.id,
            ):
                # The answer ignored the cursor predicate: walking on would read the same page forever.
                raise permanent(
                    Code.BAD_RESPONSE,
                    f"commercetools did not page {resource}",
                    f"a page after {cursor.last_modified_at} / {cursor.id} held nothing later than that",
                    "check api_url: something other than the commercetools API may be answering",
                    team=Team.INTEGRATION,
                    resource=resource,
                )
            cursor = following

    async def get(self, resource: str, record_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any]:
        params = [("expand", e) for e in expand] or None
        path = f"{self.resource_path(resource)}/{_segment(record_id)}"
        return await self._object("GET", path, params=params)

    async def get_by_key(self, resource: str, key: str) -> dict[str, Any]:
        return await self._object("GET", f"{self.resource_path(resource)}/key={_segment(key)}")

    async def create(self, resource: str, draft: dict[str, Any]) -> dict[str, Any]:
        return await self._object("POST", self.resource_path(resource), json=draft)

    async def update(
        self, resource: str, record_id: str, version: int | None, actions: Actions
    ) -> dict[str, Any]:
        """Apply update actions with optimistic concurrency.

        ``actions`` is a list, or a function of the current record giving the list (so that an action
        can depend on what the record holds; an empty list means nothing to do). When commercetools
        answers 409 ConcurrentModification the record is read again and the actions applied to the
        version read, a bounded number of times. ``version`` None reads the record first.
        """
        path = f"{self.resource_path(resource)}/{_segment(record_id)}"
        for attempt in range(1, self._update_attempts + 1):
            current: dict[str, Any] | None = None
            if version is None or callable(actions):
                current = await self._object("GET", path)
                version = int(current["version"])
            planned = list(actions(current or {}) if callable(actions) else actions)
            if not planned:
                return current if current is not None else await self._object("GET", path)
            try:
                return await self._object("POST", path, json={"version": version, "actions": planned})
            except ProblemError as conflict:
                if attempt == self._update_attempts or not _is_version_conflict(conflict):
                    raise
                version = None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- named resources ------------------------------------------------------------------------------

    async def project(self) -> dict[str, Any]:
        """The project's settings: its currencies, countries and languages (``view_project_settings``)."""
        return await self._object("GET", "")

    async def get_order(self, order_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any]:
        return await self.get("orders", order_id, expand=expand)

    async def get_order_by_number(self, number: str) -> dict[str, Any]:
        """The order with ``orderNumber`` (what shoppers and NetSuite's ``otherRefNum`` show)."""
        return await self._object("GET", f"{self.resource_path('orders')}/order-number={_segment(number)}")

    async def get_customer(self, customer_id: str) -> dict[str, Any]:
        return await self.get("customers", customer_id)

    async def get_product_projection(self, product_id: str, *, staged: bool = False) -> dict[str, Any]:
        params = [("staged", "true" if staged else "false")]
        return await self._object("GET", f"/product-projections/{_segment(product_id)}", params=params)

    async def find_product_projections_by_sku(
        self, sku: str, *, staged: bool = False
    ) -> list[dict[str, Any]]:
        """Product projections whose master or any other variant has ``sku``."""
        lit = literal(sku)
        where = f"masterVariant(sku = {lit}) or variants(sku = {lit})"
        response = await self.request(
            "GET",
            "/product-projections",
            params=[("where", where), ("staged", "true" if staged else "false"), ("withTotal", "false")],
        )
        body = parse_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise bad_body(response, "a paged query response with results")
        return [item for item in body["results"] if isinstance(item, dict)]

    async def find_inventory(self, sku: str, channel_id: str | None) -> list[dict[str, Any]]:
        """Inventory entries for ``sku`` in the supply channel (None: the entry without a channel)."""
        channel = (
            f"supplyChannel(id = {literal(channel_id)})" if channel_id else "supplyChannel is not defined"
        )
        page = await self.query("inventory", where=f"sku = {literal(sku)} and {channel}", limit=MAX_LIMIT)
        return page.results

    async def get_payment(self, payment_id: str) -> dict[str, Any]:
        return await self.get("payments", payment_id)

    async def get_channel_by_key(self, key: str) -> dict[str, Any]:
        return await self.get_by_key("channels", key)

    async def get_store_by_key(self, key: str) -> dict[str, Any]:
        return await self.get_by_key("stores", key)


def _is_version_conflict(error: ProblemError) -> bool:
    details = error.problem.details
    return details.get("status") == 409 and "ConcurrentModification" in details.get("codes", [])


def _segment(value: str) -> str:
    text = str(value)
    if not text or "/" in text or "?" in text or "#" in text:
        raise permanent(
            Code.RECORD_NOT_FOUND,
            "no such commercetools record",
            f"{value!r} is not a commercetools id or key",
            "check where the id came from",
        )
    return text


def _retry_after(response: httpx.Response, default: float) -> float:
    seconds = retry_after_seconds(response.headers.get("retry-after"))
    return default if seconds is None else min(seconds, 30.0)
