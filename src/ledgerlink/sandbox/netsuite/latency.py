"""A latency model: how long the emulated account takes to answer, per record type and operation.

No vendor figures exist for REST record latency; measured SOAP/REST commands on a production account took
0.8-2.4 s each, and a full metadata catalog over 60 s (FACTS 1.10, third-party). The model therefore is
configuration, not data: a base delay chosen by the most specific setting that names the request, plus a
uniform random spread drawn from a seeded generator so that runs are reproducible.

Specificity, first match wins: ``latency_by_type["salesOrder.create"]``, ``latency_by_type["salesOrder"]``,
``latency_by_operation["create"]``, then ``latency_seconds``. Type keys are case-insensitive.

Operations: ``create`` (POST on a collection), ``read`` (GET of one record or sub-resource), ``list`` (GET
of a collection), ``update`` (PATCH), ``upsert`` (PUT), ``delete``, ``suiteql``, ``restlet``, ``async``
(job status polls), ``token`` (OAuth 2.0 token endpoint), ``other``.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

_RECORD = re.compile(r"/services/rest/record/v1/([^/?]+)(/[^/?]+)?(/[^?]*)?")


@dataclass(frozen=True)
class RequestKind:
    operation: str
    record_type: str | None = None


def classify(method: str, path: str) -> RequestKind:
    """Which operation (and record type) a request is, for the latency model."""
    method = method.upper()
    if path.startswith("/services/rest/query/v1/suiteql"):
        return RequestKind("suiteql")
    if path.startswith("/app/site/hosting/restlet.nl"):
        return RequestKind("restlet")
    if path.startswith("/services/rest/async/"):
        return RequestKind("async")
    if path.startswith("/services/rest/auth/oauth2/"):
        return RequestKind("token")
    match = _RECORD.match(path)
    if match is None:
        return RequestKind("other")
    record_type, one, _ = match.groups()
    if one is None:
        operation = {"GET": "list", "POST": "create", "PUT": "upsert", "PATCH": "update"}.get(method, "other")
        if method == "DELETE":
            operation = "delete"
    else:
        operation = {
            "GET": "read",
            "PATCH": "update",
            "PUT": "upsert",
            "DELETE": "delete",
            "POST": "create",
        }.get(method, "other")
    return RequestKind(operation, record_type)


class LatencyModel:
    """Seconds to wait before answering a request, from the settings; thread-safe, seeded."""

    def __init__(self, settings: NetSuiteSandboxSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.rng_seed)
        self._lock = threading.Lock()
        self._by_type = {key.lower(): value for key, value in settings.latency_by_type.items()}

    def base(self, method: str, path: str) -> float:
        kind = classify(method, path)
        s = self.settings
        if kind.record_type is not None:
            name = kind.record_type.lower()
            for key in (f"{name}.{kind.operation}", name):
                if key in self._by_type:
                    return self._by_type[key]
        if kind.operation in s.latency_by_operation:
            return s.latency_by_operation[kind.operation]
        return s.latency_seconds

    def delay(self, method: str, path: str) -> float:
        delay = self.base(method, path)
        spread = self.settings.latency_spread_seconds
        if spread:
            with self._lock:
                delay += self._random.uniform(0, spread)
        return delay
