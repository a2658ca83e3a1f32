"""Query predicates and the keyset cursor used to walk a resource without deep offsets.

commercetools refuses ``offset`` above 10,000, and offsets shift when records change during a walk.
So a walk sorts by ``lastModifiedAt asc, id asc`` and asks for the next page with a predicate that
starts right after the last record seen: ``lastModifiedAt > "T" or (lastModifiedAt = "T" and id > "I")``.
A record modified during the walk moves to the end of the sort order, where the walk meets it again
(a repeat, never a skip). Times are sent as UTC ISO 8601 with milliseconds, the precision
commercetools keeps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_LIMIT = 500  # commercetools answers 400 above this
MAX_OFFSET = 10_000
WALK_SORT = ("lastModifiedAt asc", "id asc")


def literal(value: str) -> str:
    """A string literal for a predicate: double-quoted, with quotes and backslashes escaped."""
    return json.dumps(value)


def ct_time(moment: datetime) -> str:
    """A time as commercetools writes it: UTC, milliseconds, ``Z``. Naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_ct_time(text: str) -> datetime:
    """A commercetools time (``2024-01-02T03:04:05.678Z``) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def modified_between(after: datetime, before: datetime) -> str:
    """Records modified in [after, before) at commercetools' millisecond precision: ``after`` is cut
    down and ``before`` rounded up to the millisecond, so nothing in the window is lost; callers then
    filter to the exact window."""
    lower = after.replace(microsecond=after.microsecond // 1000 * 1000)
    upper = before.replace(microsecond=before.microsecond // 1000 * 1000)
    if upper < before:
        upper += timedelta(milliseconds=1)
    return f"lastModifiedAt >= {literal(ct_time(lower))} and lastModifiedAt < {literal(ct_time(upper))}"


@dataclass(frozen=True)
class Cursor:
    """The last record a walk has seen: where the next page starts."""

    last_modified_at: str
    id: str

    def predicate(self) -> str:
        at, ident = literal(self.last_modified_at), literal(self.id)
        return f"lastModifiedAt > {at} or (lastModifiedAt = {at} and id > {ident})"


def combine(*predicates: str | None) -> str | None:
    """``(a) and (b)`` for the predicates given, None when there are none."""
    parts = [p for p in predicates if p]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " and ".join(f"({p})" for p in parts)
