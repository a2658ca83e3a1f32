"""The HTTP client a storefront connection talks through: its TLS trust, timeout and connection limit.

Every store connector builds its client here, so a merchant's ``ca_file``, ``verify_tls``,
``timeout_seconds`` and ``concurrency`` mean the same thing whichever platform the store runs.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Protocol

import httpx


class HttpSettings(Protocol):
    @property
    def timeout_seconds(self) -> float: ...

    @property
    def concurrency(self) -> int: ...


class TlsSettings(Protocol):
    @property
    def verify_tls(self) -> bool: ...

    @property
    def ca_file(self) -> Path | None: ...


def tls_verification(connection: TlsSettings) -> ssl.SSLContext | bool:
    """What httpx should verify the store's certificate against: a CA bundle, the system store, or nothing."""
    if not connection.verify_tls:
        return False
    if connection.ca_file is not None:
        return ssl.create_default_context(cafile=str(connection.ca_file))
    return True


def store_http_client(
    connection: HttpSettings,
    *,
    base_url: str = "",
    auth: httpx.Auth | None = None,
    verify: ssl.SSLContext | bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An async client with the connection's timeout and at most ``concurrency`` connections."""
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        timeout=httpx.Timeout(connection.timeout_seconds),
        verify=verify,
        limits=httpx.Limits(max_connections=connection.concurrency),
        headers={"Accept": "application/json", "User-Agent": "Ledgerlink"},
        transport=transport,
    )
