"""The hook through which the engine pauses a connection's requests while the connection is down.

When a connection as a whole fails (its credentials are refused, its host cannot be reached, it is in a
maintenance window), every job that uses it would otherwise send its own request, fail the same way and
land in the error queue: a flood of one cause. The engine gives each connector a :class:`Gate` instead
(``ledgerlink.engine.incidents`` implements it). Before a request the connector asks the gate, which
raises at once, sending nothing, while the connection has an open incident; a problem that concerns the
whole connection is handed to the gate, which turns it into the one that opens the incident. A connector
built without a gate behaves as if the gate were always open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from ledgerlink.engine.problems import ProblemError

T = TypeVar("T")


class Gate(Protocol):
    def check(self) -> None:
        """Raise (a :class:`ProblemError`) without sending anything when the connection is paused."""
        ...

    def screen(self, error: ProblemError) -> ProblemError:
        """The error to raise for ``error``: itself, or the connection-level form of it."""
        ...


async def through(gate: Gate | None, send: Callable[[], Awaitable[T]]) -> T:
    """Run ``send`` (one request, or one request with its retries) through ``gate``."""
    if gate is None:
        return await send()
    gate.check()
    try:
        return await send()
    except ProblemError as error:
        screened = gate.screen(error)
        if screened is error:
            raise
        raise screened from error
