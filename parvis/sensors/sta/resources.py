"""Resource paths: `Things`, `Things(1)`, `Things(1)/Datastreams`, `Datastreams(3)/Thing/name`,
`Things(1)/name/$value`, `Things(1)/Datastreams/$ref`; and what reading each one answers.

Ids are written bare (`Things(1)`) or quoted (`Observations('3-1700000000000000')`). Every
step starts again from the public querysets, so a path never reaches what a list would not
show: a hidden entity answers 404 exactly like a missing one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from parvis.sensors.sta import render
from parvis.sensors.sta.entities import ENTITY_TYPES, EntityType
from parvis.sensors.sta.errors import bad_request, not_found
from parvis.sensors.sta.options import QueryOptions

CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
]
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<id>[^()]*)\))?$")


@dataclass
class Resource:
    """What a path addresses: a collection, one entity, a property of one, or references."""

    entity: EntityType
    queryset: QuerySet
    single: bool = False
    property: str = ""
    raw_value: bool = False
    references: bool = False
    # The entity the path navigated from, and how: `Datastreams(3)/Observations`.
    parent: Any = None
    via: str = ""
    row: Any = None

    def get(self):
        """The one row of a single-entity path (read once), or 404."""
        if self.row is None:
            self.row = self.queryset.order_by(*self.entity.order).first()
        if self.row is None:
            raise not_found(_("No such %s.") % self.entity.singular)
        return self.row


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    return raw


def resource_resolve(path: str) -> Resource:
    """The resource a path names; 404 for an unknown entity set or entity, 400 when malformed."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        raise not_found(_("Empty path."))
    match = _SEGMENT.match(segments[0])
    entity = ENTITY_TYPES.get(match["name"]) if match else None
    if entity is None:
        raise not_found(_("No entity set %s.") % segments[0])
    resource = Resource(entity, entity.queryset())
    if match["id"] is not None:
        resource.queryset = resource.queryset.filter(entity.id_filter(_unquote(match["id"])))
        resource.single = True
    for index, segment in enumerate(segments[1:], start=1):
        last = index == len(segments) - 1
        if segment == "$ref" and last and not resource.property:
            resource.references = True
        elif segment == "$value" and last and resource.property:
            resource.raw_value = True
        elif resource.property:
            raise bad_request(_("Nothing can follow the property %s.") % resource.property)
        else:
            resource = _step(resource, segment)
    return resource


def _step(resource: Resource, segment: str) -> Resource:
    match = _SEGMENT.match(segment)
    if match is None:
        raise bad_request(_("Invalid path segment %s.") % segment)
    entity = resource.entity
    relation = entity.relation(match["name"])
    if relation is None:
        name = "id" if segment == "@iot.id" else segment
        if resource.single and match["id"] is None and name in entity.properties:
            resource.get()  # 404 before answering about a property of nothing
            resource.property = name
            return resource
        raise not_found(
            _("%(entity)s has no property %(name)s.") % {"entity": entity.singular, "name": segment}
        )
    if not resource.single:
        raise bad_request(_("Navigate from one entity: add its id before /%s.") % segment)
    row = resource.get()
    target = ENTITY_TYPES[relation.target]
    if relation.many:
        queryset = target.queryset().filter(**{relation.reverse: row.pk})
        step = Resource(target, queryset, parent=row, via=relation.name)
        if match["id"] is not None:
            step.queryset = queryset.filter(target.id_filter(_unquote(match["id"])))
            step.single = True
        return step
    if match["id"] is not None:
        raise bad_request(_("%s is a single entity: it takes no id.") % segment)
    key = relation.target_keys([row])[0]
    return Resource(target, target.queryset().filter(pk=key), single=True, parent=row)


def resource_read(
    resource: Resource, options: QueryOptions, base: str, page_url: render.PageUrl
) -> dict[str, Any] | str:
    """The JSON document of a GET on the resource (a string for `$value`)."""
    entity = resource.entity
    if resource.property:
        document = render.property_document(entity, resource.get(), resource.property)
        if not resource.raw_value:
            return document
        value = next(iter(document.values()))
        return value if isinstance(value, str) else json.dumps(value)
    if resource.single:
        row = resource.get()
        if resource.references:
            return {"@iot.selfLink": entity.self_link(base, row)}
        return render.entity_document(entity, row, options, base)
    if resource.references:
        return render.references_json(entity, resource.queryset, options, base, page_url)
    return render.collection_json(entity, resource.queryset, options, base, page_url)


def service_root(base: str) -> dict[str, Any]:
    """The service root document: the entity sets and the conformance classes implemented.

    Only reading (with filtering, expansion, paging) and the dataArray extension (its result
    format and `CreateObservations`) are declared; creating Observations one by one works too,
    but the rest of create-update-delete does not, so that class is not claimed.
    """
    return {
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITY_TYPES],
        "serverSettings": {"conformance": CONFORMANCE},
    }
