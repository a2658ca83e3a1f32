"""Account governance, latency and injected faults, applied around every request.

NetSuite limits how many web-service requests an account runs at once (5 on a Standard tier, more with
higher tiers and SuiteCloud Plus licences). A request over the limit is not queued: REST answers at once
with HTTP 429 and ``o:errorCode`` ``CONCURRENCY_LIMIT_EXCEEDED``. Oracle documents no ``Retry-After``
for this rejection and none was found in observed responses, so the emulator sends none unless
``concurrency_retry_after`` is set; clients must back off on their own.

Latency is served inside the concurrency slot, so slow requests hold the slot the way real ones do.
Faults (see :mod:`ledgerlink.sandbox.netsuite.faults`) are checked once the slot is taken.
"""

from __future__ import annotations

import asyncio
import random
import threading
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledgerlink.sandbox.netsuite.errors import CONCURRENCY_DETAIL, ERROR_MEDIA_TYPE, NetSuiteError
from ledgerlink.sandbox.netsuite.faults import Fault, LostResponseError

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
    """Counts requests in flight; refuses (never queues) the one over the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


def fault_error(fault: Fault, status: int) -> NetSuiteError:
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
    return NetSuiteError(
        status,
        _FAULT_CODES.get(status, "UNEXPECTED_ERROR"),
        _FAULT_DETAILS.get(status, "An unexpected error occurred."),
        headers=headers,
    )


class GovernanceMiddleware:
    """ASGI middleware: concurrency gate, then faults, then latency, then the emulator itself."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self._random = random.Random(state.settings.rng_seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.state.settings
        gate = self.state.gate
        if not gate.enter():
            headers = None
            if settings.concurrency_retry_after is not None:
                headers = {"Retry-After": f"{settings.concurrency_retry_after:g}"}
            error = NetSuiteError(429, "CONCURRENCY_LIMIT_EXCEEDED", CONCURRENCY_DETAIL, headers=headers)
            await error.response()(scope, receive, send)
            return
        try:
            fault = self.state.faults.take(scope["method"], scope["path"])
            if fault is not None and fault.kind == "status":
                await fault_error(fault, fault.status).response()(scope, receive, send)
                return
            delay = settings.latency_seconds
            if settings.latency_spread_seconds:
                delay += self._random.uniform(0, settings.latency_spread_seconds)
            if delay:
                await asyncio.sleep(delay)
            if fault is not None and fault.kind == "lost_response":
                await self._lose_response(fault, scope, receive, send)
                return
            await self.app(scope, receive, send)
        finally:
            gate.leave()

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
        await fault_error(fault, fault.status).response()(scope, receive, send)
