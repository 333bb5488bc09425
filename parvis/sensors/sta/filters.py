"""The OData expression language of `$filter` and `$orderby`: tokens, then a syntax tree.

A small recursive-descent parser with OData's precedence (or < and < not < comparison <
additive < multiplicative). It knows nothing of the data model: `compile.py` turns the
tree into Django ORM expressions for one entity type. Nothing here is ever evaluated as code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parvis.sensors.sta.errors import bad_request

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 40

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
ADDITIVE = ("add", "sub")
MULTIPLICATIVE = ("mul", "div", "mod")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<geography>geography'[^']*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_@][A-Za-z0-9_.@]*)
    | (?P<punct>[(),/])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # geography, string, datetime, number, name, punct, end
    text: str
    position: int


@dataclass(frozen=True)
class Geography:
    """A `geography'POINT(4.8 47)'` constant, in WKT (only geospatial functions take it)."""

    wkt: str


@dataclass(frozen=True)
class Literal:
    """A constant: str, int, float, bool, None, an aware datetime or a Geography."""

    value: object


@dataclass(frozen=True)
class Path:
    """A property, possibly through navigation properties: `Datastream/Thing/name`."""

    segments: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Binary:
    operator: str  # a comparison, `and`, `or`, or an arithmetic operator
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


Node = Literal | Path | Call | Binary | Not


@dataclass(frozen=True)
class OrderItem:
    expression: Node
    descending: bool


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens; a character that starts no token is a 400."""
    if len(text) > MAX_FILTER_LENGTH:
        raise bad_request(_("The expression is longer than %d characters.") % MAX_FILTER_LENGTH)
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise bad_request(
                _("Unexpected character %(char)r at position %(position)d.")
                % {"char": text[position], "position": position}
            )
        if match.lastgroup != "space":
            tokens.append(Token(match.lastgroup, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 date-time with its offset (or a date: midnight UTC), as an aware datetime."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(_("%r is not a valid date-time.") % text) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_name(self, *names: str) -> bool:
        return self.current.kind == "name" and self.current.text in names

    def at_punct(self, char: str) -> bool:
        return self.current.kind == "punct" and self.current.text == char

    def expect_punct(self, char: str) -> None:
        if not self.at_punct(char):
            raise self.error(_("expected %r") % char)
        self.advance()

    def error(self, what: str):
        token = self.current
        found = token.text or _("the end")
        return bad_request(
            _("Invalid expression at position %(position)d (%(found)s): %(what)s.")
            % {"position": token.position, "found": found, "what": what}
        )

    def expect_end(self) -> None:
        if self.current.kind != "end":
            raise self.error(_("expected the end of the expression"))

    # Grammar, loosest binding first.

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(_("the expression is nested too deeply"))
        node = self.or_expression()
        self.depth -= 1
        return node

    def or_expression(self) -> Node:
        node = self.and_expression()
        while self.at_name("or"):
            self.advance()
            node = Binary("or", node, self.and_expression())
        return node

    def and_expression(self) -> Node:
        node = self.not_expression()
        while self.at_name("and"):
            self.advance()
            node = Binary("and", node, self.not_expression())
        return node

    def not_expression(self) -> Node:
        if self.at_name("not"):
            self.advance()
            return Not(self.not_expression())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.at_name(*COMPARISONS):
            operator = self.advance().text
            node = Binary(operator, node, self.additive())
            if self.at_name(*COMPARISONS):
                raise self.error(_("comparisons cannot be chained, use and"))
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.at_name(*ADDITIVE):
            operator = self.advance().text
            node = Binary(operator, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.primary()
        while self.at_name(*MULTIPLICATIVE):
            operator = self.advance().text
            node = Binary(operator, node, self.primary())
        return node

    def primary(self) -> Node:
        token = self.current
        if self.at_punct("("):
            self.advance()
            node = self.expression()
            self.expect_punct(")")
            return node
        if token.kind == "string":
            self.advance()
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "geography":
            self.advance()
            return Literal(Geography(token.text[len("geography'") : -1]))
        if token.kind == "datetime":
            self.advance()
            return Literal(parse_datetime(token.text))
        if token.kind == "number":
            self.advance()
            text = token.text
            return Literal(float(text) if any(c in text for c in ".eE") else int(text))
        if token.kind == "name":
            return self.name()
        raise self.error(_("expected a value, a property or a function"))

    def name(self) -> Node:
        token = self.advance()
        if token.text in ("true", "false"):
            return Literal(token.text == "true")
        if token.text == "null":
            return Literal(None)
        if self.at_punct("("):
            self.advance()
            args: list[Node] = []
            if not self.at_punct(")"):
                args.append(self.expression())
                while self.at_punct(","):
                    self.advance()
                    args.append(self.expression())
            self.expect_punct(")")
            return Call(token.text.lower(), tuple(args))
        segments = [token.text]
        while self.at_punct("/"):
            self.advance()
            if self.current.kind != "name":
                raise self.error(_("expected a property name after /"))
            segments.append(self.advance().text)
        return Path(tuple(segments))


def parse_filter(text: str) -> Node:
    """The syntax tree of a `$filter` value, or StaError(400) saying where it is wrong."""
    parser = _Parser(text)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_orderby(text: str) -> list[OrderItem]:
    """`$orderby`: comma-separated expressions, each optionally followed by asc or desc."""
    parser = _Parser(text)
    items = []
    while True:
        expression = parser.expression()
        descending = False
        # Clients write ASC/DESC too (FROST's Python client does): the direction ignores case.
        if parser.current.kind == "name" and parser.current.text.lower() in ("asc", "desc"):
            descending = parser.advance().text.lower() == "desc"
        items.append(OrderItem(expression, descending))
        if not parser.at_punct(","):
            break
        parser.advance()
    parser.expect_end()
    return items
