"""How WooCommerce writes values: money strings, site/GMT date pairs and WordPress's JSON encoding.

Money is Decimal inside the emulator and a two-decimal string on the wire. Dates come in pairs:
`date_x` in the site's timezone and `date_x_gmt` in UTC, both `YYYY-MM-DDTHH:MM:SS` without an
offset; the emulated site runs on UTC so the two agree. JSON is encoded the way PHP's
`wp_json_encode` does (compact, `/` escaped, non-ASCII as \\u escapes) so webhook signatures are
computed over the same bytes a real store would send.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerlink.records.money import CENT

WIRE_DATE = "%Y-%m-%dT%H:%M:%S"


def money(value: Decimal) -> str:
    """Decimal → WooCommerce money string with two decimals, rounded half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: Any, field: str) -> Decimal:
    """Read an amount a client sent (string or number); WooCommerce treats blanks as zero."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a number")
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{field} must be a number, got {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"{field} must be a finite number")
    return amount


def price_number(value: Decimal) -> int | float:
    """`line_items[].price` is a JSON number in WooCommerce (total / quantity), not a string."""
    return int(value) if value == value.to_integral_value() else float(value)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def wire_date(moment: datetime | None) -> str | None:
    """UTC datetime → the wire form (no offset); the site timezone is UTC so site == GMT."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime(WIRE_DATE)


def from_wire(text: str) -> datetime:
    """A stored wire date (always UTC) back to an aware datetime."""
    return datetime.strptime(text, WIRE_DATE).replace(tzinfo=UTC)


_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def parse_request_date(text: str) -> datetime:
    """Parse an ISO 8601 date-time argument (`after`, `modified_after`, ...) as WordPress accepts it.

    Without an offset the value is read in the site's timezone (UTC here); with one it is converted.
    Raises ValueError for anything `rest_parse_date` would refuse.
    """
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError("Invalid date.")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset = match.group(8)
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    if offset and offset.upper() != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = moment - sign * delta
    return moment


def wp_json(payload: Any) -> bytes:
    """Encode like `wp_json_encode`: compact separators, escaped slashes, ASCII only."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")
