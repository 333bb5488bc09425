"""Reads of the reports domain, always scoped by territory and visibility."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from statistics import median, quantiles

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from parvis.core.caching import generation_cached
from parvis.reports.caching import GENERATION as REPORTS
from parvis.reports.choices import OPEN_STATUSES, ReportStatus
from parvis.reports.models import (
    Category,
    Open311Client,
    Report,
    ReportEvent,
    ReportPhoto,
    ResponseTemplate,
)
from parvis.territories.selectors import (
    TERRITORIES,
    department_list_in,
    district_list_in,
    territory_scope_ids,
)

EARTH_RADIUS_M = 6_371_000


# Outlines of territories and districts (GeoJSON, kilobytes each on a real map): never shown with
# a report, so never loaded with one (each row would parse them).
OUTLINES = ("territory__boundary", "district__area")


def category_list(*, territory_ids) -> QuerySet[Category]:
    """Active categories of the given territories, by group then name."""
    return (
        Category.objects.for_territories(territory_ids)
        .filter(is_active=True)
        .select_related("territory", "department")
        .defer("territory__boundary")
        .order_by("group", "name")
    )


def queue_filter_choices(*, territory) -> dict[str, list[tuple[int, str]]]:
    """What a territory's triage queue filters by, as (id, name) pairs: the categories and
    departments of its scope and of its EPCI, the districts of its scope. Kept until the reports
    (categories among them) or the territories (districts, departments) change."""

    def load() -> dict[str, list[tuple[int, str]]]:
        scope = territory_scope_ids(territory=territory)
        with_epci = scope | {territory.parent_id}
        return {
            "category": [(c.pk, str(c)) for c in category_list(territory_ids=with_epci)],
            "district": list(district_list_in(territory_ids=scope).values_list("pk", "name")),
            "department": list(
                department_list_in(territory_ids=with_epci).values_list("pk", "name")
            ),
        }

    return generation_cached(
        f"parvis:queue-filter-choices:{territory.pk}",
        load,
        generations=(REPORTS, TERRITORIES),
        seconds=300,
    )


def category_list_for_place(*, territory) -> QuerySet[Category]:
    """What can be reported in a commune: its own categories and those of its EPCI."""
    ids = {territory.pk} | ({territory.parent_id} if territory.parent_id else set())
    return category_list(territory_ids=ids)


def _public_base(territory_ids) -> QuerySet[Report]:
    return (
        Report.objects.for_territories(territory_ids)
        .visible_to_public()
        .select_related("category", "district", "territory")
        .defer(*OUTLINES)
    )


@dataclass(frozen=True)
class ReportFilters:
    status: str = ""  # a status, or "open" / "closed"
    category: int | None = None
    district: int | None = None
    priority: int | None = None
    overdue: bool = False
    department: int | None = None
    assignee: int | None = None


def _filter(queryset: QuerySet[Report], filters: ReportFilters) -> QuerySet[Report]:
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.district:
        queryset = queryset.filter(district_id=filters.district)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.department:
        queryset = queryset.filter(department_id=filters.department)
    if filters.assignee:
        queryset = queryset.filter(assignee_id=filters.assignee)
    if filters.overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    return queryset


def report_list_public(*, territory_ids, filters: ReportFilters) -> QuerySet[Report]:
    """Reports anyone can see, newest first."""
    return _filter(_public_base(territory_ids), filters).order_by("-created_at", "-pk")


QUEUE_ORDERINGS = {
    "due": ("due_at", "pk"),
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "-priority": ("-priority", "due_at", "pk"),
}


def report_list_for_queue(
    *, territory_ids, filters: ReportFilters, ordering: str = "due"
) -> QuerySet[Report]:
    """The triage queue: every report of the staff member's territories, hidden ones too."""
    return _filter(
        Report.objects.for_territories(territory_ids)
        .select_related("category", "district", "department", "assignee", "territory")
        .defer(*OUTLINES),
        filters,
    ).order_by(*QUEUE_ORDERINGS.get(ordering, QUEUE_ORDERINGS["due"]))


def report_get_public(*, pk: int) -> Report:
    """A report as the public sees it (staff use `report_get_for_staff`), with its
    `public_events` and `public_photos` (two plain queries: a prefetch costs more for one row)."""
    try:
        report = (
            Report.objects.visible_to_public()
            .select_related("category", "district", "territory")
            .defer(*OUTLINES)
            .get(pk=pk)
        )
    except (Report.DoesNotExist, ValueError):
        raise Http404 from None
    # In their models' order: the timeline by time, photos as they were added.
    report.public_events = list(ReportEvent.objects.filter(report=report, is_public=True))
    report.public_photos = list(ReportPhoto.objects.filter(report=report, is_hidden=False))
    return report


def report_queryset_for_staff() -> QuerySet[Report]:
    return (
        Report.objects.select_related(
            "category", "district", "territory", "department", "assignee", "duplicate_of"
        )
        .defer(*OUTLINES)
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("author")),
            "photos",
        )
    )


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def report_list_nearby_open(
    *, category: Category, latitude: float, longitude: float, radius_m: float = 250
) -> list[tuple[Report, float]]:
    """Open public reports of the same category within `radius_m`, nearest first.

    A bounding box narrows the rows in the database (index on latitude, longitude); the exact
    distance is computed in Python on the few that remain.
    """
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    candidates = (
        Report.objects.visible_to_public()
        .filter(
            category=category,
            status__in=OPEN_STATUSES,
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
        .select_related("category")[:50]
    )
    found = [
        (report, _distance_m(latitude, longitude, report.latitude, report.longitude))
        for report in candidates
    ]
    return sorted((pair for pair in found if pair[1] <= radius_m), key=lambda pair: pair[1])


def report_geojson(reports) -> dict:
    """A GeoJSON FeatureCollection of located reports (public fields only)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(report.pk),
                "geometry": {"type": "Point", "coordinates": [report.longitude, report.latitude]},
                "properties": {
                    "title": report.title,
                    "category": report.category.name,
                    "status": report.status,
                    "status_label": str(report.get_status_display()),
                    "created_at": report.created_at.isoformat(),
                    "url": f"/signalements/{report.pk}/",
                },
            }
            for report in reports
            if report.latitude is not None
        ],
    }


def open311_client_for_key(*, api_key: str) -> Open311Client | None:
    if not api_key:
        return None
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    return (
        Open311Client.objects.filter(key_prefix=api_key[:8], key_hash=digest, is_active=True)
        .select_related("territory")
        .defer("territory__boundary")
        .first()
    )


# --- Statistics, for the dashboard and open data -------------------------------------


def report_counts(*, territory_ids, by: str) -> list[dict]:
    """Counts by "category", "district", "status" or "month" (public reports)."""
    fields = {
        "category": "category__name",
        "district": "district__name",
        "status": "status",
    }
    queryset = Report.objects.for_territories(territory_ids).filter(duplicate_of__isnull=True)
    if by == "month":
        return list(
            queryset.annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )
    field = fields[by]
    return list(queryset.values(field).annotate(count=Count("pk")).order_by("-count", field))


def report_resolution_stats(*, territory_ids) -> dict:
    """Median and p90 resolution time (hours) and the on-time rate of resolved reports."""
    resolved = Report.objects.for_territories(territory_ids).filter(
        status=ReportStatus.RESOLVED, resolved_at__isnull=False
    )
    rows = list(resolved.values_list("created_at", "resolved_at", "due_at"))
    hours = sorted((done - created).total_seconds() / 3600 for created, done, _due in rows)
    on_time = sum(1 for _created, done, due in rows if done <= due)
    return {
        "resolved": len(rows),
        "median_hours": round(median(hours), 1) if hours else None,
        "p90_hours": round(quantiles(hours, n=10, method="inclusive")[-1], 1)
        if len(hours) >= 2
        else (round(hours[0], 1) if hours else None),
        "on_time_rate": round(100 * on_time / len(rows), 1) if rows else None,
        "open": Report.objects.for_territories(territory_ids)
        .filter(Q(status__in=OPEN_STATUSES))
        .count(),
    }


def staff_agents(*, territory):
    """People who can be assigned reports of a territory (its handlers)."""
    from django.contrib.auth import get_user_model

    from parvis.accounts.choices import Role

    ids = {territory.pk} | ({territory.parent_id} if territory.parent_id else set())
    return (
        get_user_model()
        .objects.filter(
            memberships__territory_id__in=ids,
            memberships__role__in=[Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN],
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def _report_scope(report) -> set[int]:
    return {report.territory_id} | (
        {report.territory.parent_id} if report.territory.parent_id else set()
    )


def departments_for_report(*, report):
    """Departments a report may be handed to: its commune's and its EPCI's."""
    return department_list_in(territory_ids=_report_scope(report))


def response_templates_for(*, report):
    """Ready-made answers for the report's territory, general or for its category."""
    return ResponseTemplate.objects.for_territories(_report_scope(report)).filter(
        Q(category__isnull=True) | Q(category=report.category_id)
    )


def category_list_for_config(*, territory) -> QuerySet[Category]:
    """Every category of one territory, closed ones too (its administrators' list)."""
    return (
        Category.objects.filter(territory=territory)
        .select_related("department")
        .order_by("-is_active", "group", "name")
    )


def response_template_list_for_config(*, territory) -> QuerySet[ResponseTemplate]:
    """The ready-made answers of one territory, by status then title."""
    return ResponseTemplate.objects.filter(territory=territory).select_related("category")


def open311_client_list(*, territory) -> QuerySet[Open311Client]:
    """The applications registered for one territory, active first, newest first."""
    return Open311Client.objects.filter(territory=territory).order_by("-is_active", "-created_at")
