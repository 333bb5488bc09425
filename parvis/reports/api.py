"""API of incident reports: the public record, and filing with photos (logged-in residents)."""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from parvis.core.api import ErrorOut, FieldErrorsOut, PageNumberPagination, ValidationErrorOut
from parvis.reports.models import Category
from parvis.reports.selectors import (
    ReportFilters,
    category_list,
    report_get_public,
    report_list_public,
)
from parvis.reports.services import report_create
from parvis.territories.selectors import territory_list_public, territory_scope_ids

router = Router(tags=["reports"])


class ReportOut(Schema):
    """A report as the public sees it: never the reporter's contact details."""

    id: int
    title: str
    description: str
    status: str
    category: str
    service_code: str
    territory: str
    district: str | None
    latitude: float | None
    longitude: float | None
    place: str
    created_at: datetime
    url: str

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_service_code(obj) -> str:
        return obj.category.service_code

    @staticmethod
    def resolve_territory(obj) -> str:
        return obj.territory.slug

    @staticmethod
    def resolve_district(obj) -> str | None:
        return obj.district.code if obj.district_id else None

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/signalements/{obj.pk}/"


class CategoryOut(Schema):
    id: int
    name: str
    group: str
    service_code: str
    territory: str

    @staticmethod
    def resolve_territory(obj) -> str:
        return obj.territory.slug


class ReportFilterIn(Schema):
    territory: Annotated[str | None, Query(max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")] = None
    status: Literal["open", "closed"] | None = None
    category: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None


class ReportIn(Schema):
    category: int
    title: str
    description: str
    latitude: float | None = None
    longitude: float | None = None
    place: str = ""
    show_name: bool = False


def _scope(territory_slug: str | None) -> set[int]:
    territories = territory_list_public()
    if territory_slug:
        return territory_scope_ids(territory=get_object_or_404(territories, slug=territory_slug))
    return set(territories.values_list("pk", flat=True))


@router.get("/categories", response=list[CategoryOut])
def list_categories(request):
    """What can be reported, per territory."""
    return list(category_list(territory_ids=_scope(None)))


@router.get("/reports", response={200: list[ReportOut], 404: ErrorOut, 422: ValidationErrorOut})
@paginate(PageNumberPagination, page_size=50)
def list_reports(request, filters: Query[ReportFilterIn]):
    """Public reports, newest first, filtered by territory slug, open/closed and category."""
    return report_list_public(
        territory_ids=_scope(filters.territory),
        filters=ReportFilters(status=filters.status or "", category=filters.category),
    )


@router.get(
    "/reports/{report_id}", response={200: ReportOut, 404: ErrorOut, 422: ValidationErrorOut}
)
def get_report(request, report_id: Annotated[int, Path(ge=1, le=2**63 - 1)]):
    return report_get_public(pk=report_id)


@router.post(
    "/reports",
    auth=django_auth,
    response={
        201: ReportOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
)
def create_report(request, data: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    """File a report as the logged-in resident; photos are re-encoded without metadata."""
    category = Category.objects.filter(pk=data.category, is_active=True).first()
    if category is None:
        return Status(
            400, {"detail": "Invalid input", "errors": {"category": ["Unknown category."]}}
        )
    try:
        report = report_create(
            category=category,
            title=data.title,
            description=data.description,
            latitude=data.latitude,
            longitude=data.longitude,
            place=data.place,
            photos=photos or [],
            reporter=request.user,
            show_name=data.show_name or None,
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return Status(400, {"detail": "Invalid input", "errors": errors})
    return Status(201, report)
