"""The HTTP client a storefront connection talks through: its TLS trust, timeout and connection limit.

Every store connector builds its client here, so a merchant's ``ca_file``, ``verify_tls``,
``timeout_seconds`` and ``concurrency`` mean the same thing whichever platform the store runs.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Protocol

import httpx

from ledgerlink.connectors.http_answers import describe_non_json, parse_json, request_url, tls_mismatch
from ledgerlink.engine.problems import Code, ProblemError, Team, permanent, transient


class HttpSettings(Protocol):
    @property
    def timeout_seconds(self) -> float: ...

    @property
    def concurrency(self) -> int: ...


class WriteSettings(Protocol):
    @property
    def allow_writes(self) -> bool: ...


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


STORE_TLS_FIX = (
    "set ca_file to the CA bundle that signed the store's certificate (verify_tls false: tests only)"
)
STORE_UNREACHABLE_FIX = (
    "nothing to do if it passes; otherwise check the store is up and timeout_seconds is long enough"
)


def certificate_failure(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a failed certificate verification."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def problem_for_transport(
    error: httpx.TransportError,
    method: str,
    path: str,
    *,
    system: str = "the store",
    tls_fix: str = STORE_TLS_FIX,
    unreachable_fix: str = STORE_UNREACHABLE_FIX,
    url_setting: str = "base_url",
) -> ProblemError:
    """The problem for a request that got no answer: an untrusted certificate or an ``https://`` URL on a
    plain-HTTP port is a configuration problem (retrying cannot help); timeouts and refused connections
    are transient."""
    details: dict[str, Any] = {"method": method, "path": path, "error": type(error).__name__}
    mismatch = tls_mismatch(error, method, request_url(error, path), system=system, setting=url_setting)
    if mismatch is not None:
        return mismatch
    if certificate_failure(error):
        return permanent(
            Code.CONFIG_INVALID,
            f"{system}'s TLS certificate is not trusted",
            f"{method} {path}: certificate verification failed",
            tls_fix,
            team=Team.INTEGRATION,
            **details,
        )
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else f"could not reach {system}"
    return transient(
        Code.REMOTE_UNAVAILABLE,
        f"{system} is unavailable",
        f"{method} {path} {kind} ({type(error).__name__})",
        unreachable_fix,
        team=Team.VENDOR,
        **details,
    )


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_writes_unless_allowed(
    connection: WriteSettings, method: str, path: str, *, system: str = "store"
) -> None:
    """Raise the configuration problem for a write on a connection with ``allow_writes: false``: an
    instance pointed at a production store for reading only must never change it."""
    if method.upper() in READ_METHODS or connection.allow_writes:
        return
    raise permanent(
        Code.CONFIG_INVALID,
        f"writes to this {system} are switched off",
        f"{method} {path} would change the {system}, and the connection has allow_writes: false",
        f"set allow_writes: true on the connection if this instance may change the {system}",
        team=Team.INTEGRATION,
        method=method,
        path=path,
    )


def unreadable_answer(
    response: httpx.Response, expected: str, fix: str, *, system: str = "the store"
) -> ProblemError:
    """A 2xx answer that is not what the platform sends: a plugin's output, a proxy's page, a PHP notice."""
    request = response.request
    body = parse_json(response)
    found = describe_non_json(response) if body is None else f"JSON {type(body).__name__}"
    return permanent(
        Code.BAD_RESPONSE,
        f"{system}'s answer cannot be read",
        f"{request.method} {request.url.path} answered {response.status_code} with {found}; "
        f"expected {expected}",
        fix,
        team=Team.INTEGRATION,
        method=request.method,
        path=request.url.path,
        status=response.status_code,
    )
