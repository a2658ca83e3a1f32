"""How many NetSuite requests may be in flight at once.

NetSuite counts concurrent requests per account (SOAP, REST and RESTlets together) and turns away the
excess. Every request of the client passes through ``async with governor.slot():`` and reports how it
went, so that a governor shared through the database (all workers, all processes) can replace the
per-process :class:`SemaphoreGovernor` without the client changing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    OK = "ok"  # NetSuite processed the request (successfully or not)
    RATE_LIMITED = "rate_limited"  # NetSuite turned it away for concurrency or request rate


class Governor(Protocol):
    def slot(self) -> AbstractAsyncContextManager[None]:
        """Held for exactly the duration of one HTTP request."""
        ...

    def report(self, outcome: Outcome, retry_after: float | None = None) -> None:
        """Feedback after each answer, so an adaptive governor can shrink or grow its limit."""
        ...


class SemaphoreGovernor:
    """At most ``limit`` requests in flight from this process; counts rejections for observability."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a governor needs a limit of at least 1")
        self.limit = limit
        self.in_flight = 0
        self.rate_limited = 0
        self.last_retry_after: float | None = None
        self._semaphore = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        async with self._semaphore:
            self.in_flight += 1
            try:
                yield
            finally:
                self.in_flight -= 1

    def slot(self) -> AbstractAsyncContextManager[None]:
        return self._slot()

    def report(self, outcome: Outcome, retry_after: float | None = None) -> None:
        if outcome is Outcome.RATE_LIMITED:
            self.rate_limited += 1
            self.last_retry_after = retry_after

    def __repr__(self) -> str:
        return f"SemaphoreGovernor(limit={self.limit}, in_flight={self.in_flight})"
