"""Failures on demand: the next project API requests answer 502, 503 or 429 as commercetools can.

commercetools answers 502 ``BadGateway`` while it scales, 503 ``OverCapacity`` or ``PendingOperation``
under load, and asks clients to retry those with backoff. A test or the demo queues such answers here
(``app.state.sandbox.faults.fail_next(503, times=2)``) to watch a client retry, or give up as a
transient problem, without waiting for a real outage. The auth service is never failed this way.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ledgerlink.sandbox.commercetools.errors import CtApiError

_CODES = {502: "BadGateway", 503: "OverCapacity", 504: "GatewayTimeout", 429: "TooManyRequests"}


@dataclass
class Faults:
    pending: deque[tuple[int, str]] = field(default_factory=deque)  # (status, path prefix)
    served: int = 0

    def fail_next(self, status: int = 503, *, times: int = 1, path_prefix: str = "") -> None:
        """The next ``times`` requests whose path (after the project key) starts with ``path_prefix``."""
        if status not in _CODES:
            raise ValueError(f"status must be one of {sorted(_CODES)}")
        self.pending.extend([(status, path_prefix)] * times)

    def take(self, path: str) -> CtApiError | None:
        """The failure this request meets, if one is queued for its path."""
        for index, (status, prefix) in enumerate(self.pending):
            if path.startswith(prefix):
                del self.pending[index]
                self.served += 1
                code = _CODES[status]
                return CtApiError(status, code, f"{code}: the request failed on purpose; retry it.")
        return None
