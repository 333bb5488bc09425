"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/, in XML and JSON.

Applications list the services (report categories), file reports with their API key and follow
public reports. Every resource answers `.xml` and `.json`; errors are the spec's list of
{code, description}. Beyond the spec, as FixMyStreet (mySociety) does:

- `jurisdiction_id` is a territory's slug (see discovery); it scopes services and requests to
  the territory and, for an intercommunalité, its communes. Without it, GET calls cover every
  territory served; POST needs it only when the platform serves several collectivités.
- `extensions=1` on GET requests adds `extended_attributes` with mySociety's detailed status
  (investigating, action_scheduled, fixed, not_councils_responsibility, duplicate...).
- `servicerequestupdates.{fmt}` lists the public steps of reports' timelines (mySociety's GET
  Service Request Updates), with the detailed status after each step.
- POST accepts a `media` file (multipart), cleaned of its metadata like any photo.
- `media_url` is the address of the report's first public photo (the public photo page), and is
  left out when no photo is public.

Views stay thin: parse the parameters, check the key, call one selector or service, render
(the wire format is in `open311_protocol`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from parvis.reports.caching import reports_page_cache
from parvis.reports.choices import ReportStatus
from parvis.reports.models import Category, Report, ReportEvent
from parvis.reports.open311_protocol import (
    Document,
    error_document,
    open311_endpoint,
    param,
    param_list,
    period,
    render,
    w3c,
)
from parvis.reports.open311_selectors import (
    EXTENDED_STATUS,
    Jurisdiction,
    Open311Error,
    RequestFilters,
    open311_category_for_filing,
    open311_changeset,
    open311_jurisdiction,
    open311_jurisdiction_for_filing,
    open311_jurisdiction_list,
    open311_request_for_token,
    open311_request_get,
    open311_request_list,
    open311_service_get,
    open311_service_list,
    open311_update_list,
)
from parvis.reports.open311_services import open311_request_create
from parvis.reports.selectors import open311_client_for_key
from parvis.territories.selectors import territory_operator

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 4000
# Parameters of POST for the fields `report_create` validates, to say which one is wrong.
PARAMETER_OF_FIELD = {
    "reporter_email": "email",
    "reporter_phone": "phone",
    "reporter_name": "first_name, last_name",
    "latitude": "lat",
    "longitude": "long",
    "place": "address_string",
    "title": "description",
    "description": "description",
}


# --- Parsing ---------------------------------------------------------------------------


def _request_filters(params: QueryDict) -> RequestFilters:
    ids = param_list(params, "service_request_id")
    if ids:
        if not all(value.isascii() and value.isdigit() and len(value) <= 18 for value in ids):
            raise Open311Error(400, _("service_request_id must be numbers separated by commas."))
        return RequestFilters(ids=tuple(int(value) for value in ids))
    statuses = {value.lower() for value in param_list(params, "status")}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed, or both separated by a comma."))
    start, end = period(params)
    return RequestFilters(
        service_codes=tuple(param_list(params, "service_code")),
        open=("open" in statuses) if len(statuses) == 1 else None,
        start=start,
        end=end,
    )


def _coordinate(params: QueryDict, name: str, *, limit: int, errors: list[str]) -> float | None:
    raw = param(params, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        errors.append(
            _("%(name)s must be a number between -%(limit)d and %(limit)d (WGS84).")
            % {"name": name, "limit": limit}
        )
        return None
    return value


@dataclass(frozen=True)
class Submission:
    """A POST Service Request, checked: the service asked for, where, and the report itself."""

    service_code: str
    latitude: float | None
    longitude: float | None
    report: dict[str, Any] = field(default_factory=dict)  # open311_request_create arguments


def _submission(request: HttpRequest) -> Submission:
    """Parse a POST Service Request; Open311Error(400) lists every problem at once."""
    params, errors = request.POST, []
    service_code = param(params, "service_code")
    if not service_code:
        errors.append(_("service_code was not provided."))
    latitude = _coordinate(params, "lat", limit=90, errors=errors)
    longitude = _coordinate(params, "long", limit=180, errors=errors)
    place = param(params, "address_string")
    if (latitude is None) != (longitude is None) and not errors:
        errors.append(_("lat and long must be sent together."))
    if latitude is None and longitude is None and not place and not errors:
        errors.append(_("Give the location: lat and long, or address_string."))
    description = (params.get("description") or "").strip()
    if not description:
        errors.append(_("description was not provided: describe the problem."))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(_("description may not exceed 4,000 characters."))
    media_url = param(params, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url is not an http(s) URL."))
    if errors:
        raise Open311Error(400, *errors)
    return Submission(
        service_code=service_code,
        latitude=latitude,
        longitude=longitude,
        report={
            "description": description,
            "latitude": latitude,
            "longitude": longitude,
            "place": place,
            "photos": request.FILES.getlist("media"),
            "email": param(params, "email"),
            "first_name": param(params, "first_name"),
            "last_name": param(params, "last_name"),
            "phone": param(params, "phone"),
            "media_url": media_url,
        },
    )


def _validation_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        message if name == NON_FIELD_ERRORS else f"{PARAMETER_OF_FIELD.get(name, name)}: {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]


# --- Rendering -------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": None,
        "group": category.group,
    }


def _service_request(report: Report, *, request: HttpRequest, extensions: bool) -> dict[str, Any]:
    """What Open311 shows of a public report. Nothing about the reporter, ever."""
    closed = not report.is_open
    fields: dict[str, Any] = {
        "service_request_id": str(report.pk),
        "status": "closed" if closed else "open",
        "status_notes": report.status_note or None,
        "service_name": report.category.name,
        "service_code": report.category.service_code,
        "description": report.description,
        "agency_responsible": report.department.name,
        "service_notice": None,
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(
            report.closed_at if closed and report.closed_at else report.updated_at
        ),
        "expected_datetime": w3c(report.due_at),
        "address": report.place or None,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
    }
    if report.media_photo_id:
        with translation.override(settings.LANGUAGE_CODE):  # an image: no language prefix
            photo_page = reverse("reports:photo", kwargs={"pk": report.media_photo_id})
        fields["media_url"] = request.build_absolute_uri(photo_page)
    if extensions:
        fields["extended_attributes"] = {
            "status": EXTENDED_STATUS.get(report.status, fields["status"]),
            "status_label": str(report.get_status_display()),
            "title": report.title,
            "district": report.district.name if report.district else None,
        }
    return fields


def _update(event: ReportEvent) -> dict[str, Any]:
    status = event.status_then
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.report_id),
        "status": EXTENDED_STATUS.get(status, "open"),
        "updated_datetime": w3c(event.at),
        "description": event.text or str(ReportStatus(status).label),
        "media_url": "",
    }


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    return open311_jurisdiction(jurisdiction_id=param(request.GET, "jurisdiction_id"))


# --- Endpoints -------------------------------------------------------------------------


@open311_endpoint("GET")
def discovery(request: HttpRequest) -> Document:
    """Service discovery: where the API is, its formats, how to get a key, the jurisdictions."""
    changeset = w3c(open311_changeset()) or "2026-11-01T00:00:00+01:00"
    operator = territory_operator()
    email = operator.contact_email if operator else ""
    jurisdictions = ", ".join(
        f"{territory.slug} ({territory.name})" for territory in open311_jurisdiction_list()
    )
    root = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"}))
    return Document(
        "discovery",
        {
            "changeset": changeset,
            "contact": _(
                "Write to %(email)s. jurisdiction_id is the short name of a territory: "
                "%(jurisdictions)s. Without it, every territory served."
            )
            % {"email": email, "jurisdictions": jurisdictions},
            "key_service": _(
                "Reading is open to all. To file reports an application needs an API key, "
                "issued by the platform's staff on request to %(email)s."
            )
            % {"email": email},
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": root.rsplit("/", 1)[0],
                    "changeset": changeset,
                    "type": "test" if settings.PARVIS_DEMO else "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@reports_page_cache
@open311_endpoint("GET")
def service_list(request: HttpRequest) -> Document:
    """GET Service List: the categories open to reports."""
    services = open311_service_list(jurisdiction=_jurisdiction(request))
    return Document("services", [_service(category) for category in services], item="service")


@reports_page_cache
@open311_endpoint("GET")
def service_definition(request: HttpRequest, service_code: str) -> Document:
    """GET Service Definition: no category asks for extra attributes yet."""
    category = open311_service_get(jurisdiction=_jurisdiction(request), service_code=service_code)
    return Document("service_definition", {"service_code": category.service_code, "attributes": []})


@reports_page_cache
@open311_endpoint("GET", "POST")
def service_requests(request: HttpRequest) -> Document:
    """GET Service Requests (public reports, filtered) or POST Service Request (file one)."""
    if request.method == "POST":
        return _service_request_create(request)
    reports = open311_request_list(
        jurisdiction=_jurisdiction(request), filters=_request_filters(request.GET)
    )
    extensions = param(request.GET, "extensions").lower() in {"1", "true"}
    return Document(
        "service_requests",
        [_service_request(r, request=request, extensions=extensions) for r in reports],
        item="request",
    )


def _service_request_create(request: HttpRequest) -> Document:
    api_key = param(request.POST, "api_key") or param(request.GET, "api_key")
    client = open311_client_for_key(api_key=api_key)
    if client is None:
        raise Open311Error(403, _("api_key is missing or invalid: cannot file the report."))
    jurisdiction = open311_jurisdiction_for_filing(
        jurisdiction_id=param(request.POST, "jurisdiction_id")
        or param(request.GET, "jurisdiction_id"),
        client=client,
    )
    submission = _submission(request)
    category = open311_category_for_filing(
        jurisdiction=jurisdiction,
        service_code=submission.service_code,
        latitude=submission.latitude,
        longitude=submission.longitude,
    )
    try:
        report = open311_request_create(client=client, category=category, **submission.report)
    except ValidationError as error:
        raise Open311Error(400, *_validation_messages(error)) from None
    return Document(
        "service_requests",
        [{"service_request_id": str(report.pk), "token": report.token}],
        item="request",
    )


@reports_page_cache
@open311_endpoint("GET")
def service_request_detail(request: HttpRequest, service_request_id: str) -> Document:
    """GET Service Request: one public report, as a list of one."""
    report = open311_request_get(jurisdiction=_jurisdiction(request), pk=service_request_id)
    extensions = param(request.GET, "extensions").lower() in {"1", "true"}
    return Document(
        "service_requests",
        [_service_request(report, request=request, extensions=extensions)],
        item="request",
    )


@open311_endpoint("GET")
def token(request: HttpRequest, token: str) -> Document:
    """GET service_request_id from a token."""
    report = open311_request_for_token(jurisdiction=_jurisdiction(request), token=token)
    return Document(
        "service_requests",
        [{"service_request_id": str(report.pk), "token": report.token}],
        item="request",
    )


@reports_page_cache
@open311_endpoint("GET")
def service_request_updates(request: HttpRequest) -> Document:
    """mySociety's GET Service Request Updates: public timeline steps, oldest first."""
    start, end = period(request.GET)
    events = open311_update_list(jurisdiction=_jurisdiction(request), start=start, end=end)
    return Document(
        "service_requests_updates", [_update(event) for event in events], item="request_update"
    )


@csrf_exempt
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, in the format the path suggests."""
    fmt = "json" if path.endswith(".json") else "xml"
    with translation.override(translation.get_language_from_request(request)):
        return render(
            error_document(404, _("There is no Open311 resource at this address.")), fmt=fmt
        )
