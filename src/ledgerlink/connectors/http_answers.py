"""Reading the parts of an HTTP answer every connector reads the same way: the JSON body, what answered
when it was not JSON, Retry-After, and a TLS handshake that a plain-HTTP server answered."""

from __future__ import annotations

import json
import math
import ssl
import time
from datetime import UTC
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ledgerlink.engine.problems import Code, ProblemError, Team, permanent

# What OpenSSL says when the bytes that came back to its ClientHello are not TLS: a plain-HTTP server
# answering "400 Bad Request" in clear text reads as a record of an unknown version (OpenSSL 1.1 and 3.0:
# WRONG_VERSION_NUMBER; 3.2 and later: RECORD_LAYER_FAILURE; others: PACKET_LENGTH_TOO_LONG,
# UNKNOWN_PROTOCOL, HTTP_REQUEST).
PLAIN_HTTP_REASONS = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "RECORD_LAYER_FAILURE",
        "PACKET_LENGTH_TOO_LONG",
        "UNKNOWN_PROTOCOL",
        "HTTP_REQUEST",
    }
)
PLAIN_HTTP_FIX = "this port speaks plain HTTP: use http:// or the TLS port"


def parse_json(response: httpx.Response, *, exact_decimals: bool = False) -> Any | None:
    """The body as JSON (decimals kept exact when asked), or None when it is not JSON: HTML pages,
    PHP notices, empty bodies."""
    try:
        if exact_decimals:
            return json.loads(response.content, parse_float=Decimal)
        return json.loads(response.content)
    except ValueError:
        return None


def describe_non_json(response: httpx.Response) -> str:
    """Say what answered instead of the system's API, without quoting the body (it may hold anything)."""
    text = response.content[:2000].decode("utf-8", "replace")
    kind = response.headers.get("content-type", "no content type")
    if any(mark in text for mark in ("<b>Notice</b>", "<b>Warning</b>", "<b>Deprecated</b>", "Fatal error")):
        return f"a PHP notice or error printed before the JSON ({kind})"
    if not text.strip():
        return "an empty body"
    if text.lstrip().startswith("<"):
        return f"an HTML page, typically a firewall, CDN, proxy, maintenance or login page ({kind})"
    return f"a body that is not JSON ({kind})"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds from ``now``: delta-seconds or an HTTP date (RFC 9110); None when absent
    or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def plain_http_reason(error: BaseException) -> str | None:
    """The TLS library's reason when ``error`` (or what caused it) is a handshake that got plain HTTP back:
    an ``https://`` URL pointed at a port that does not speak TLS. None for any other failure."""
    seen: BaseException | None = error
    while seen is not None:
        reason = getattr(seen, "reason", None) if isinstance(seen, ssl.SSLError) else None
        text = str(seen)
        if reason in PLAIN_HTTP_REASONS or "wrong version number" in text.lower():
            return str(reason or "WRONG_VERSION_NUMBER")
        seen = seen.__cause__ or seen.__context__
    return None


def tls_mismatch(
    error: BaseException,
    method: str,
    url: httpx.URL | str,
    /,
    *,
    system: str,
    setting: str,
    **details: Any,
) -> ProblemError | None:
    """The configuration problem for an ``https://`` URL that reached a plain-HTTP port, or None.

    Retrying cannot help and it is no outage: the server is up, the URL is wrong. ``setting`` names the
    configuration key that holds the URL.
    """
    reason = plain_http_reason(error)
    if reason is None:
        return None
    target = httpx.URL(str(url))
    origin = f"{target.scheme}://{target.host}" + (f":{target.port}" if target.port else "")
    return permanent(
        Code.TLS_MISMATCH,
        f"{system} at {origin} does not speak TLS",
        f"{method} {target.path}: the TLS handshake was answered in plain HTTP ({reason})",
        f"{PLAIN_HTTP_FIX} in {setting} (http://{target.host}"
        + (f":{target.port}" if target.port else "")
        + " if this port is meant to be used)",
        team=Team.INTEGRATION,
        **{"method": method, "path": target.path, **details, "error": type(error).__name__},
        tls_reason=reason,
    )


def request_url(error: httpx.RequestError, fallback: str) -> httpx.URL | str:
    """The URL of the request that failed, or ``fallback`` when the error was raised without it."""
    try:
        return error.request.url
    except RuntimeError:
        return fallback
