"""Collection arguments and paging headers, validated the way WordPress validates them.

`page` ≥ 1, `per_page` 1..100 (default 10), `offset`, `order`, `orderby` and the list/date filters
are checked before the endpoint runs, so a bad argument is a 400 `rest_invalid_param` even for an
anonymous caller. Responses carry `X-WP-Total`, `X-WP-TotalPages` and `Link` (prev/next) built on
the store's home URL. Credentials in the query string are not copied into `Link` URLs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from ledgerlink.sandbox.woocommerce.errors import invalid_param
from ledgerlink.sandbox.woocommerce.formats import parse_request_date
from ledgerlink.sandbox.woocommerce.phpquery import PhpValue, as_list, as_scalar

AUTH_QUERY_KEYS = frozenset(
    {
        "consumer_key",
        "consumer_secret",
        "oauth_consumer_key",
        "oauth_timestamp",
        "oauth_nonce",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_version",
    }
)


def _enum_text(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return f"{values[0]} and {values[1]}"
    return ", ".join(values[:-1]) + f", and {values[-1]}"


@dataclass
class CollectionArgs:
    page: int = 1
    per_page: int = 10
    offset: int | None = None
    descending: bool = True
    orderby: str = "date"
    search: str = ""
    include: list[int] = field(default_factory=list)
    exclude: list[int] = field(default_factory=list)

    @property
    def skip(self) -> int:
        return self.offset if self.offset is not None else (self.page - 1) * self.per_page


class QueryReader:
    """Typed access to a PHP-parsed query string, raising WordPress's validation errors."""

    def __init__(self, query: Mapping[str, PhpValue]) -> None:
        self.query = query

    def integer(
        self, name: str, default: int | None = None, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        raw = as_scalar(self.query.get(name))
        if raw is None or raw == "":
            if name in self.query and isinstance(self.query[name], dict):
                raise invalid_param(name, f"{name} is not of type integer.")
            return default
        try:
            value = int(raw.strip())
        except ValueError as exc:
            raise invalid_param(name, f"{name} is not of type integer.") from exc
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            raise invalid_param(
                name,
                f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
                "rest_out_of_bounds",
            )
        if minimum is not None and value < minimum:
            raise invalid_param(
                name, f"{name} must be greater than or equal to {minimum}", "rest_out_of_bounds"
            )
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = as_scalar(self.query.get(name))
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise invalid_param(name, f"{name} is not of type boolean.")

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        raw = as_scalar(self.query.get(name))
        if raw is None:
            return default
        if raw not in choices:
            raise invalid_param(name, f"{name} is not one of {_enum_text(choices)}.", "rest_not_in_enum")
        return raw

    def choices(self, name: str, choices: Sequence[str]) -> list[str]:
        values = as_list(self.query.get(name))
        for index, value in enumerate(values):
            if value not in choices:
                raise invalid_param(
                    name, f"{name}[{index}] is not one of {_enum_text(choices)}.", "rest_not_in_enum"
                )
        return values

    def ids(self, name: str) -> list[int]:
        values = as_list(self.query.get(name))
        result = []
        for index, value in enumerate(values):
            if not value.strip().lstrip("-").isdigit():
                raise invalid_param(name, f"{name}[{index}] is not of type integer.")
            result.append(int(value))
        return result

    def date(self, name: str) -> datetime | None:
        raw = as_scalar(self.query.get(name))
        if raw is None or raw == "":
            return None
        try:
            return parse_request_date(raw)
        except ValueError as exc:
            raise invalid_param(name, "Invalid date.", "rest_invalid_date") from exc

    def text(self, name: str) -> str:
        return as_scalar(self.query.get(name)) or ""

    def collection(
        self, orderby_choices: Sequence[str], default_orderby: str, default_order: str = "desc"
    ) -> CollectionArgs:
        self.choice("context", ("view", "edit"), "view")
        page = self.integer("page", 1, minimum=1)
        per_page = self.integer("per_page", 10, minimum=1, maximum=100)
        offset = self.integer("offset")
        order = self.choice("order", ("asc", "desc"), default_order)
        orderby = self.choice("orderby", orderby_choices, default_orderby)
        return CollectionArgs(
            page=page or 1,
            per_page=per_page or 10,
            offset=offset,
            descending=order == "desc",
            orderby=orderby,
            search=self.text("search"),
            include=self.ids("include"),
            exclude=self.ids("exclude"),
        )


def paging_headers(
    base_url: str,
    query_pairs: Sequence[tuple[str, str]],
    args: CollectionArgs,
    total: int,
) -> tuple[dict[str, str], list[str]]:
    """(X-WP-Total/X-WP-TotalPages headers, Link header values) for one page of a collection."""
    max_pages = math.ceil(total / args.per_page) if total else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(max_pages)}
    kept = [(k, v) for k, v in query_pairs if k != "page" and k not in AUTH_QUERY_KEYS]
    links = []

    def url(page: int) -> str:
        return f"{base_url}?{urlencode([*kept, ('page', str(page))])}"

    if args.page > 1:
        links.append(f'<{url(min(args.page - 1, max_pages))}>; rel="prev"')
    if max_pages > args.page:
        links.append(f'<{url(args.page + 1)}>; rel="next"')
    return headers, links
