"""SuiteQL text: literals, log-safe redaction, keyset paging, and the response page.

SuiteQL over REST takes the query as plain text (``{"q": "..."}``) and has no bind parameters, so every
value from outside (a SKU, an email, an external id) must become a literal through
:func:`suiteql_literal`; nothing else stands between a stray quote and a broken or injected query.

Offset paging stops at 100,000 rows (NetSuite's cap without SuiteAnalytics Connect) and skips or repeats
rows when records change between pages. Keyset paging restarts each page from the last key seen
(``WHERE (k > :last OR (k = :last AND id > :lastid)) ORDER BY k, id``), so it has neither problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MAX_OFFSET_ROWS = 100_000  # SuiteQL answers no row past this offset
MAX_PAGE_SIZE = 1000

TIMESTAMP_FORMAT = "YYYY-MM-DD HH24:MI:SS"
_TIMESTAMP_VALUE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_NUMBER_VALUE = re.compile(r"-?\d+(?:\.\d+)?")

_TOKEN = re.compile(
    r"""
      (?P<string>'(?:[^']|'')*'?)          # string literal; '' is an escaped quote
    | (?P<ident>"(?:[^"]|"")*"?)           # quoted identifier
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<word>[A-Za-z_][A-Za-z0-9_$\#]*)
    | (?P<open>\()
    | (?P<close>\))
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Clauses that keyset paging must own or that would change what "the next row" means.
_CLAUSES_KEYSET_OWNS = frozenset(
    {"ORDER", "GROUP", "HAVING", "UNION", "INTERSECT", "MINUS", "EXCEPT", "FETCH", "OFFSET", "LIMIT"}
)


def suiteql_literal(value: str) -> str:
    """``O'Brien`` -> ``'O''Brien'``: a SuiteQL (Oracle SQL) string literal holding exactly ``value``.

    Oracle SQL has one escape in string literals, the doubled quote; backslashes are ordinary characters.
    """
    if not isinstance(value, str):
        raise TypeError(f"suiteql_literal takes a str, got {type(value).__name__}")
    return "'" + value.replace("'", "''") + "'"


def _tokens(query: str) -> Iterator[tuple[str, str, int, int]]:
    """(kind, text, start, depth) for each token; depth counts the parentheses around it."""
    depth = 0
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind == "close":
            depth = max(0, depth - 1)
        yield kind, match.group(), match.start(), depth
        if kind == "open":
            depth += 1


def redact_literals(query: str) -> str:
    """The query with every string literal replaced by ``'?'``, for problem details and logs.

    Lookups by email or name carry personal data in their literals; the query's shape is what an operator
    needs to see.
    """
    return "".join("'?'" if kind == "string" else text for kind, text, _, _ in _tokens(query))


@dataclass(frozen=True)
class KeyColumn:
    """One column of a keyset.

    ``expression`` is compared and ordered by in SQL; ``field`` is the (lower-case) row key carrying its
    value back; ``kind`` says how that value becomes a literal for the next page. SuiteQL formats dates by
    the user's preferences (``11/5/2026``, no time), so a timestamp key must be selected as
    ``TO_CHAR(<expression>, 'YYYY-MM-DD HH24:MI:SS') AS <field>`` (see :attr:`projection`).
    """

    expression: str
    field: str
    kind: Literal["timestamp", "number", "text"] = "text"

    @property
    def projection(self) -> str:
        """What to put in the SELECT list so rows carry this key in a form the next page can use."""
        if self.kind == "timestamp":
            return f"TO_CHAR({self.expression}, '{TIMESTAMP_FORMAT}') AS {self.field}"
        return f"{self.expression} AS {self.field}"

    def literal(self, value: Any) -> str:
        """The SuiteQL literal for a value this key returned; ValueError when it has the wrong shape."""
        if value is None:
            raise ValueError(f"keyset column {self.field} is empty in a row; keys must never be null")
        if self.kind == "timestamp":
            if not isinstance(value, str) or not _TIMESTAMP_VALUE.fullmatch(value):
                raise ValueError(
                    f"keyset column {self.field} came back as {value!r}; select it as {self.projection}"
                )
            return f"TO_TIMESTAMP({suiteql_literal(value)}, '{TIMESTAMP_FORMAT}')"
        if self.kind == "number":
            text = str(value)
            if isinstance(value, bool) or not _NUMBER_VALUE.fullmatch(text):
                raise ValueError(f"keyset column {self.field} came back as {value!r}, not a number")
            return text
        return suiteql_literal(str(value))


LAST_MODIFIED = KeyColumn("lastmodifieddate", "lastmodifieddate", "timestamp")
INTERNAL_ID = KeyColumn("id", "id", "number")
_KNOWN_KEYS = {key.field: key for key in (LAST_MODIFIED, INTERNAL_ID)}


def key_column(spec: KeyColumn | str) -> KeyColumn:
    """``"lastmodifieddate"`` and ``"id"`` name the standard keys; other names are text columns."""
    if isinstance(spec, KeyColumn):
        return spec
    name = spec.strip().lower()
    return _KNOWN_KEYS.get(name) or KeyColumn(name, name.rsplit(".", 1)[-1], "text")


def keyset_predicate(keys: Sequence[KeyColumn], last: Sequence[Any]) -> str:
    """Rows strictly after ``last`` in the order of ``keys``.

    For (k, id): ``(k > :k OR (k = :k AND id > :id))``; more keys extend the chain the same way.
    """
    if len(keys) != len(last) or not keys:
        raise ValueError("a keyset position needs one value per key column")
    literals = [key.literal(value) for key, value in zip(keys, last, strict=True)]
    terms = []
    for index, key in enumerate(keys):
        parts = [f"{k.expression} = {lit}" for k, lit in zip(keys[:index], literals[:index], strict=True)]
        parts.append(f"{key.expression} > {literals[index]}")
        terms.append(parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(terms) + ")"


def keyset_query(select_from_where: str, keys: Sequence[KeyColumn], last: Sequence[Any] | None) -> str:
    """``select_from_where`` narrowed to rows after ``last`` (all rows when None), ordered by the keys.

    The caller's own WHERE is kept in parentheses and ANDed with the keyset predicate, so an OR inside it
    cannot swallow the predicate. ValueError when the query already orders, groups or limits itself.
    """
    query = select_from_where.strip().rstrip(";").strip()
    top = [
        (text.upper(), start) for kind, text, start, depth in _tokens(query) if kind == "word" and depth == 0
    ]
    if not top or top[0][0] != "SELECT":
        raise ValueError("keyset paging needs a query that starts with SELECT")
    owned = sorted({word for word, _ in top if word in _CLAUSES_KEYSET_OWNS})
    if owned:
        raise ValueError(
            f"keyset paging adds its own ORDER BY and paging; remove {', '.join(owned)} from the query"
        )
    wheres = [start for word, start in top if word == "WHERE"]
    if len(wheres) > 1:
        raise ValueError("the query has more than one top-level WHERE")
    if last is None:
        narrowed = query
    elif wheres:
        head, condition = query[: wheres[0]], query[wheres[0] + len("WHERE") :].strip()
        narrowed = f"{head}WHERE ({condition}) AND {keyset_predicate(keys, last)}"
    else:
        narrowed = f"{query} WHERE {keyset_predicate(keys, last)}"
    return f"{narrowed} ORDER BY {', '.join(key.expression for key in keys)}"


@dataclass(frozen=True)
class SuiteQLPage:
    """One page of a SuiteQL answer. Rows are dicts with lower-case column names, ``links`` removed."""

    items: list[dict[str, Any]]
    has_more: bool
    total_results: int | None
    offset: int
    count: int


def parse_page(payload: Any) -> SuiteQLPage:
    """The collection envelope ``{links, count, hasMore, items, offset, totalResults}``; ValueError if not."""
    if not isinstance(payload, dict):
        raise ValueError("the SuiteQL answer is not a JSON object")
    items = payload.get("items")
    has_more = payload.get("hasMore")
    if not isinstance(items, list) or not all(isinstance(row, dict) for row in items):
        raise ValueError("the SuiteQL answer has no list of row objects in 'items'")
    if not isinstance(has_more, bool):
        raise ValueError("the SuiteQL answer has no boolean 'hasMore'")
    rows = [{key: value for key, value in row.items() if key != "links"} for row in items]
    return SuiteQLPage(
        items=rows,
        has_more=has_more,
        total_results=_int_or_none(payload.get("totalResults")),
        offset=_int_or_none(payload.get("offset")) or 0,
        count=_int_or_none(payload.get("count")) or len(rows),
    )


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None
