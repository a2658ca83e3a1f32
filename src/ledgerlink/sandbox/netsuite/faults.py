"""Fault injection: make the emulator fail the way a real NetSuite account sometimes does.

Tests (and the sandbox CLI) use faults to prove that Ledgerlink retries throttling and outages and does
not create a record twice when a write succeeded but its response was lost. A fault matches requests by
method and a regular expression searched in the path, and fires for the next ``times`` matching requests.

Two kinds exist:

* ``status``: answer at once with ``status`` (429, 500, 503, ...) in NetSuite's error envelope, before
  the request touches any data.
* ``lost_response``: let the request run and commit, then drop the answer. With ``status`` 0 the
  connection is cut (the ASGI app raises, so a real server closes the socket and an in-process client
  sees an exception); with a status such as 504 that status is sent instead of the real answer.

Add faults at runtime through ``app.state.sandbox.faults``, e.g.
``app.state.sandbox.faults.append(Fault(method="POST", path=r"/salesOrder$", status=503))``.
"""

from __future__ import annotations

import re
import threading
from typing import Literal

from pydantic import BaseModel, Field

FaultKind = Literal["status", "lost_response"]


class Fault(BaseModel):
    """Answer the next ``times`` requests matching ``method`` and ``path`` in the way ``kind`` says."""

    method: str | None = Field(default=None, description="HTTP method to match; None matches any")
    path: str = Field(default="", description="regular expression searched in the request path")
    kind: FaultKind = "status"
    status: int = Field(default=503, description="status to answer; 0 with lost_response cuts the line")
    times: int = Field(default=1, ge=1, description="how many matching requests the fault applies to")
    retry_after: float | None = Field(default=None, description="Retry-After seconds sent with the answer")

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class FaultList(list[Fault]):
    """The active faults. A plain list tests can append to; :meth:`take` consumes one use atomically."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        super().__init__(f.model_copy() for f in faults or [])
        self._lock = threading.Lock()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first fault matching the request and use it up once; None when none applies."""
        with self._lock:
            for index, fault in enumerate(self):
                if fault.matches(method, path):
                    if fault.times <= 1:
                        del self[index]
                    else:
                        self[index] = fault.model_copy(update={"times": fault.times - 1})
                    return fault
        return None


class LostResponseError(ConnectionError):
    """Raised after a committed write to drop its response, as a network failure would."""
