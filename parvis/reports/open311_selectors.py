"""Reads behind the Open311 GeoReport v2 API: jurisdictions, services, public reports, updates.

An Open311 client sees exactly what the public site shows: reports neither hidden by moderation
nor merged into another one, their public timeline and their visible photos, and never anything
about the person who reported. A jurisdiction is a territory (its slug); it reaches the territory
and, for an intercommunalité, its member communes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from parvis.reports.choices import OPEN_STATUSES, EventKind, ReportStatus
from parvis.reports.models import Category, Open311Client, Report, ReportEvent, ReportPhoto
from parvis.territories.models import Territory
from parvis.territories.selectors import (
    territory_get_public,
    territory_list_public,
    territory_locate,
    territory_scope_ids,
)

# The spec's "default query limit": at most 1000 results, over at most 90 days.
MAX_RESULTS = 1000

# Our statuses in mySociety's extended Open311 vocabulary (FixMyStreet, open311-adapter).
EXTENDED_STATUS: dict[str, str] = {
    ReportStatus.NEW: "open",
    ReportStatus.ACKNOWLEDGED: "investigating",
    ReportStatus.SCHEDULED: "action_scheduled",
    ReportStatus.IN_PROGRESS: "in_progress",
    ReportStatus.RESOLVED: "fixed",
    ReportStatus.REJECTED: "no_further_action",
    ReportStatus.DUPLICATE: "duplicate",
    ReportStatus.TRANSFERRED: "not_councils_responsibility",
}
# Public steps of a timeline that a client sees as "service request updates".
UPDATE_KINDS = (
    EventKind.STATUS,
    EventKind.PUBLIC_UPDATE,
    EventKind.REOPENED,
    EventKind.FIX_CONFIRMED,
)
# Steps that set the status; their text is the report's "status notes".
STATUS_KINDS = (EventKind.STATUS, EventKind.REOPENED)
# Never loaded for Open311: only staff see how to reach the reporter.
REPORTER_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "reporter_address")


class Open311Error(Exception):
    """A request the API refuses: the HTTP status and, for the user, why (one or more reasons)."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


@dataclass(frozen=True)
class Jurisdiction:
    """What an Open311 call is about: one territory and its communes, or the whole platform."""

    territory: Territory | None
    territory_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return self.territory.name if self.territory else _("the whole platform")


def open311_jurisdiction_list() -> QuerySet[Territory]:
    """The territories a client may name as jurisdiction_id, intercommunalités first."""
    return territory_list_public()


def open311_jurisdiction(*, jurisdiction_id: str) -> Jurisdiction:
    """The jurisdiction named by its slug; none given means every territory served.

    Raises Open311Error(404) for an unknown or inactive territory.
    """
    if not jurisdiction_id:
        ids = territory_list_public().values_list("pk", flat=True)
        return Jurisdiction(territory=None, territory_ids=frozenset(ids))
    try:
        territory = territory_get_public(slug=jurisdiction_id)
    except Http404:
        raise Open311Error(
            404, _("jurisdiction_id %(id)s was not found.") % {"id": jurisdiction_id}
        ) from None
    return Jurisdiction(
        territory=territory, territory_ids=frozenset(territory_scope_ids(territory=territory))
    )


def open311_jurisdiction_for_filing(*, jurisdiction_id: str, client: Open311Client) -> Jurisdiction:
    """Where `client` may file a report in this call: the jurisdiction within the client's own
    territory (an application registered for a commune files only there).

    Without jurisdiction_id the platform's single root territory is meant; a platform serving
    several unrelated collectivités requires it (Open311Error 400). Open311Error 403 when the
    jurisdiction lies outside what the client's key allows.
    """
    if not jurisdiction_id:
        roots = list(territory_list_public().filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise Open311Error(
                400, _("jurisdiction_id was not provided: this platform serves several.")
            )
        jurisdiction_id = roots[0].slug
    jurisdiction = open311_jurisdiction(jurisdiction_id=jurisdiction_id)
    allowed = jurisdiction.territory_ids & territory_scope_ids(territory=client.territory)
    if not allowed:
        raise Open311Error(
            403,
            _("This api_key may not file reports in %(name)s.") % {"name": jurisdiction.name},
        )
    narrowed = allowed != jurisdiction.territory_ids
    return Jurisdiction(
        territory=client.territory if narrowed else jurisdiction.territory,
        territory_ids=frozenset(allowed),
    )


def _categories(territory_ids) -> QuerySet[Category]:
    return (
        Category.objects.for_territories(territory_ids)
        .filter(is_active=True)
        .select_related("territory")
        .defer("territory__boundary")
        .order_by("group", "name", "pk")
    )


def _with_parents(territory_ids) -> set[int]:
    """The territories and the intercommunalités they belong to (whose services apply)."""
    parents = Territory.objects.filter(pk__in=territory_ids, parent__isnull=False).values_list(
        "parent_id", flat=True
    )
    return set(territory_ids) | set(parents)


def open311_service_list(*, jurisdiction: Jurisdiction) -> list[Category]:
    """The services (active categories) open to reports in the jurisdiction, one per code.

    A commune also offers its intercommunalité's services. When several communes share a code,
    the first by group and name stands for them: a report is routed by its position anyway.
    """
    seen: set[str] = set()
    services = []
    for category in _categories(_with_parents(jurisdiction.territory_ids)):
        if category.service_code not in seen:
            seen.add(category.service_code)
            services.append(category)
    return services


def open311_service_get(*, jurisdiction: Jurisdiction, service_code: str) -> Category:
    """One service of the jurisdiction by its code; Open311Error(404) if there is none."""
    category = (
        _categories(_with_parents(jurisdiction.territory_ids))
        .filter(service_code=service_code)
        .first()
    )
    if category is None:
        raise _service_not_found(service_code, jurisdiction)
    return category


def _service_not_found(service_code: str, jurisdiction: Jurisdiction) -> Open311Error:
    return Open311Error(
        404,
        _("service_code %(code)s was not found in %(name)s.")
        % {"code": service_code, "name": jurisdiction.name},
    )


def open311_category_for_filing(
    *,
    jurisdiction: Jurisdiction,
    service_code: str,
    latitude: float | None,
    longitude: float | None,
) -> Category:
    """The category a new report with `service_code` goes to.

    A located report belongs to the commune where the problem is, which must lie in the
    jurisdiction; that commune's own category wins over its intercommunalité's. A report without
    a position belongs to the category's territory, so the code must name exactly one category
    of the jurisdiction. Raises Open311Error: 400 (outside, ambiguous), 404 (unknown code).
    """
    if latitude is not None and longitude is not None:
        located = territory_locate(latitude=latitude, longitude=longitude)
        if located is None or located.pk not in jurisdiction.territory_ids:
            raise Open311Error(
                400,
                _("lat/long is outside %(name)s.") % {"name": jurisdiction.name},
            )
        places = [located.pk] + ([located.parent_id] if located.parent_id else [])
        candidates = sorted(
            _categories(places).filter(service_code=service_code),
            key=lambda category: category.territory_id != located.pk,
        )
    else:
        candidates = list(
            _categories(jurisdiction.territory_ids).filter(service_code=service_code)[:2]
        )
        if not candidates and (
            _categories(_with_parents(jurisdiction.territory_ids))
            .filter(service_code=service_code)
            .exists()
        ):
            raise Open311Error(
                400,
                _(
                    "service_code %(code)s is handled by the intercommunalité for its communes: "
                    "give lat and long so the report reaches the right commune."
                )
                % {"code": service_code},
            )
        if len(candidates) > 1:
            raise Open311Error(
                400,
                _(
                    "Several communes offer service_code %(code)s: give lat and long, or the "
                    "commune as jurisdiction_id."
                )
                % {"code": service_code},
            )
    if not candidates:
        raise _service_not_found(service_code, jurisdiction)
    return candidates[0]


@dataclass(frozen=True)
class RequestFilters:
    """GET Service Requests filters; `ids` override all the others, as the spec says."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    open: bool | None = None  # None: open and closed
    start: datetime | None = None
    end: datetime | None = None


def _public_requests(territory_ids) -> QuerySet[Report]:
    """Public reports with what Open311 shows of them, in a fixed number of queries."""
    last_status_note = (
        ReportEvent.objects.filter(report=OuterRef("pk"), is_public=True, kind__in=STATUS_KINDS)
        .order_by("-at", "-pk")
        .values("text")[:1]
    )
    # Open311 shows one photo (media_url): its id comes with the row, no second query.
    first_public_photo = (
        ReportPhoto.objects.filter(report=OuterRef("pk"), is_hidden=False)
        .order_by("created_at", "pk")
        .values("pk")[:1]
    )
    return (
        Report.objects.for_territories(territory_ids)
        .visible_to_public()
        .select_related("category", "department", "district")
        .defer(*REPORTER_FIELDS, "district__area")  # nor the district's outline
        .annotate(
            status_note=Subquery(last_status_note), media_photo_id=Subquery(first_public_photo)
        )
    )


def open311_request_list(*, jurisdiction: Jurisdiction, filters: RequestFilters) -> list[Report]:
    """Public reports of the jurisdiction matching `filters`, newest first, at most 1000."""
    reports = _public_requests(jurisdiction.territory_ids)
    if filters.ids:
        reports = reports.filter(pk__in=filters.ids)
    else:
        if filters.service_codes:
            reports = reports.filter(category__service_code__in=filters.service_codes)
        if filters.open is True:
            reports = reports.filter(status__in=OPEN_STATUSES)
        elif filters.open is False:
            reports = reports.exclude(status__in=OPEN_STATUSES)
        if filters.start is not None:
            reports = reports.filter(created_at__gte=filters.start)
        if filters.end is not None:
            reports = reports.filter(created_at__lt=filters.end)
    return list(reports.order_by("-created_at", "-pk")[:MAX_RESULTS])


def open311_request_get(*, jurisdiction: Jurisdiction, pk: str) -> Report:
    """One public report of the jurisdiction; Open311Error(404) otherwise."""
    found = (
        list(_public_requests(jurisdiction.territory_ids).filter(pk=int(pk)).order_by()[:1])
        if pk.isascii() and pk.isdigit() and len(pk) <= 18
        else []
    )  # not .first(): its ORDER BY pk costs SQL compilation and orders one row
    report = found[0] if found else None
    if report is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": pk})
    return report


def open311_request_for_token(*, jurisdiction: Jurisdiction, token: str) -> Report:
    """The public report a POST answered with `token`; Open311Error(404) otherwise."""
    report = (
        Report.objects.for_territories(jurisdiction.territory_ids)
        .visible_to_public()
        .only("pk", "token")
        .filter(token=token)
        .first()
    )
    if report is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    return report


def open311_update_list(
    *, jurisdiction: Jurisdiction, start: datetime, end: datetime
) -> list[ReportEvent]:
    """Public timeline steps of public reports in [start, end), oldest first, at most 1000.

    Each step carries `status_then`, the report's status right after it (a public update
    without a status change keeps the status set before it).
    """
    status_then = (
        ReportEvent.objects.filter(
            report=OuterRef("report"), kind__in=STATUS_KINDS, pk__lte=OuterRef("pk")
        )
        .exclude(to_status="")
        .order_by("-pk")
        .values("to_status")[:1]
    )
    return list(
        ReportEvent.objects.filter(
            report__territory_id__in=jurisdiction.territory_ids,
            report__is_hidden=False,
            report__duplicate_of__isnull=True,
            is_public=True,
            kind__in=UPDATE_KINDS,
            at__gte=start,
            at__lt=end,
        )
        .annotate(status_then=Coalesce(Subquery(status_then), Value(ReportStatus.NEW.value)))
        .only("pk", "report_id", "kind", "text", "at")
        .order_by("at", "pk")[:MAX_RESULTS]
    )


def open311_changeset() -> datetime | None:
    """When the service list or the jurisdictions last changed (clients refresh their cache)."""
    moments = [
        Category.objects.aggregate(at=Max("updated_at"))["at"],
        Territory.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    return max((moment for moment in moments if moment is not None), default=None)
