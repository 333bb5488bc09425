"""Reading entities: filter, order, page, then JSON with links, `$select` and `$expand`.

The number of queries depends on the request, never on the number of rows: a page is one
query (plus one for `$count`), and each expanded navigation property is one more query for
the whole page. Expanded collections are cut per parent (see `_pages`), so
`Datastreams/Observations($top=5)` never loads a whole series.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from django.db import connection
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from parvis.sensors.sta.compile import Compiler
from parvis.sensors.sta.entities import ENTITY_TYPES, EntityType, Relation
from parvis.sensors.sta.errors import bad_request
from parvis.sensors.sta.options import DATA_ARRAY, QueryOptions

SELF_LINK = "selfLink"
# Characters left as they are in next links, so that they stay readable.
QUERY_SAFE = "$/,()';=:"
DATA_ARRAY_COMPONENTS = ("id", "phenomenonTime", "result", "resultTime", "resultQuality")

PageUrl = Callable[[int, int], str]  # (skip, top) -> the address of that page


def filtered(entity: EntityType, queryset: QuerySet, options: QueryOptions) -> QuerySet:
    if options.filter is None:
        return queryset
    return queryset.filter(Compiler(entity).condition(options.filter))


def ordering(entity: EntityType, options: QueryOptions) -> list:
    """The order asked, then the entity's key so that pages never overlap nor skip a row."""
    return [*Compiler(entity).ordering(options.orderby), *entity.order]


def _selection(entity: EntityType, options: QueryOptions) -> set[str]:
    selection = set(options.select)
    known = {"id", SELF_LINK, *entity.properties, *(rel.name for rel in entity.relations)}
    unknown = selection - known
    if unknown:
        raise bad_request(
            _("%(entity)s has no property %(names)s.")
            % {"entity": entity.singular, "names": ", ".join(sorted(unknown))}
        )
    return selection


def entity_json(entity: EntityType, row, base: str, selection: set[str]) -> dict[str, Any]:
    """An entity with its id, self link, properties and navigation links (all when no $select)."""
    link = entity.self_link(base, row)
    document: dict[str, Any] = {}
    if not selection or "id" in selection:
        document["@iot.id"] = entity.ident(row)
    if not selection or SELF_LINK in selection:
        document["@iot.selfLink"] = link
    for name, value in entity.serialize(row).items():
        if not selection or name in selection:
            document[name] = value
    for relation in entity.relations:
        if not selection or relation.name in selection:
            document[f"{relation.name}@iot.navigationLink"] = f"{link}/{relation.name}"
    return document


def render_rows(
    entity: EntityType, rows: list, options: QueryOptions, base: str
) -> list[dict[str, Any]]:
    """Rows as JSON entities, with their expanded navigation properties (one query each)."""
    selection = _selection(entity, options)
    if entity.prepare is not None and rows:
        entity.prepare(rows, selection)
    documents = [entity_json(entity, row, base, selection) for row in rows]
    for expand in options.expand:
        relation = entity.relation(expand.name)
        if relation is None:
            raise bad_request(
                _("%(entity)s has no navigation property %(name)s.")
                % {"entity": entity.singular, "name": expand.name}
            )
        if not rows:
            continue
        if relation.many:
            _expand_many(entity, rows, documents, relation, expand.options, base)
        else:
            _expand_one(rows, documents, relation, expand.options, base)
    return documents


def _expand_one(
    rows: list, documents: list[dict], relation: Relation, options: QueryOptions, base: str
) -> None:
    target = ENTITY_TYPES[relation.target]
    keys = relation.target_keys(rows)
    queryset = target.queryset().filter(pk__in={key for key in keys if key is not None})
    found = list(filtered(target, queryset, options).order_by(*target.order))
    rendered = dict(
        zip((row.pk for row in found), render_rows(target, found, options, base), strict=True)
    )
    for document, key in zip(documents, keys, strict=True):
        if key in rendered:
            document[relation.name] = rendered[key]


def _expand_many(
    entity: EntityType,
    rows: list,
    documents: list[dict],
    relation: Relation,
    options: QueryOptions,
    base: str,
) -> None:
    """Each row's page of a collection (`Datastreams`, `Observations`...), with its count and
    next link: one query for every row together (two on PostgreSQL for observations)."""
    target = ENTITY_TYPES[relation.target]
    parents = [row.pk for row in rows]
    queryset = filtered(
        target, target.queryset().filter(**{f"{relation.reverse}__in": parents}), options
    )
    counts = {}
    if options.count:
        counts = dict(
            queryset.order_by()
            .values(relation.reverse)
            .annotate(sta_count=Count("*"))
            .values_list(relation.reverse, "sta_count")
        )
    pages, more = _pages(target, queryset, relation, parents, options)
    kept = [child for parent in parents for child in pages.get(parent, [])]
    rendered = iter(render_rows(target, kept, options, base))
    next_page = {**options.raw, "$skip": options.skip + options.top, "$top": options.top}
    page = urlencode(next_page, quote_via=quote, safe=QUERY_SAFE)
    for row, document in zip(rows, documents, strict=True):
        document[relation.name] = [next(rendered) for _child in pages.get(row.pk, [])]
        if options.count:
            document[f"{relation.name}@iot.count"] = counts.get(row.pk, 0)
        if row.pk in more and options.top:
            link = entity.self_link(base, row)
            document[f"{relation.name}@iot.nextLink"] = f"{link}/{relation.name}?{page}"


def _pages(
    target: EntityType,
    queryset: QuerySet,
    relation: Relation,
    parents: list[int],
    options: QueryOptions,
) -> tuple[dict[int, list], set[int]]:
    """The `$skip`/`$top` page of children of each parent, and the parents with more after it.

    Children are ranked per parent (ROW_NUMBER over the parent); one row past the page tells
    there is a next one. Ranking observations would read whole series first, so where the
    database allows LIMIT inside a UNION ALL (PostgreSQL) the page of each parent is found by
    one index walk per parent, then only those rows are ranked.
    """
    order = ordering(target, options)
    skipped = options.skip
    if target.composite_id and connection.features.supports_slicing_ordering_in_compound:
        parts = [
            queryset.filter(**{relation.reverse: parent})
            .order_by(*order)
            .values_list("datastream_id", "phenomenon_time")[skipped : skipped + options.top + 1]
            for parent in parents
        ]
        queryset, skipped = queryset.filter(pk__in=list(parts[0].union(*parts[1:], all=True))), 0
    children = (
        queryset.annotate(
            sta_parent=F(relation.reverse),
            sta_rank=Window(RowNumber(), partition_by=F(relation.reverse), order_by=order),
        )
        .filter(sta_rank__gt=skipped, sta_rank__lte=skipped + options.top + 1)
        .order_by("sta_parent", "sta_rank")
    )
    pages: dict[int, list] = defaultdict(list)
    more: set[int] = set()
    for child in children:
        if child.sta_rank > skipped + options.top:
            more.add(child.sta_parent)
        else:
            pages[child.sta_parent].append(child)
    return pages, more


def collection_json(
    entity: EntityType, queryset: QuerySet, options: QueryOptions, base: str, page_url: PageUrl
) -> dict[str, Any]:
    """A page of a collection: `@iot.count` when asked, `@iot.nextLink` when more rows follow."""
    queryset = filtered(entity, queryset, options)
    document: dict[str, Any] = {}
    if options.count:
        document["@iot.count"] = queryset.order_by().count()
    ordered = queryset.order_by(*ordering(entity, options))
    rows = list(ordered[options.skip : options.skip + options.top + 1])
    if len(rows) > options.top:  # a next page, unless $top=0 (only the count is wanted)
        rows = rows[: options.top]
        if options.top:
            document["@iot.nextLink"] = page_url(options.skip + options.top, options.top)
    if options.result_format == DATA_ARRAY:
        document["value"] = data_array_json(entity, rows, options, base)
    else:
        document["value"] = render_rows(entity, rows, options, base)
    return document


def data_array_json(
    entity: EntityType, rows: list, options: QueryOptions, base: str
) -> list[dict[str, Any]]:
    """Observations grouped by datastream as compact tables (the dataArray extension)."""
    if entity.name != "Observations":
        raise bad_request(_("$resultFormat=dataArray applies to Observations only."))
    components = options.select or list(DATA_ARRAY_COMPONENTS)
    unknown = set(components) - set(DATA_ARRAY_COMPONENTS)
    if unknown:
        raise bad_request(_("Unknown dataArray component %s.") % ", ".join(sorted(unknown)))
    groups: dict[int, list[list]] = defaultdict(list)
    for row in rows:
        values = {"id": entity.ident(row), **entity.serialize(row)}
        groups[row.datastream_id].append([values[name] for name in components])
    return [
        {
            "Datastream@iot.navigationLink": f"{base}/Datastreams({datastream_id})",
            "components": components,
            "dataArray@iot.count": len(table),
            "dataArray": table,
        }
        for datastream_id, table in groups.items()
    ]


def entity_document(entity: EntityType, row, options: QueryOptions, base: str) -> dict[str, Any]:
    return render_rows(entity, [row], options, base)[0]


def property_document(entity: EntityType, row, name: str) -> dict[str, Any]:
    """`/Things(1)/name` -> {"name": ...}; `id` answers as `@iot.id`."""
    if name == "id":
        return {"@iot.id": entity.ident(row)}
    if entity.prepare is not None:
        entity.prepare([row], {name})
    return {name: entity.serialize(row)[name]}


def references_json(
    entity: EntityType, queryset: QuerySet, options: QueryOptions, base: str, page_url: PageUrl
) -> dict[str, Any]:
    """`.../$ref`: the self links of a collection, paged like the collection itself."""
    links_only = replace(options, select=[SELF_LINK], expand=[], result_format="")
    return collection_json(entity, queryset, links_only, base, page_url)
