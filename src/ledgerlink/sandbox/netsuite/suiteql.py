"""SuiteQL over the emulator's SQLite tables: parse as Oracle SQL, check, transpile, run.

What NetSuite does and the emulator copies:

* Only ``SELECT`` is accepted; unknown tables answer "Invalid search type: x." and unknown columns
  "Search error occurred: Unknown identifier 'x'...", both 400 ``INVALID_PARAMETER`` on query param ``q``.
* Row values come back as strings; booleans are ``'T'``/``'F'``; columns that are null are left out of
  the row; every row carries an empty ``links`` list; column names are lower-case.
* Dates are formatted with the account's date preference, which here is NetSuite's default ``M/D/YYYY``
  (``11/22/2026``), for date-only and date-time columns alike. To get a full timestamp select
  ``TO_CHAR(lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS')`` (UTC).
* ``TO_DATE``/``TO_TIMESTAMP`` take Oracle format models; a string literal compared with a date column is
  read in the account format (``M/D/YYYY`` with an optional ``h:mm am`` time), as Oracle reads it with
  the session date format.

Anything the emulator cannot answer exactly (functions outside the supported set, date arithmetic,
``BUILTIN.*``, ``ROWNUM``, CTEs) is refused with the same 400, never answered wrongly.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from ledgerlink.sandbox.netsuite.errors import invalid_query
from ledgerlink.sandbox.netsuite.storage import DATE_COLUMNS, SUITEQL_TABLES

MAX_ROWS = 100_000
SQL_DATETIME = "%Y-%m-%d %H:%M:%S"

_ALLOWED_FUNCTIONS: tuple[type[exp.Expression], ...] = (
    exp.Count,
    exp.Sum,
    exp.Min,
    exp.Max,
    exp.Avg,
    exp.Upper,
    exp.Lower,
    exp.Coalesce,
    exp.StrToDate,
    exp.StrToTime,
    exp.ToChar,
    exp.CurrentTimestamp,
    exp.CurrentDate,
    exp.Trim,
    exp.Length,
    exp.Substring,
    exp.Round,
    exp.Abs,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.Nullif,
    exp.Concat,
)
_FORBIDDEN: tuple[type[exp.Expression], ...] = (exp.Anonymous, exp.Dot, exp.Window, exp.With, exp.Lateral)
_DATE_FUNCTIONS = ("ns_to_date", "ns_to_timestamp", "ns_now", "ns_today")
_SCHEMA: dict[str, object] = {
    table: {column: "TEXT" for column in columns} for table, columns in SUITEQL_TABLES.items()
}


def run(conn: sqlite3.Connection, query: Any, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Rows ``offset .. offset+limit`` of the query result (as NetSuite renders them) and the total count."""
    sql = translate(query)
    register_functions(conn)
    try:
        total = int(conn.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()[0])
        cursor = conn.execute(f"SELECT * FROM ({sql}) LIMIT ? OFFSET ?", (limit, offset))
    except (sqlite3.Error, ValueError) as error:
        raise invalid_query(f"Search error occurred: {error}.") from None
    names = [d[0].lower() for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row: dict[str, Any] = {"links": []}
        for name, value in zip(names, values, strict=True):
            if value is not None:
                row[name] = render_value(value)
        rows.append(row)
    return rows, min(total, MAX_ROWS)


def render_value(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return str(value)


def translate(query: Any) -> str:
    """Check a SuiteQL query and return the SQLite SQL that answers it; raise 400 when it cannot."""
    if not isinstance(query, str) or not query.strip():
        raise invalid_query("Search error occurred: the query is empty.")
    try:
        statements = [s for s in sqlglot.parse(query, read="oracle") if s is not None]
    except (ParseError, SqlglotError) as error:
        raise invalid_query(f"Search error occurred: {_first_line(error)}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        raise invalid_query("Search error occurred: only a single SELECT statement is supported.")
    tree: exp.Expression = statements[0]
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("this", identifier.name.lower())
        identifier.set("quoted", False)
    for table in tree.find_all(exp.Table):
        if table.args.get("db") or table.args.get("catalog") or table.name not in SUITEQL_TABLES:
            raise invalid_query(f"Invalid search type: {table.sql(dialect='oracle')}.")
    _check_constructs(tree)
    tree = tree.transform(_rewrite_functions)
    _convert_date_literals(tree)
    try:
        tree = qualify(
            tree, schema=_SCHEMA, dialect="sqlite", validate_qualify_columns=True, quote_identifiers=True
        )
    except OptimizeError as error:
        match = re.search(r"Column '([^']+)'", str(error))
        name = match.group(1) if match else _first_line(error)
        tables = sorted({t.name for t in tree.find_all(exp.Table)})
        available = ", ".join(f"{t}={t}" for t in tables)
        raise invalid_query(
            f"Search error occurred: Unknown identifier '{name}'. Available identifiers are: {{{available}}}."
        ) from None
    assert isinstance(tree, exp.Select)
    _format_date_outputs(tree)
    return tree.sql(dialect="sqlite")


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _check_constructs(tree: exp.Expression) -> None:
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            raise invalid_query(f"Search error occurred: Unsupported syntax: {node.sql(dialect='oracle')}.")
        if isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Connector | exp.Predicate):
            if not isinstance(node, _ALLOWED_FUNCTIONS):
                text = node.sql(dialect="oracle")
                raise invalid_query(f"Search error occurred: Unsupported function: {text}.")
        if isinstance(node, exp.Add | exp.Sub) and (_is_date(node.this) or _is_date(node.expression)):
            raise invalid_query("Search error occurred: date arithmetic is not supported.")
        if isinstance(node, exp.Column) and node.name == "rownum":
            raise invalid_query("Search error occurred: Unsupported syntax: ROWNUM.")


def _is_date(node: exp.Expression | None) -> bool:
    if isinstance(node, exp.Column):
        return node.name in DATE_COLUMNS
    return isinstance(node, exp.StrToDate | exp.StrToTime | exp.CurrentDate | exp.CurrentTimestamp)


def _rewrite_functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.StrToDate | exp.StrToTime):
        name = "ns_to_date" if isinstance(node, exp.StrToDate) else "ns_to_timestamp"
        fmt = node.args.get("format")
        return exp.Anonymous(this=name, expressions=[node.this, fmt if fmt is not None else exp.null()])
    if isinstance(node, exp.ToChar):
        fmt = node.args.get("format")
        return exp.Anonymous(
            this="ns_to_char", expressions=[node.this, fmt if fmt is not None else exp.null()]
        )
    if isinstance(node, exp.CurrentTimestamp):
        return exp.Anonymous(this="ns_now", expressions=[])
    if isinstance(node, exp.CurrentDate):
        return exp.Anonymous(this="ns_today", expressions=[])
    return node


def _convert_date_literals(tree: exp.Expression) -> None:
    """Read string literals compared with date columns in the account's date format."""
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
    for node in list(tree.walk()):
        pairs: list[tuple[exp.Expression, exp.Expression]] = []
        if isinstance(node, comparisons):
            pairs = [(node.this, node.expression), (node.expression, node.this)]
        elif isinstance(node, exp.Between):
            pairs = [(node.this, node.args["low"]), (node.this, node.args["high"])]
        elif isinstance(node, exp.In):
            pairs = [(node.this, e) for e in node.expressions]
        for column, other in pairs:
            is_date_column = isinstance(column, exp.Column) and column.name in DATE_COLUMNS
            if is_date_column and isinstance(other, exp.Literal):
                if not other.is_string:
                    raise invalid_query(f"Search error occurred: cannot compare {column.name} with a number.")
                other.replace(exp.Literal.string(parse_account_date(other.this)))


_ACCOUNT_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def parse_account_date(text: str) -> str:
    for fmt in _ACCOUNT_FORMATS:
        try:
            return datetime.strptime(text.strip().upper(), fmt).strftime(SQL_DATETIME)
        except ValueError:
            continue
    raise invalid_query(f"Search error occurred: invalid date value '{text}'; expected M/D/YYYY.")


def _format_date_outputs(tree: exp.Select) -> None:
    """Format date outputs for display, while ORDER BY keeps sorting on the stored value."""
    raw: dict[str, exp.Expression] = {}
    for projection in tree.expressions:
        target = projection.this if isinstance(projection, exp.Alias) else projection
        inner = target.this if isinstance(target, exp.Max | exp.Min) else target
        if _is_date(inner) or (isinstance(inner, exp.Anonymous) and inner.name in _DATE_FUNCTIONS):
            raw[projection.alias_or_name] = target.copy()
            target.replace(exp.Anonymous(this="ns_date_out", expressions=[target.copy()]))
    order = tree.args.get("order")
    if order is not None and raw:
        for ordered in order.expressions:
            key = ordered.this
            if isinstance(key, exp.Column) and not key.table and key.name in raw:
                key.replace(raw[key.name].copy())


# --- SQLite user functions ------------------------------------------------------------------------------

_ORACLE_TOKENS = re.compile(
    r'"[^"]*"|YYYY|YY|MONTH|MON|MM|DDD|DD|DY|HH24|HH12|HH|MI|SS|AM|PM|[^A-Za-z"]+|[A-Za-z]', re.IGNORECASE
)


def oracle_format(moment: datetime, model: str) -> str:
    """Format ``moment`` with an Oracle date format model (the subset integrations use)."""
    out = []
    for token in _ORACLE_TOKENS.findall(model):
        upper = token.upper()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif upper == "YYYY":
            out.append(f"{moment.year:04d}")
        elif upper == "YY":
            out.append(f"{moment.year % 100:02d}")
        elif upper == "MONTH":
            out.append(moment.strftime("%B").upper())
        elif upper == "MON":
            out.append(moment.strftime("%b").upper())
        elif upper == "MM":
            out.append(f"{moment.month:02d}")
        elif upper == "DD":
            out.append(f"{moment.day:02d}")
        elif upper == "DDD":
            out.append(f"{moment.timetuple().tm_yday:03d}")
        elif upper == "DY":
            out.append(moment.strftime("%a").upper())
        elif upper == "HH24":
            out.append(f"{moment.hour:02d}")
        elif upper in ("HH", "HH12"):
            out.append(f"{(moment.hour % 12) or 12:02d}")
        elif upper == "MI":
            out.append(f"{moment.minute:02d}")
        elif upper == "SS":
            out.append(f"{moment.second:02d}")
        elif upper in ("AM", "PM"):
            out.append("AM" if moment.hour < 12 else "PM")
        elif token.isalpha():
            raise ValueError(f"unsupported date format element {token!r}")
        else:
            out.append(token)
    return "".join(out)


def _parse_stored(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value[:19], SQL_DATETIME)
    except ValueError:
        return None


def _to_date(value: Any, fmt: Any) -> str | None:
    if value is None:
        return None
    if fmt is None:
        return parse_account_date(str(value))
    return datetime.strptime(str(value), str(fmt)).strftime(SQL_DATETIME)


def _to_char(value: Any, fmt: Any) -> str | None:
    if value is None:
        return None
    moment = _parse_stored(value)
    if moment is None:
        return render_value(value)
    if fmt is None:
        return _date_out(value)
    return oracle_format(moment, str(fmt))


def _date_out(value: Any) -> str | None:
    moment = _parse_stored(value)
    if moment is None:
        return None if value is None else str(value)
    return f"{moment.month}/{moment.day}/{moment.year}"


def _now() -> str:
    return datetime.now(UTC).strftime(SQL_DATETIME)


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d 00:00:00")


def register_functions(conn: sqlite3.Connection) -> None:
    functions: list[tuple[str, int, Callable[..., Any]]] = [
        ("ns_to_date", 2, _to_date),
        ("ns_to_timestamp", 2, _to_date),
        ("ns_to_char", 2, _to_char),
        ("ns_date_out", 1, _date_out),
        ("ns_now", 0, _now),
        ("ns_today", 0, _today),
    ]
    for name, arity, function in functions:
        conn.create_function(name, arity, function, deterministic=name not in ("ns_now", "ns_today"))
