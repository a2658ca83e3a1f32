"""Fault injection: make the emulator fail the way a real NetSuite account sometimes does.

Tests (and the sandbox CLI) use faults to prove that Ledgerlink retries throttling and outages and does
not create a record twice when a write succeeded but its response was lost. A fault matches requests by
method and a regular expression searched in the path, and fires for the next ``times`` matching requests
or, with ``duration_seconds``, for every matching request during that many seconds from the first one it
meets (a 429 storm or a maintenance window). With ``probability`` below 1 a matching request is hit only
that often, drawn per request; a request it spares leaves the fault unused (``times`` then counts the
requests actually hit), so background trouble such as "5 % of requests answer 503" is one fault.

Kinds:

* ``status``: answer at once with ``status`` (429, 500, 502, 503, ...) in NetSuite's error envelope,
  before the request touches any data. ``status=429`` with ``times`` or ``duration_seconds`` is a 429
  storm (``CONCURRENCY_LIMIT_EXCEEDED``); on a RESTlet path it is answered as RESTlets are, 400
  ``SSS_REQUEST_LIMIT_EXCEEDED``.
* ``lost_response``: let the request run and commit, then drop the answer. With ``status`` 0 the
  connection is cut (the ASGI app raises, so a real server closes the socket and an in-process client
  sees an exception); with a status such as 504 that status is sent instead of the real answer.
* ``timeout``: hold the request ``delay_seconds`` (default 75) before running it, longer than a client's
  timeout; the request then runs and commits as a slow real one would.
* ``maintenance``: answer 503 with a maintenance message (and ``Retry-After`` when set), as during a
  scheduled NetSuite maintenance or upgrade window; use ``duration_seconds`` for the window.

Add faults at runtime through ``app.state.sandbox.faults``, e.g.
``app.state.sandbox.faults.append(Fault(method="POST", path=r"/salesOrder$", status=503))``, from the
settings file (``faults: [...]``), or over HTTP on a running sandbox server (sandbox only; no
authentication, never part of NetSuite's API)::

    POST   /__sandbox/faults   body: one fault object or a list of them  -> 201 {"faults": [...]}
    GET    /__sandbox/faults                                             -> 200 {"faults": [...]}
    DELETE /__sandbox/faults                                             -> 200 {"faults": []}

:func:`inject` does that from Python (``inject("http://127.0.0.1:8701", Fault(status=429, times=5))``).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from typing import Literal

import httpx
from pydantic import BaseModel, Field, PrivateAttr

FaultKind = Literal["status", "lost_response", "timeout", "maintenance"]


class Fault(BaseModel):
    """Answer matching requests in the way ``kind`` says, ``times`` times or for ``duration_seconds``."""

    method: str | None = Field(default=None, description="HTTP method to match; None matches any")
    path: str = Field(default="", description="regular expression searched in the request path")
    kind: FaultKind = "status"
    status: int = Field(default=503, description="status to answer; 0 with lost_response cuts the line")
    times: int = Field(default=1, ge=1, description="how many matching requests the fault applies to")
    duration_seconds: float | None = Field(
        default=None, gt=0, description="apply to every match for this long after the first; overrides times"
    )
    delay_seconds: float = Field(default=75.0, ge=0, description="how long a timeout fault holds a request")
    probability: float = Field(
        default=1.0, gt=0, le=1, description="share of matching requests hit; the others pass untouched"
    )
    retry_after: float | None = Field(default=None, description="Retry-After seconds sent with the answer")
    _expires_at: float | None = PrivateAttr(default=None)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class FaultList(list[Fault]):
    """The active faults. A plain list tests can append to; :meth:`take` consumes one use atomically.

    ``rng`` draws the requests a fault with ``probability`` below 1 hits (seed it for a repeatable run).
    """

    def __init__(
        self,
        faults: list[Fault] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(f.model_copy() for f in faults or [])
        self._lock = threading.Lock()
        self._clock = clock
        self._rng = rng or random.Random()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first fault matching the request and use it up once; None when none applies."""
        with self._lock:
            now = self._clock()
            index = 0
            while index < len(self):
                fault = self[index]
                if fault.duration_seconds is not None and fault._expires_at is not None:
                    if now >= fault._expires_at:
                        del self[index]
                        continue
                if not fault.matches(method, path):
                    index += 1
                    continue
                if fault.duration_seconds is not None and fault._expires_at is None:
                    fault._expires_at = now + fault.duration_seconds
                if fault.probability < 1 and self._rng.random() >= fault.probability:
                    index += 1  # spared: the next fault may still apply
                    continue
                if fault.duration_seconds is None:  # a window lasts its time; a count is used up
                    if fault.times <= 1:
                        del self[index]
                    else:
                        self[index] = fault.model_copy(update={"times": fault.times - 1})
                return fault
        return None

    def replace_all(self, faults: list[Fault]) -> None:
        with self._lock:
            self[:] = faults


def inject(base_url: str, *faults: Fault, clear: bool = False, timeout: float = 10.0) -> list[Fault]:
    """Add faults to a running sandbox server over ``POST /__sandbox/faults`` (for the CLI and e2e tests).

    With ``clear`` the server's faults are removed first; returns the faults now active there.
    """
    root = base_url.rstrip("/")
    with httpx.Client(timeout=timeout) as http:
        if clear:
            http.delete(f"{root}/__sandbox/faults").raise_for_status()
        if not faults:
            answer = http.get(f"{root}/__sandbox/faults")
        else:
            answer = http.post(f"{root}/__sandbox/faults", json=[f.model_dump() for f in faults])
        answer.raise_for_status()
    return [Fault.model_validate(item) for item in answer.json()["faults"]]


class LostResponseError(ConnectionError):
    """Raised after a committed write to drop its response, as a network failure would."""
