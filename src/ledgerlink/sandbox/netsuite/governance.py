"""Account governance, latency and injected faults, applied around every request.

NetSuite limits how many web-service requests an account runs at once: the limit follows the service
tier plus 10 per SuiteCloud Plus licence (see :mod:`ledgerlink.sandbox.netsuite.settings`) and counts SOAP,
REST and RESTlet requests together. A request over the limit is not queued: REST answers at once with
HTTP 429 and ``o:errorCode`` ``CONCURRENCY_LIMIT_EXCEEDED``; a RESTlet answers HTTP 400 with the
SuiteScript error ``SSS_REQUEST_LIMIT_EXCEEDED`` in its own body ``{"error": {"code", "message"}}``
(Oracle, "Errors Related to Concurrency Violations"). Oracle documents no ``Retry-After`` for these
rejections and none was found in observed responses, so the emulator sends none unless
``concurrency_retry_after`` is set; clients must back off on their own.

The OAuth 2.0 token endpoint and the sandbox's own ``/__sandbox/`` admin endpoints are outside the gate.

Frequency limits (``requests_per_minute``, ``requests_per_day``): integrators report that NetSuite also
limits requests over 60-second and 24-hour windows (Integration Governance); the rejection's exact form is
not documented publicly, so the emulator answers it like a concurrency rejection (429, or 400
``SSS_REQUEST_LIMIT_EXCEEDED`` on a RESTlet) with the code ``REQUEST_LIMIT_EXCEEDED`` and a
``Retry-After`` saying when the window has room again.

Latency is served inside the concurrency slot, so slow requests hold the slot the way real ones do; the
answer is held back until the request's response time has passed since it was admitted.
Faults (see :mod:`ledgerlink.sandbox.netsuite.faults`) are checked once the slot is taken.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledgerlink.sandbox.netsuite.errors import CONCURRENCY_DETAIL, ERROR_MEDIA_TYPE, NetSuiteError
from ledgerlink.sandbox.netsuite.faults import Fault, LostResponseError
from ledgerlink.sandbox.netsuite.latency import LatencyModel

if TYPE_CHECKING:
    from ledgerlink.sandbox.netsuite.app import SandboxState

_FAULT_CODES = {
    429: "CONCURRENCY_LIMIT_EXCEEDED",
    500: "UNEXPECTED_ERROR",
    502: "SERVICE_UNAVAILABLE",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
_FAULT_DETAILS = {
    429: CONCURRENCY_DETAIL,
    500: "An unexpected error occurred.",
    503: "The service is temporarily unavailable. Try again later.",
    504: "The request timed out before a response was produced.",
}


class ConcurrencyGate:
    """Counts requests in flight; refuses (never queues) the one over the limit.

    ``admitted`` counts every request let in since start, so a test can say what share of the account's
    requests its injected faults hit (faults are drawn only for admitted requests).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0
        self.admitted = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.admitted += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


RESTLET_PATH = "/app/site/hosting/restlet.nl"
ADMIN_PREFIX = "/__sandbox/"
TOKEN_PREFIX = "/services/rest/auth/oauth2/"  # noqa: S105 - a path, not a secret
RESTLET_LIMIT_MESSAGE = "Request Limit Exceeded!"
MAINTENANCE_DETAIL = (
    "The account you are trying to access is currently unavailable while we undergo our scheduled "
    "maintenance. Try again later."
)


def restlet_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """A RESTlet failure as RESTlets answer it: ``{"error": {"code": ..., "message": ...}}``."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _retry_after(seconds: float | None) -> dict[str, str] | None:
    return {"Retry-After": f"{seconds:g}"} if seconds is not None else None


def fault_response(fault: Fault, status: int, path: str) -> Response:
    """The answer a status or maintenance fault gives, shaped for REST or for a RESTlet."""
    headers = _retry_after(fault.retry_after)
    restlet = path.startswith(RESTLET_PATH)
    if fault.kind == "maintenance":
        if restlet:
            return restlet_error(503, "SSS_SERVICE_UNAVAILABLE", MAINTENANCE_DETAIL, headers)
        return NetSuiteError(503, "SERVICE_UNAVAILABLE", MAINTENANCE_DETAIL, headers=headers).response()
    if restlet and status == 429:
        return restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", RESTLET_LIMIT_MESSAGE, headers)
    if restlet:
        code = _FAULT_CODES.get(status, "UNEXPECTED_ERROR")
        detail = _FAULT_DETAILS.get(status, "An unexpected error occurred.")
        return restlet_error(status, code, detail, headers)
    return fault_error(fault, status).response()


def fault_error(fault: Fault, status: int) -> NetSuiteError:
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
    return NetSuiteError(
        status,
        _FAULT_CODES.get(status, "UNEXPECTED_ERROR"),
        _FAULT_DETAILS.get(status, "An unexpected error occurred."),
        headers=headers,
    )


class FrequencyLimiter:
    """Sliding-window request counts over 60 seconds and 24 hours."""

    def __init__(
        self, per_minute: int | None, per_day: int | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.windows = [(60.0, per_minute), (86400.0, per_day)]
        self._seen: deque[float] = deque()
        self._clock = clock
        self._lock = threading.Lock()
        self.rejected = 0

    def admit(self) -> float | None:
        """None when the request may run (and is counted); else seconds until a window has room."""
        with self._lock:
            now = self._clock()
            while self._seen and self._seen[0] <= now - 86400.0:
                self._seen.popleft()
            for span, limit in self.windows:
                if limit is None:
                    continue
                inside = [t for t in self._seen if t > now - span] if span < 86400.0 else list(self._seen)
                if len(inside) >= limit:
                    self.rejected += 1
                    return max(0.0, inside[-limit] + span - now)
            self._seen.append(now)
            return None


class GovernanceMiddleware:
    """ASGI middleware: concurrency gate, then faults, then latency, then the emulator itself.

    With ``integration_concurrency_limit`` set, the sandbox's integration (every credential the sandbox
    knows belongs to it) also has its own gate, as a limit allocated in Integration Governance works.
    """

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self.latency = LatencyModel(state.settings)
        limit = state.settings.integration_concurrency_limit
        self.integration_gate = ConcurrencyGate(limit) if limit is not None else None
        settings = state.settings
        self.frequency: FrequencyLimiter | None = None
        if settings.requests_per_minute is not None or settings.requests_per_day is not None:
            self.frequency = FrequencyLimiter(settings.requests_per_minute, settings.requests_per_day)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        gated = not path.startswith(TOKEN_PREFIX)
        settings = self.state.settings
        gate = self.state.gate
        integration = self.integration_gate if gated else None
        admitted = True
        if gated and self.frequency is not None:
            wait = self.frequency.admit()
            if wait is not None:
                window = {"Retry-After": f"{max(1, round(wait))}"}
                detail = "Request limit exceeded for this time window. Request blocked."
                if path.startswith(RESTLET_PATH):
                    await restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", RESTLET_LIMIT_MESSAGE, window)(
                        scope, receive, send
                    )
                else:
                    error = NetSuiteError(429, "REQUEST_LIMIT_EXCEEDED", detail, headers=window)
                    await error.response()(scope, receive, send)
                return
        if gated:
            if integration is not None and not integration.enter():
                admitted = False  # over the integration's own limit (counted on the integration gate)
            elif not gate.enter():
                if integration is not None:
                    integration.leave()
                admitted = False
        if not admitted:
            headers = _retry_after(settings.concurrency_retry_after)
            rejection: Response
            if path.startswith(RESTLET_PATH):
                rejection = restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", RESTLET_LIMIT_MESSAGE, headers)
            else:
                rejection = NetSuiteError(
                    429, "CONCURRENCY_LIMIT_EXCEEDED", CONCURRENCY_DETAIL, headers=headers
                ).response()
            await rejection(scope, receive, send)
            return
        try:
            fault = self.state.faults.take(scope["method"], path)
            if fault is not None and fault.kind in ("status", "maintenance"):
                await fault_response(fault, fault.status, path)(scope, receive, send)
                return
            if fault is not None and fault.kind == "timeout":
                # Read the request first: a client that gives up must not stop the write from committing.
                receive = await _buffered(receive)
                await asyncio.sleep(fault.delay_seconds)
            delay = self.latency.delay(scope["method"], path)
            if fault is not None and fault.kind == "lost_response":
                await asyncio.sleep(delay)
                await self._lose_response(fault, scope, receive, send)
                return
            # The delay is the account's response time: the emulator's own work counts towards it, as
            # NetSuite's processing is part of NetSuite's response time.
            await self.app(scope, receive, _answer_after(send, time.monotonic() + delay) if delay else send)
        finally:
            if gated:
                gate.leave()
                if integration is not None:
                    integration.leave()

    async def _lose_response(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request to completion (its write commits), then drop or replace the answer."""
        swallowed: list[Message] = []

        async def hold(message: Message) -> None:
            swallowed.append(message)

        await self.app(scope, receive, hold)
        if fault.status == 0:
            # Start a response that never completes: a server then drops the connection mid-answer.
            headers = [(b"content-type", ERROR_MEDIA_TYPE.encode()), (b"content-length", b"1024")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            raise LostResponseError("response dropped after the request was committed")
        await fault_response(fault, fault.status, scope["path"])(scope, receive, send)


def _answer_after(send: Send, due: float) -> Send:
    """``send`` that holds the start of the answer until ``due`` (monotonic seconds)."""

    async def paced(message: Message) -> None:
        if message["type"] == "http.response.start":
            remaining = due - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
        await send(message)

    return paced


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; the returned ``receive`` replays it, then waits as usual."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay
