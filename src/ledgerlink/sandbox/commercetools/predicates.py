"""commercetools query predicates (``where=``), parsed and evaluated against JSON documents.

Supported: comparisons ``= != <> > >= < <=`` with string, number and boolean literals (and
``:name`` input variables from ``var.name``), ``in (...)`` and ``not in (...)``, ``is defined``,
``is not defined``, ``is empty``, ``is not empty``, ``contains any (...)``, ``contains all (...)``,
``and``, ``or``, ``not (...)``, parentheses, and nested fields ``store(key = "x")`` or
``lineItems(variant(sku = "y"))``, which on an array match when any element matches, as
commercetools does. Anything else is refused with :class:`PredicateError` (the API answers 400
InvalidInput): an emulator that guesses would give a wrong answer where commercetools gives an error.
Times compare as times, so ``"2024-01-01T00:00:00Z"`` and ``"2024-01-01T00:00:00.000Z"`` are equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Predicate = Callable[[Any], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<var>:[A-Za-z][A-Za-z0-9_]*)
      | (?P<op><>|!=|>=|<=|=|>|<)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")
_KEYWORDS = {"and", "or", "not", "in", "is", "defined", "empty", "contains", "any", "all", "true", "false"}


class PredicateError(ValueError):
    """The predicate is not valid (or not something the emulator can answer exactly)."""


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, var, op, punct, word, end
    value: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise PredicateError(
                f"Malformed parameter: where: Syntax error while parsing 'where'. Invalid input at "
                f"column {position + 1}: {text}"
            )
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string_value(token: Token) -> str:
    body = token.value[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides as values of one type that Python orders like commercetools, or None."""
    if isinstance(left, bool) or isinstance(right, bool):
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return Decimal(str(left)), Decimal(str(right))
    if isinstance(left, str) and isinstance(right, str):
        if _ISO_TIME.match(left) and _ISO_TIME.match(right):
            return _time(left), _time(right)
        return left, right
    return None


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_compare(op, item, expected) for item in actual)
    pair = _comparable(actual, expected)
    if pair is None:
        return op in ("!=", "<>") and actual is not None
    return _COMPARE[op](*pair)


def _field(document: Any, name: str) -> Any:
    return document.get(name) if isinstance(document, Mapping) else None


def _on_field(name: str, inner: Predicate) -> Predicate:
    """``name(inner)``: on an array, any element; on an object, the object; else no match."""

    def check(document: Any) -> bool:
        value = _field(document, name)
        if isinstance(value, list):
            return any(inner(item) for item in value)
        return isinstance(value, Mapping) and inner(value)

    return check


class Parser:
    """Recursive descent over the tokens; each ``parse_*`` returns a predicate on one JSON object."""

    def __init__(self, text: str, variables: Mapping[str, list[str]]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.variables = variables

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def fail(self, expected: str) -> PredicateError:
        found = self.token.value or "end of input"
        return PredicateError(
            f"Malformed parameter: where: Syntax error while parsing 'where'. Invalid input '{found}', "
            f"expected {expected} (line 1, column {self.token.position + 1}): {self.text}"
        )

    def take(self, kind: str, value: str | None = None) -> Token:
        token = self.token
        if token.kind != kind or (value is not None and token.value.lower() != value):
            raise self.fail(value or kind)
        self.index += 1
        return token

    def at_word(self, *words: str) -> bool:
        return self.token.kind == "word" and self.token.value.lower() in words

    def parse(self) -> Predicate:
        predicate = self.parse_or()
        if self.token.kind != "end":
            raise self.fail("'and', 'or' or end of input")
        return predicate

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.at_word("or"):
            self.index += 1
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_unary()]
        while self.at_word("and"):
            self.index += 1
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def parse_unary(self) -> Predicate:
        if self.at_word("not"):
            self.index += 1
            self.take("punct", "(")
            inner = self.parse_or()
            self.take("punct", ")")
            return lambda doc: not inner(doc)
        if self.token.kind == "punct" and self.token.value == "(":
            self.index += 1
            inner = self.parse_or()
            self.take("punct", ")")
            return inner
        return self.parse_field()

    def parse_field(self) -> Predicate:
        if self.token.kind != "word" or self.token.value.lower() in _KEYWORDS:
            raise self.fail("a field name")
        name = self.take("word").value
        token = self.token
        if token.kind == "punct" and token.value == "(":
            self.index += 1
            inner = self.parse_or()
            self.take("punct", ")")
            return _on_field(name, inner)
        if token.kind == "op":
            self.index += 1
            expected = self.parse_value()
            return lambda doc: _compare(token.value, _field(doc, name), expected)
        if self.at_word("in"):
            self.index += 1
            values = self.parse_list()
            return lambda doc: _is_in(_field(doc, name), values)
        if self.at_word("not"):
            self.index += 1
            self.take("word", "in")
            values = self.parse_list()
            return lambda doc: _field(doc, name) is not None and not _is_in(_field(doc, name), values)
        if self.at_word("is"):
            self.index += 1
            negate = self.at_word("not")
            if negate:
                self.index += 1
            if self.at_word("defined"):
                self.index += 1
                return lambda doc: (_field(doc, name) is not None) != negate
            if self.at_word("empty"):
                self.index += 1
                return lambda doc: (_field(doc, name) in ([], {}, "")) != negate
            raise self.fail("'defined' or 'empty'")
        if self.at_word("contains"):
            self.index += 1
            if not self.at_word("any", "all"):
                raise self.fail("'any' or 'all'")
            mode = self.take("word").value.lower()
            values = self.parse_list()

            def contains(doc: Any) -> bool:
                found = _field(doc, name)
                items = found if isinstance(found, list) else []
                hits = [any(_compare("=", item, v) for item in items) for v in values]
                return any(hits) if mode == "any" else all(hits)

            return contains
        raise self.fail("an operator")

    def parse_list(self) -> list[Any]:
        self.take("punct", "(")
        values = [self.parse_value()]
        while self.token.kind == "punct" and self.token.value == ",":
            self.index += 1
            values.append(self.parse_value())
        self.take("punct", ")")
        return values

    def parse_value(self) -> Any:
        token = self.token
        self.index += 1
        if token.kind == "string":
            return _string_value(token)
        if token.kind == "number":
            try:
                return Decimal(token.value)
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                raise self.fail("a number") from None
        if token.kind == "word" and token.value in ("true", "false"):
            return token.value == "true"
        if token.kind == "var":
            values = self.variables.get(token.value[1:])
            if not values:
                raise PredicateError(
                    f"Malformed parameter: where: variable '{token.value[1:]}' is not given."
                )
            return values[0]
        self.index -= 1
        raise self.fail("a string, number or boolean")


def _is_in(actual: Any, values: list[Any]) -> bool:
    return any(_compare("=", actual, value) for value in values)


def compile_predicates(predicates: list[str], variables: Mapping[str, list[str]] | None = None) -> Predicate:
    """All ``where`` parameters combined with ``and``, as commercetools combines repeated ones."""
    compiled = [Parser(text, variables or {}).parse() for text in predicates if text.strip()]
    return lambda doc: all(p(doc) for p in compiled)
