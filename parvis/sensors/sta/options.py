"""Query options of a request (`$top`, `$skip`, `$count`, `$filter`, `$orderby`, `$select`,
`$expand`, `$resultFormat`), parsed and checked before any database access.

`$expand` nests: `Datastreams/Observations($top=5;$orderby=phenomenonTime desc),Sensor` is a
tree of navigation properties, each with its own options (separated by `;` inside brackets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from parvis.sensors.sta.errors import bad_request
from parvis.sensors.sta.filters import Node, OrderItem, parse_filter, parse_orderby

DEFAULT_TOP = 100
MAX_TOP = 1000
MAX_EXPAND_DEPTH = 4
KNOWN = ("$top", "$skip", "$count", "$filter", "$orderby", "$select", "$expand", "$resultFormat")
DATA_ARRAY = "dataArray"


@dataclass
class Expand:
    """A navigation property to include in each entity, with the options of its content."""

    name: str
    options: QueryOptions


@dataclass
class QueryOptions:
    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False
    filter: Node | None = None
    orderby: list[OrderItem] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    expand: list[Expand] = field(default_factory=list)
    result_format: str = ""
    raw: dict[str, str] = field(default_factory=dict)  # as written, to build next links


def _integer(raw: Mapping[str, str], name: str, default: int) -> int:
    text = raw.get(name, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise bad_request(_("%s must be a non-negative integer.") % name)
    return int(text)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside brackets and quoted strings (`''` escapes a quote)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise bad_request(_("Unbalanced brackets in %r.") % text)
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth or quoted:
        raise bad_request(_("Unbalanced brackets or quotes in %r.") % text)
    parts.append(text[start:])
    return parts


def parse_options(raw: Mapping[str, str], *, depth: int = 0) -> QueryOptions:
    """The options of a request (or of an expanded property); StaError(400) when invalid."""
    unknown = [name for name in raw if name.startswith("$") and name not in KNOWN]
    if unknown:
        raise bad_request(_("Unknown query option %s.") % ", ".join(sorted(unknown)))
    count = raw.get("$count", "false").strip().lower()
    if count not in ("true", "false"):
        raise bad_request(_("$count must be true or false."))
    result_format = raw.get("$resultFormat", "").strip()
    if result_format and result_format != DATA_ARRAY:
        raise bad_request(_("$resultFormat supports dataArray only."))
    filter_text = raw.get("$filter", "").strip()
    orderby_text = raw.get("$orderby", "").strip()
    select = [name.strip() for name in raw.get("$select", "").split(",") if name.strip()]
    return QueryOptions(
        top=min(_integer(raw, "$top", DEFAULT_TOP), MAX_TOP),
        skip=_integer(raw, "$skip", 0),
        count=count == "true",
        filter=parse_filter(filter_text) if filter_text else None,
        orderby=parse_orderby(orderby_text) if orderby_text else [],
        select=["id" if name == "@iot.id" else name for name in select],
        expand=parse_expand(raw.get("$expand", ""), depth=depth),
        result_format=result_format,
        raw={name: value for name, value in raw.items() if name in KNOWN},
    )


def parse_expand(text: str, *, depth: int = 0) -> list[Expand]:
    """`$expand`: items separated by commas, paths by slashes, options in brackets.

    Items sharing their first navigation property are merged, so `Datastreams/Sensor,
    Datastreams/ObservedProperty` expands the datastreams once with both inside.
    """
    if not text.strip():
        return []
    merged: dict[str, Expand] = {}
    for item in split_top_level(text, ","):
        item = item.strip()
        path, _bracket, rest = item.partition("(")
        if rest and not rest.endswith(")"):
            raise bad_request(_("Invalid $expand item %r.") % item)
        segments = [segment.strip() for segment in path.split("/")]
        if not all(segments):
            raise bad_request(_("Invalid $expand item %r.") % item)
        if depth + len(segments) > MAX_EXPAND_DEPTH:
            raise bad_request(_("$expand is nested deeper than %d levels.") % MAX_EXPAND_DEPTH)
        options = _bracket_options(rest[:-1], depth=depth + len(segments)) if rest else None
        expand = _chain(segments, options)
        _merge(merged, expand)
    return list(merged.values())


def _bracket_options(text: str, *, depth: int) -> QueryOptions:
    raw: dict[str, str] = {}
    for part in split_top_level(text, ";"):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise bad_request(_("Invalid option %r in $expand.") % part)
        raw[name.strip()] = value.strip()
    return parse_options(raw, depth=depth)


def _chain(segments: list[str], options: QueryOptions | None) -> Expand:
    """`A/B/C(options)` -> A expanding B expanding C with the options."""
    expand = Expand(segments[-1], options or QueryOptions())
    for segment in reversed(segments[:-1]):
        expand = Expand(segment, QueryOptions(expand=[expand]))
    return expand


def _merge(merged: dict[str, Expand], expand: Expand) -> None:
    current = merged.get(expand.name)
    if current is None:
        merged[expand.name] = expand
        return
    inner = {item.name: item for item in current.options.expand}
    for item in expand.options.expand:
        _merge(inner, item)
    if expand.options.raw:  # the item written with options gives them
        current.options = expand.options
    current.options.expand = list(inner.values())
