"""From a `$filter` or `$orderby` syntax tree to Django ORM Q objects and expressions.

Properties resolve through `entities.ENTITY_TYPES` to ORM paths (navigation to one entity is a
join: `Datastream/Thing/name` -> `datastream__thing__name`). A comparison of a property with a
constant becomes a plain keyword lookup, so JSON members and choices are prepared by Django
itself; anything else becomes a lookup between expressions. OData functions map to Django
database functions; the geospatial ones and a few others answer 501.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Expression, F, Q, Value, lookups
from django.db.models import functions as fn
from django.utils.translation import gettext as _

from parvis.sensors.sta.entities import ENTITY_TYPES, EntityType, Prop, observation_key
from parvis.sensors.sta.errors import bad_request, not_implemented
from parvis.sensors.sta.filters import (
    Binary,
    Call,
    Geography,
    Literal,
    Node,
    Not,
    OrderItem,
    Path,
)

LOOKUPS = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
LOOKUP_CLASSES = {
    "eq": lookups.Exact,
    "gt": lookups.GreaterThan,
    "ge": lookups.GreaterThanOrEqual,
    "lt": lookups.LessThan,
    "le": lookups.LessThanOrEqual,
}
FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
PREDICATES = {
    "contains": ("contains", lookups.Contains, False),
    "substringof": ("contains", lookups.Contains, True),  # substringof(needle, haystack)
    "startswith": ("startswith", lookups.StartsWith, False),
    "endswith": ("endswith", lookups.EndsWith, False),
}
EXTRACTS = {
    "year": fn.ExtractYear,
    "month": fn.ExtractMonth,
    "day": fn.ExtractDay,
    "hour": fn.ExtractHour,
    "minute": fn.ExtractMinute,
    "second": fn.ExtractSecond,
}
UNARY = {
    "length": fn.Length,
    "tolower": fn.Lower,
    "toupper": fn.Upper,
    "trim": fn.Trim,
    "round": fn.Round,
    "floor": fn.Floor,
    "ceiling": fn.Ceil,
}
# Functions of SensorThings 1.1 (OData 4.0 subset) this server does not implement.
NOT_IMPLEMENTED = {
    "fractionalseconds",
    "totaloffsetminutes",
    "mindatetime",
    "maxdatetime",
    "geo.distance",
    "geo.length",
    "geo.intersects",
    "st_equals",
    "st_disjoint",
    "st_touches",
    "st_within",
    "st_overlaps",
    "st_crosses",
    "st_intersects",
    "st_contains",
    "st_relate",
    "any",
    "all",
}


@dataclass(frozen=True)
class Ref:
    """A property resolved to its ORM path; `composite` is an Observation's (datastream, time)."""

    orm: str
    prop: Prop
    composite: bool = False


Operand = Ref | Literal | Expression


def resolve(entity: EntityType, segments: tuple[str, ...]) -> Ref:
    """Follow a property path through to-one navigation properties to an ORM path."""
    prefix, current = "", entity
    for index, segment in enumerate(segments):
        relation = current.relation(segment)
        if relation is not None:
            if relation.orm is None:
                raise not_implemented(
                    _("%(path)s: conditions on a collection (%(name)s) are not supported.")
                    % {"path": "/".join(segments), "name": segment}
                )
            prefix, current = prefix + relation.orm, ENTITY_TYPES[relation.target]
            continue
        name = "id" if segment == "@iot.id" else segment
        prop = current.properties.get(name)
        if prop is None:
            raise bad_request(
                _("%(entity)s has no property %(name)s.")
                % {"entity": current.singular, "name": segment}
            )
        rest = segments[index + 1 :]
        if name == "id" and current.composite_id and not rest:
            return Ref(prefix, prop, composite=True)
        if not rest and prop.field is not None:
            return Ref(prefix + prop.field, prop)
        if len(rest) == 1 and rest[0] in prop.members:
            return Ref(prefix + prop.members[rest[0]], Prop(prop.members[rest[0]]))
        if rest and prop.json_field:
            return Ref("__".join([prefix + prop.json_field, *rest]), Prop(prop.json_field))
        raise bad_request(_("%(path)s cannot be used in a query.") % {"path": "/".join(segments)})
    raise bad_request(_("%(path)s names an entity, not a property.") % {"path": "/".join(segments)})


class Compiler:
    """Compiles expressions about one entity type (the rows of the collection queried)."""

    def __init__(self, entity: EntityType) -> None:
        self.entity = entity

    # Conditions.

    def condition(self, node: Node) -> Q:
        """A boolean expression as a Q object (400 when the expression is not a condition)."""
        if isinstance(node, Binary) and node.operator in ("and", "or"):
            left, right = self.condition(node.left), self.condition(node.right)
            return left & right if node.operator == "and" else left | right
        if isinstance(node, Not):
            return ~self.condition(node.operand)
        if isinstance(node, Binary) and node.operator in FLIPPED:
            return self.comparison(node.operator, node.left, node.right)
        if isinstance(node, Call) and node.name in PREDICATES:
            return self.predicate(node)
        if isinstance(node, Literal) and isinstance(node.value, bool):
            return Q() if node.value else Q(pk__in=[])
        if isinstance(node, Call):
            self.function(node)  # 501 for unsupported functions, 400 for unknown ones
        raise bad_request(_("$filter must be a condition (a comparison, a function or and/or)."))

    def comparison(self, operator: str, left_node: Node, right_node: Node) -> Q:
        for this, other in ((left_node, right_node), (right_node, left_node)):
            if (
                operator in ("eq", "ne")
                and isinstance(this, Call)
                and this.name in PREDICATES
                and isinstance(other, Literal)
                and isinstance(other.value, bool)
            ):
                truth = other.value == (operator == "eq")
                return self.predicate(this) if truth else ~self.predicate(this)
        left, right = self.operand(left_node), self.operand(right_node)
        if isinstance(left, Literal) and isinstance(right, Ref):
            left, right, operator = right, left, FLIPPED[operator]
        if isinstance(left, Ref) and left.composite:
            return self._observation_id(left, operator, right)
        if isinstance(left, Ref) and isinstance(right, Literal):
            value = self._prepared(left, right.value)
            if value is None and operator in ("eq", "ne"):
                return Q(**{f"{left.orm}__isnull": operator == "eq"})
            if value is None:
                return Q(pk__in=[])  # nothing is greater or less than null
            if operator == "ne":
                return ~Q(**{f"{left.orm}__exact": value})
            return Q(**{f"{left.orm}__{LOOKUPS[operator]}": value})
        lhs, rhs = self.expression(left), self.rhs(right)
        if rhs is None:
            is_null = lookups.IsNull(lhs, True)
            return Q(is_null) if operator == "eq" else ~Q(is_null)
        if operator == "ne":
            return ~Q(lookups.Exact(lhs, rhs))
        return Q(LOOKUP_CLASSES[operator](lhs, rhs))

    def _prepared(self, ref: Ref, value: object) -> object:
        if isinstance(value, str) and ref.prop.choices:
            if value not in ref.prop.choices:
                raise bad_request(
                    _("%(value)r is not one of %(choices)s.")
                    % {"value": value, "choices": ", ".join(ref.prop.choices)}
                )
            return ref.prop.choices[value]
        return value

    def _observation_id(self, ref: Ref, operator: str, right: Operand) -> Q:
        if operator not in ("eq", "ne") or not isinstance(right, Literal):
            raise bad_request(_("An Observation id can only be compared with eq or ne to an id."))
        key = observation_key(str(right.value))
        match = (
            Q(
                **{
                    f"{ref.orm}datastream_id": key[0],
                    f"{ref.orm}phenomenon_time": key[1],
                }
            )
            if key
            else Q(pk__in=[])
        )
        return match if operator == "eq" else ~match

    def predicate(self, node: Call) -> Q:
        lookup, lookup_class, swapped = PREDICATES[node.name]
        if len(node.args) != 2:
            raise bad_request(_("%s() takes two arguments.") % node.name)
        haystack, needle = node.args[::-1] if swapped else node.args
        left, right = self.operand(haystack), self.operand(needle)
        if isinstance(left, Ref) and not left.composite and isinstance(right, Literal):
            if not isinstance(right.value, str):
                raise bad_request(_("%s() compares text with text.") % node.name)
            return Q(**{f"{left.orm}__{lookup}": right.value})
        return Q(lookup_class(self.expression(left), self.rhs(right)))

    # Values.

    def operand(self, node: Node) -> Operand:
        if isinstance(node, Literal) and isinstance(node.value, Geography):
            raise not_implemented(_("Geospatial values are not implemented."))
        if isinstance(node, Literal):
            return node
        if isinstance(node, Path):
            return resolve(self.entity, node.segments)
        if isinstance(node, Call):
            return self.function(node)
        if isinstance(node, Binary) and node.operator in ("add", "sub", "mul", "div", "mod"):
            left = self.expression(self.operand(node.left))
            right = self.expression(self.operand(node.right))
            if node.operator == "mod":
                return fn.Mod(left, right)
            return {
                "add": left + right,
                "sub": left - right,
                "mul": left * right,
                "div": left / right,
            }[node.operator]
        raise bad_request(_("A condition cannot be used as a value."))

    def expression(self, operand: Operand) -> Expression:
        if isinstance(operand, Ref):
            if operand.composite:
                raise bad_request(_("An Observation id can only be compared with eq or ne."))
            return F(operand.orm)
        if isinstance(operand, Literal):
            if operand.value is None:
                raise bad_request(_("null can only be compared with eq or ne."))
            return Value(operand.value)
        return operand

    def rhs(self, operand: Operand):
        """The right side of a lookup: constants stay plain values, prepared by the left side."""
        if isinstance(operand, Literal):
            return operand.value
        return self.expression(operand)

    def function(self, node: Call) -> Expression:
        name, args = node.name, node.args
        if name in NOT_IMPLEMENTED:
            raise not_implemented(_("The function %s() is not implemented.") % name)
        if name in PREDICATES:
            raise bad_request(_("%s() is a condition, not a value.") % name)
        if name == "now":
            self._arity(node, 0)
            return fn.Now()
        values = [self.expression(self.operand(arg)) for arg in args]
        if name in EXTRACTS:
            self._arity(node, 1)
            return EXTRACTS[name](values[0], tzinfo=dt.UTC)
        if name in UNARY:
            self._arity(node, 1)
            return UNARY[name](values[0])
        if name == "date":
            self._arity(node, 1)
            return fn.TruncDate(values[0], tzinfo=dt.UTC)
        if name == "time":
            self._arity(node, 1)
            return fn.TruncTime(values[0], tzinfo=dt.UTC)
        if name == "concat":
            self._arity(node, 2)
            return fn.Concat(*values, output_field=CharField())
        if name == "indexof":
            self._arity(node, 2)
            return fn.StrIndex(*values) - 1
        if name == "substring":
            if len(values) not in (2, 3):
                raise bad_request(_("substring() takes two or three arguments."))
            return fn.Substr(values[0], values[1] + 1, *values[2:])
        raise bad_request(_("Unknown function %s().") % name)

    @staticmethod
    def _arity(node: Call, count: int) -> None:
        if len(node.args) != count:
            raise bad_request(
                _("%(name)s() takes %(count)d argument(s).") % {"name": node.name, "count": count}
            )

    # Ordering.

    def ordering(self, items: list[OrderItem]) -> list:
        """`$orderby` items as ORM order expressions.

        No NULLS FIRST/LAST: almost no property is nullable, and PostgreSQL would not walk the
        (datastream, time) index of observations for an order that does not match it.
        """
        order = []
        for item in items:
            operand = self.operand(item.expression)
            if isinstance(operand, Literal):
                raise bad_request(_("$orderby needs properties, not constants."))
            if isinstance(operand, Ref) and operand.composite:
                fields = [
                    F(f"{operand.orm}{name}") for name in ("datastream_id", "phenomenon_time")
                ]
            else:
                fields = [self.expression(operand)]
            order.extend(field.desc() if item.descending else field.asc() for field in fields)
        return order
