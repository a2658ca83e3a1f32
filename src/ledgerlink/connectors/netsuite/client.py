"""The NetSuite REST client: record CRUD, upsert by external id, SuiteQL, RESTlets and asynchronous jobs.

Authentication follows the connection's ``auth``: token-based authentication (every request signed with
OAuth 1.0a HMAC-SHA256, :mod:`.auth`) or OAuth 2.0 client credentials (a bearer token fetched with a
signed JWT and renewed before it expires, :mod:`.oauth2`).

Every failure leaves as a :class:`~ledgerlink.engine.problems.ProblemError` (see ``errors.py``).

Retries. The engine retries failed jobs with backoff, so this client retries one thing only: answers that
NetSuite turned the request away for concurrency or rate (HTTP 429, or 400 with
``CONCURRENCY_LIMIT_EXCEEDED`` and kin). Such a rejection means nothing was done, so even a create can be
sent again; the client waits a little (honouring ``Retry-After``, capped, with jitter) a few times before
handing the RATE_LIMITED problem to the engine. It never repeats a request after a timeout or a broken
connection: a create that timed out may have been committed, and a blind second POST would make a
duplicate. The engine's retry writes by external id (upsert), which cannot duplicate.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import structlog

from ledgerlink import __version__
from ledgerlink.config import NetSuiteConnection
from ledgerlink.connectors.gate import Gate, through
from ledgerlink.connectors.netsuite.auth import TokenAuth
from ledgerlink.connectors.netsuite.errors import (
    RequestInfo,
    bad_response,
    problem_from_response,
    problem_from_transport_error,
)
from ledgerlink.connectors.netsuite.governor import Governor, Outcome, SemaphoreGovernor
from ledgerlink.connectors.netsuite.oauth2 import ClientCredentialsAuth
from ledgerlink.connectors.netsuite.suiteql import (
    INTERNAL_ID,
    LAST_MODIFIED,
    MAX_OFFSET_ROWS,
    MAX_PAGE_SIZE,
    KeyColumn,
    SuiteQLPage,
    key_column,
    keyset_query,
    parse_page,
    suiteql_literal,
)
from ledgerlink.engine.problems import Code, ProblemError, Team, permanent

__all__ = ["NetSuiteClient", "RateLimitRetry", "SuiteQLPage", "suiteql_literal"]

log = structlog.get_logger("ledgerlink.netsuite")

RECORD_ROOT = "/services/rest/record/v1"
ASYNC_ROOT = "/services/rest/async/v1/job"
RESTLET_PATH = "/app/site/hosting/restlet.nl"
IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
JSON_TYPE = "application/json"
# Unknown field names fail the write instead of being dropped with a warning nobody reads.
WRITE_HEADERS = {"Content-Type": JSON_TYPE, "X-NetSuite-PropertyNameValidation": "Error"}
# Prefer: transient asks NetSuite not to keep the SuiteQL result set around.
SUITEQL_HEADERS = {"Content-Type": JSON_TYPE, "Prefer": "transient"}
_RECORD_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class RateLimitRetry:
    """How the client waits out rate-limit rejections before leaving them to the engine."""

    attempts: int = 3
    base_seconds: float = 1.0
    cap_seconds: float = 15.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before retry ``attempt`` (1-based), or None to give up.

        A ``Retry-After`` longer than the cap is not waited out here: the job goes back to the engine,
        which parks it without holding a worker. Shorter ones are a floor, with jitter on top so that
        requests turned away together do not return together.
        """
        if attempt > self.attempts or (retry_after is not None and retry_after > self.cap_seconds):
            return None
        step = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        delay = step / 2 + rng.uniform(0, step / 2)
        if retry_after is not None:
            delay = max(delay, retry_after + rng.uniform(0, step / 2))
        return min(delay, self.cap_seconds)


class NetSuiteClient:
    """One NetSuite account over REST web services.

    ``max_in_flight`` (default: the connection's ``concurrency``) bounds the requests in flight from this
    client through ``governor`` (default: a per-process semaphore). One pooled HTTP connection pool serves
    all calls; use the client as an async context manager or call :meth:`aclose`. With a ``gate``
    (:mod:`ledgerlink.connectors.gate`), no request is sent while the connection has an open incident.
    """

    def __init__(
        self,
        connection: NetSuiteConnection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_in_flight: int | None = None,
        clock: Callable[[], float] = time.time,
        governor: Governor | None = None,
        retry: RateLimitRetry | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: random.Random | None = None,
        gate: Gate | None = None,
    ) -> None:
        limit = max_in_flight or connection.concurrency
        self.connection = connection
        self.gate = gate
        self.governor: Governor = governor or SemaphoreGovernor(limit)
        self.retry = retry or RateLimitRetry()
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = httpx.AsyncClient(
            base_url=connection.url,
            auth=make_auth(connection, clock),
            transport=transport,
            timeout=httpx.Timeout(connection.timeout_seconds),
            limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            headers={"User-Agent": f"ledgerlink/{__version__}"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"NetSuiteClient(account={self.connection.account!r}, url={self.connection.url!r})"

    async def __aenter__(self) -> NetSuiteClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- records ---------------------------------------------------------------------------------------

    async def create(self, record_type: str, body: dict[str, Any]) -> str:
        """POST a new record; NetSuite answers 204 with ``Location`` naming it. Returns its internal id."""
        info = RequestInfo("POST", record_path(record_type), record_type, body=body)
        self._require_writes(info)
        response = await self._send(info, body=body, headers=WRITE_HEADERS)
        record_id = _record_id_from(response)
        if record_id is None:
            raise bad_response(info, response, _location_complaint(response))
        return record_id

    async def get(
        self, record_type: str, record_id: str, *, expand: bool = False, fields: list[str] | None = None
    ) -> dict[str, Any]:
        """One record by internal id or ``eid:<external id>``; ``expand`` inlines sublists and subrecords."""
        params: dict[str, str] = {}
        if expand:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        info = RequestInfo("GET", record_path(record_type, record_id), record_type, record_id)
        response = await self._send(info, params=params)
        record = _json_body(response, info)
        if not isinstance(record, dict):
            raise bad_response(info, response, "NetSuite's answer is not a JSON object")
        return record

    async def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        """The record with this external id, or None when NetSuite has none (404 NONEXISTENT_ID)."""
        try:
            return await self.get(record_type, f"eid:{external_id}")
        except ProblemError as error:
            if error.problem.code == Code.RECORD_NOT_FOUND:
                return None
            raise

    async def update(
        self, record_type: str, record_id: str, body: dict[str, Any], *, replace: list[str] | None = None
    ) -> None:
        """PATCH the given fields. Sublist lines merge unless the sublist is named in ``replace``."""
        info = RequestInfo("PATCH", record_path(record_type, record_id), record_type, record_id, body)
        self._require_writes(info)
        await self._send(info, params=_replace_params(replace), body=body, headers=WRITE_HEADERS)

    async def upsert(
        self, record_type: str, external_id: str, body: dict[str, Any], *, replace: list[str] | None = None
    ) -> str:
        """PUT ``/{type}/eid:{external_id}``: create the record or update the one with that external id.

        Safe to repeat, which is why the engine's retries go through it. Returns the internal id from
        ``Location``; when NetSuite's answer names the record only by external id, reads the id back.
        """
        record_id = f"eid:{external_id}"
        info = RequestInfo("PUT", record_path(record_type, record_id), record_type, record_id, body)
        self._require_writes(info)
        response = await self._send(info, params=_replace_params(replace), body=body, headers=WRITE_HEADERS)
        internal_id = _record_id_from(response)
        if internal_id is not None:
            return internal_id
        record = await self.get(record_type, record_id)
        if record.get("id") in (None, ""):
            raise bad_response(info, response, "NetSuite named no internal id for the upserted record")
        return str(record["id"])

    async def delete(self, record_type: str, record_id: str) -> None:
        """DELETE one record by internal id or ``eid:<external id>``."""
        info = RequestInfo("DELETE", record_path(record_type, record_id), record_type, record_id)
        self._require_writes(info)
        await self._send(info)

    async def transform(
        self, from_type: str, record_id: str, to_type: str, body: dict[str, Any] | None = None
    ) -> str:
        """``POST /{from_type}/{id}/!transform/{to_type}`` (fulfil or bill a sales order, receive a return,
        ...); NetSuite answers 204 with ``Location`` naming the new record. Returns its internal id."""
        path = f"{record_path(from_type, record_id)}/!transform/{record_path(to_type).rsplit('/', 1)[-1]}"
        payload = body or {}
        info = RequestInfo("POST", path, to_type, record_id, payload)
        self._require_writes(info)
        response = await self._send(info, body=payload, headers=WRITE_HEADERS)
        new_id = _record_id_from(response)
        if new_id is None:
            raise bad_response(
                info, response, "NetSuite named no new record in the transform's Location header"
            )
        return new_id

    async def record_schema(self, record_type: str) -> dict[str, Any]:
        """``GET /record/v1/metadata-catalog/{type}`` as JSON Schema: the fields the account offers."""
        record_path(record_type)  # refuses names that are not record types
        info = RequestInfo("GET", f"{RECORD_ROOT}/metadata-catalog/{record_type}", record_type)
        response = await self._send(info, headers={"Accept": "application/schema+json"})
        document = _json_body(response, info)
        if not isinstance(document, dict):
            raise bad_response(info, response, "NetSuite's metadata answer is not a JSON object")
        return document

    # -- SuiteQL ---------------------------------------------------------------------------------------

    async def suiteql_page(self, query: str, *, limit: int = MAX_PAGE_SIZE, offset: int = 0) -> SuiteQLPage:
        """One page of a SuiteQL query. ``limit`` is 1..1000 and ``offset`` a multiple of it, below 100,000.

        Put values into ``query`` only through :func:`suiteql_literal`: SuiteQL has no bind parameters.
        """
        info = RequestInfo("POST", SUITEQL_PATH, query=query)
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0 or offset % limit:
            raise _caller_error(info, f"limit must be 1..{MAX_PAGE_SIZE} and offset a multiple of it")
        if offset >= MAX_OFFSET_ROWS:
            raise _caller_error(info, "SuiteQL returns no rows past offset 100,000; page with suiteql_keyset")
        params = {"limit": str(limit), "offset": str(offset)}
        response = await self._send(info, params=params, body={"q": query}, headers=SUITEQL_HEADERS)
        try:
            return parse_page(_json_body(response, info))
        except ValueError as error:
            raise bad_response(info, response, str(error)) from None

    async def suiteql(self, query: str, *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        """Every row, paging by offset while ``hasMore``. For results under 100,000 rows.

        Offsets only page reliably over a query with a unique ORDER BY (e.g. ``ORDER BY id``), and rows
        changing during the read can be skipped or repeated; for delta reads use :meth:`suiteql_keyset`.
        """
        offset = 0
        while True:
            page = await self.suiteql_page(query, limit=page_size, offset=offset)
            for row in page.items:
                yield row
            if not page.has_more:
                return
            if not page.items:
                raise _inconsistent(query, "NetSuite said hasMore on an empty page")
            offset += page_size
            if offset >= MAX_OFFSET_ROWS:
                info = RequestInfo("POST", SUITEQL_PATH, query=query)
                raise _caller_error(info, "the query has more than 100,000 rows; page it with suiteql_keyset")

    async def suiteql_keyset(
        self,
        select_from_where: str,
        *,
        key_columns: Sequence[KeyColumn | str] = (LAST_MODIFIED, INTERNAL_ID),
        page_size: int = MAX_PAGE_SIZE,
        after: Sequence[Any] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every row of ``SELECT ... FROM ... [WHERE ...]``, paged by key instead of offset.

        Each page asks for ``WHERE (<caller's condition>) AND (k > :last OR (k = :last AND id > :lastid))
        ORDER BY k, id`` at offset 0, so there is no 100,000-row ceiling and rows modified during the read
        are not skipped. The query must select every key's ``field`` (``KeyColumn.projection`` gives the
        select expression; ``lastmodifieddate`` as ``TO_CHAR(..., 'YYYY-MM-DD HH24:MI:SS')``) and must not
        order, group or limit itself. ``after`` resumes after a stored key position.
        """
        keys = [key_column(spec) for spec in key_columns]
        last: list[Any] | None = list(after) if after is not None else None
        while True:
            try:
                query = keyset_query(select_from_where, keys, last)
            except ValueError as error:
                raise _caller_error(
                    RequestInfo("POST", SUITEQL_PATH, query=select_from_where), str(error)
                ) from None
            page = await self.suiteql_page(query, limit=page_size, offset=0)
            for row in page.items:
                yield row
            if not page.has_more:
                return
            if not page.items:
                raise _inconsistent(query, "NetSuite said hasMore on an empty page")
            missing = [key.projection for key in keys if key.field not in page.items[-1]]
            if missing:
                raise _caller_error(
                    RequestInfo("POST", SUITEQL_PATH, query=query),
                    f"the rows lack keyset columns; add to the SELECT list: {', '.join(missing)}",
                )
            position = [page.items[-1][key.field] for key in keys]
            if position == last:
                raise _inconsistent(query, "a full page of rows did not move past the last key")
            last = position

    # -- plumbing --------------------------------------------------------------------------------------

    # -- RESTlets --------------------------------------------------------------------------------------

    async def call_restlet(
        self,
        script: int | str,
        deploy: int | str,
        method: str = "GET",
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Call a RESTlet (``/app/site/hosting/restlet.nl?script=..&deploy=..``) and return its JSON answer.

        RESTlets live on the account's ``restlets.api.netsuite.com`` host (or the connection's
        ``restlet_url``). A RESTlet over the account's concurrency limit answers 400
        ``SSS_REQUEST_LIMIT_EXCEEDED``, which is retried like every rate-limit rejection. A RESTlet's
        own writes are not idempotent: the client never repeats a call that may have run.
        """
        method = method.upper()
        if method not in ("GET", "POST", "PUT", "DELETE"):
            raise _caller_error(RequestInfo(method, RESTLET_PATH), "RESTlets take GET, POST, PUT or DELETE")
        info = RequestInfo(method, RESTLET_PATH, record_type=f"RESTlet script={script} deploy={deploy}")
        if method != "GET":
            self._require_writes(info)
        query = {"script": str(script), "deploy": str(deploy), **(params or {})}
        response = await self._send(
            info,
            url=f"{self.connection.restlet_base}{RESTLET_PATH}",
            params=query,
            body=body,
            headers={"Content-Type": JSON_TYPE, "Accept": JSON_TYPE},
        )
        if not response.content:
            return None
        return _json_body(response, info)

    # -- asynchronous requests and batches ---------------------------------------------------------------

    async def submit_async(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        content_type: str = JSON_TYPE,
        idempotency_key: str | None = None,
        record_type: str | None = None,
    ) -> str:
        """Send a request with ``Prefer: respond-async``; returns the job id from ``Location``.

        With ``idempotency_key`` (a UUID) a repeated submission is refused by NetSuite with 400
        ``IDEMPOTENCY_ERROR`` and the first job's ``Location``: that job's id is returned, so a
        submission whose answer was lost can be sent again without running twice.
        """
        info = RequestInfo(method.upper(), path, record_type)
        if info.method != "GET":
            self._require_writes(info)
        headers = {"Prefer": "respond-async", "Content-Type": content_type}
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        response = await self._send(
            info, params=params, body=body, headers=headers, allow=_is_idempotency_replay
        )
        job_id = _job_id_from(response)
        if job_id is None:
            raise bad_response(info, response, "NetSuite named no asynchronous job in Location")
        if response.status_code == 400:
            log.info("netsuite.async_replayed", path=path, job=job_id)
        return job_id

    async def async_job(self, job_id: str) -> dict[str, Any]:
        """``GET /async/v1/job/{id}``: ``completed``, ``progress`` (pending, succeeded, failed)..."""
        return await self._get_json(f"{ASYNC_ROOT}/{quote(job_id, safe='')}")

    async def async_task_ids(self, job_id: str) -> list[str]:
        """The ids of a job's tasks (one per record of a batch)."""
        listing = await self._get_json(f"{ASYNC_ROOT}/{quote(job_id, safe='')}/task")
        items = listing.get("items") or []
        return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]

    async def async_task(self, job_id: str, task_id: str) -> dict[str, Any]:
        return await self._get_json(f"{ASYNC_ROOT}/{quote(job_id, safe='')}/task/{quote(task_id, safe='')}")

    async def async_task_result(self, job_id: str, task_id: str) -> httpx.Response:
        """The task's result as NetSuite answers it, success or failure, without raising for the latter."""
        path = f"{ASYNC_ROOT}/{quote(job_id, safe='')}/task/{quote(task_id, safe='')}/result"
        info = RequestInfo("GET", path)
        return await self._send(info, allow=lambda response: response.status_code < 500)

    async def governance_limits(self) -> dict[str, Any]:
        """``GET /services/rest/system/v1/governanceLimits``: the account's concurrency limit, the
        unallocated limit and this integration's limit type (answered to administrators only)."""
        return await self._get_json("/services/rest/system/v1/governanceLimits")

    async def _get_json(self, path: str) -> dict[str, Any]:
        info = RequestInfo("GET", path)
        response = await self._send(info)
        document = _json_body(response, info)
        if not isinstance(document, dict):
            raise bad_response(info, response, "NetSuite's answer is not a JSON object")
        return document

    def _require_writes(self, info: RequestInfo) -> None:
        """The connection's ``allow_writes: false`` (a copied database, a dry run) stops every write here."""
        if not self.connection.allow_writes:
            raise permanent(
                Code.CONFIG_INVALID,
                f"the {info.action} was not sent: writes to NetSuite are switched off",
                f"the connection for account {self.connection.account} has allow_writes: false",
                "Set allow_writes: true on the connection once this installation should write to NetSuite.",
                team=Team.INTEGRATION,
                **info.describe(),
            )

    async def probe(self) -> None:
        """The cheapest authenticated request: one row of SuiteQL. It answers only when the account is
        reachable, out of maintenance and accepts the credentials, which is what an incident waits for."""
        await self.suiteql_page("SELECT id FROM currency", limit=1)

    async def _send(
        self,
        info: RequestInfo,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        url: str | None = None,
        allow: Callable[[httpx.Response], bool] | None = None,
    ) -> httpx.Response:
        """One call through the gate (refused at once, sending nothing, while the connection is
        paused), holding a governor slot only while the request is in flight.

        ``url`` replaces the path for hosts other than the REST host (RESTlets); ``allow`` returns
        answers it accepts (e.g. a task's failed result) instead of raising their Problem.

        Retries only rate-limit rejections (see the module docstring); each attempt is signed afresh.
        """
        content = _encode(body, info) if body is not None else None

        async def exchange() -> httpx.Response:
            attempt = 0
            while True:
                async with self.governor.slot():
                    started = time.monotonic()
                    try:
                        response = await self._http.request(
                            info.method, url or info.path, params=params, content=content, headers=headers
                        )
                    except httpx.RequestError as failure:
                        log.warning(
                            "netsuite.request_failed",
                            method=info.method,
                            path=info.path,
                            error=type(failure).__name__,
                        )
                        raise problem_from_transport_error(failure, info) from None
                elapsed_ms = round((time.monotonic() - started) * 1000)
                log.debug(
                    "netsuite.request",
                    method=info.method,
                    path=info.path,
                    status=response.status_code,
                    elapsed_ms=elapsed_ms,
                    attempt=attempt + 1,
                )
                if response.is_success or (allow is not None and allow(response)):
                    self.governor.report(Outcome.OK)
                    return response
                error = problem_from_response(response, info, now=self._clock(), auth=self.connection.auth)
                if error.problem.code != Code.RATE_LIMITED:
                    self.governor.report(Outcome.OK)
                    raise error
                self.governor.report(Outcome.RATE_LIMITED, error.problem.retry_after)
                attempt += 1
                delay = self.retry.delay(attempt, error.problem.retry_after, self._rng)
                if delay is None:
                    problem = replace(error.problem, details={**error.problem.details, "attempts": attempt})
                    raise ProblemError(problem)
                log.info(
                    "netsuite.rate_limited",
                    method=info.method,
                    path=info.path,
                    attempt=attempt,
                    wait_seconds=round(delay, 2),
                )
                await self._sleep(delay)

        return await through(self.gate, exchange)


def make_auth(connection: NetSuiteConnection, clock: Callable[[], float] = time.time) -> httpx.Auth:
    """The httpx auth for the connection's ``auth``: TBA signing or OAuth 2.0 client credentials."""
    if connection.auth == "oauth2":
        return ClientCredentialsAuth(connection, clock=clock)
    return TokenAuth(connection, clock=clock)


def _is_idempotency_replay(response: httpx.Response) -> bool:
    """NetSuite's answer to a repeated idempotency key: 400 IDEMPOTENCY_ERROR naming the earlier job."""
    if response.status_code != 400 or not response.headers.get("Location"):
        return False
    return b"IDEMPOTENCY_ERROR" in response.content


def _job_id_from(response: httpx.Response) -> str | None:
    location = response.headers.get("Location")
    if not location or "/async/v1/job/" not in location:
        return None
    job_id = unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])
    return job_id or None


def record_path(record_type: str, record_id: str | None = None) -> str:
    """``/services/rest/record/v1/{type}[/{id}]``; ids may be internal or ``eid:<external id>``."""
    if not record_type or record_type[0].isdigit() or not set(record_type) <= _RECORD_TYPE_CHARS:
        raise _caller_error(RequestInfo("GET", RECORD_ROOT), f"{record_type!r} is not a NetSuite record type")
    path = f"{RECORD_ROOT}/{record_type}"
    if record_id is None:
        return path
    external = record_id.startswith("eid:")
    value = record_id.removeprefix("eid:")
    if not value:
        raise _caller_error(RequestInfo("GET", path), "an empty record id or external id")
    return f"{path}/{'eid:' if external else ''}{quote(value, safe='')}"


def _replace_params(replace: list[str] | None) -> dict[str, str] | None:
    return {"replace": ",".join(replace)} if replace else None


def _record_id_from(response: httpx.Response) -> str | None:
    """The internal id at the end of ``Location``; None when absent or naming an external id."""
    if response.status_code == 202:
        return None  # an asynchronous job, which this client never asks for
    location = response.headers.get("Location")
    if not location:
        return None
    segment = unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])
    if not segment or segment.startswith("eid:") or "/record/v1/" not in location:
        return None
    return segment


def _location_complaint(response: httpx.Response) -> str:
    location = response.headers.get("Location")
    if response.status_code == 202:
        return "NetSuite answered 202 Accepted (an asynchronous job) to a synchronous create"
    if not location:
        return (
            f"NetSuite answered HTTP {response.status_code} without a Location header naming the new record"
        )
    return f"NetSuite's Location header {location!r} does not end in a record's internal id"


def _json_body(response: httpx.Response, info: RequestInfo) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise bad_response(info, response, "NetSuite's answer is not JSON") from None


def _encode(body: Any, info: RequestInfo) -> bytes:
    """JSON for NetSuite; Decimal amounts go as numbers, dates as ISO 8601."""

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} cannot be sent to NetSuite as JSON")

    try:
        return json.dumps(body, default=default, allow_nan=False, ensure_ascii=False).encode()
    except (TypeError, ValueError) as error:
        raise _caller_error(info, f"the body cannot be sent as JSON: {error}") from None


def _caller_error(info: RequestInfo, why: str) -> ProblemError:
    """A request this client refuses to send because it could not succeed."""
    return permanent(
        Code.VALIDATION_FAILED,
        f"the {info.action} was not sent to NetSuite",
        why,
        "Correct the code or configuration that builds this request.",
        team=Team.INTEGRATION,
        **info.describe(),
    )


def _inconsistent(query: str, why: str) -> ProblemError:
    info = RequestInfo("POST", SUITEQL_PATH, query=query)
    return permanent(
        Code.BAD_RESPONSE,
        "NetSuite's SuiteQL pages do not add up",
        why,
        "Make the query's ORDER BY unique (end it with id); if it is, report the details to the "
        "integration team.",
        team=Team.INTEGRATION,
        **info.describe(),
    )
