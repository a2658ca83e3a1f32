"""Reading the parts of an HTTP answer every connector reads the same way: the JSON body, what answered
when it was not JSON, and Retry-After."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


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
