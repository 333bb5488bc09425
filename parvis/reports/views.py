"""Pages of incident reporting: residents report and follow, staff triage and resolve."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.scoping import get_object_for_user_or_404
from parvis.reports.caching import reports_generation, reports_page_cache, reports_paginator
from parvis.reports.forms import DetailsForm, FixCheckForm, PlaceForm, PublicFilterForm
from parvis.reports.models import ReportPhoto
from parvis.reports.selectors import (
    ReportFilters,
    category_list,
    report_geojson,
    report_get_public,
    report_list_nearby_open,
    report_list_public,
)
from parvis.reports.services import (
    report_confirm_fix,
    report_create,
    report_follow,
    report_thank,
    report_unfollow,
)
from parvis.territories.selectors import territory_list_public

PAGE_SIZE = 25


def _public_filters(request: HttpRequest) -> tuple[PublicFilterForm, set[int], ReportFilters]:
    territories = territory_list_public()
    all_ids = set(territories.values_list("pk", flat=True))
    form = PublicFilterForm(
        request.GET or None,
        territories=territories,
        categories=category_list(territory_ids=all_ids),
    )
    if not form.is_valid():
        return form, all_ids, ReportFilters()
    data = form.cleaned_data
    territory_ids = {data["territory"].pk} if data.get("territory") else all_ids
    category = data.get("category")
    return (
        form,
        territory_ids,
        ReportFilters(status=data.get("status") or "", category=category.pk if category else None),
    )


@reports_page_cache
def report_list(request: HttpRequest) -> HttpResponse:
    form, territory_ids, filters = _public_filters(request)
    reports = report_list_public(territory_ids=territory_ids, filters=filters)
    paginator = reports_paginator(
        reports, PAGE_SIZE, filters=f"public:{sorted(territory_ids)}:{filters!r}"
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "generation": reports_generation(),
    }
    return render(request, "reports/report_list.html", context)


@reports_page_cache
def report_feed(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the public reports matching the list's filters (at most 2,000, newest)."""
    _form, territory_ids, filters = _public_filters(request)
    reports = report_list_public(territory_ids=territory_ids, filters=filters).exclude(
        latitude__isnull=True
    )[:2000]
    return JsonResponse(report_geojson(reports), content_type="application/geo+json")


def _place_form(data):
    territories = territory_list_public()
    categories = category_list(territory_ids=set(territories.values_list("pk", flat=True)))
    return PlaceForm(data, territories=territories.filter(kind="commune"), categories=categories)


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (where, what) then step 2 (similar reports nearby, details, photos)."""
    place = _place_form(request.POST if request.method == "POST" else (request.GET or None))
    if not place.is_bound or not place.is_valid():
        return render(
            request,
            "reports/report_new_place.html",
            {"place": place},
            status=400 if place.errors else 200,
        )
    details = DetailsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and details.is_valid():
        try:
            report = report_create(
                category=place.cleaned_data["category"],
                latitude=place.cleaned_data["latitude"],
                longitude=place.cleaned_data["longitude"],
                place=place.cleaned_data["place"],
                reporter=request.user,
                photos=details.cleaned_data["photos"],
                title=details.cleaned_data["title"],
                description=details.cleaned_data["description"],
                show_name=details.cleaned_data["show_name"] or None,
            )
        except ValidationError as error:
            details.add_error(None, error)
        else:
            messages.success(request, _("Thank you, your report has been sent."))
            return redirect("reports:detail", pk=report.pk)
    context = {"place": place, "details": details, "nearby": _nearby(place.cleaned_data)}
    return render(
        request, "reports/report_new_details.html", context, status=400 if details.errors else 200
    )


def _nearby(place: dict) -> list:
    if place.get("latitude") is None:
        return []
    return report_list_nearby_open(
        category=place["category"], latitude=place["latitude"], longitude=place["longitude"]
    )


@reports_page_cache
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_public(pk=pk)
    user = request.user
    context = {
        "report": report,
        "following": user.is_authenticated and report.followers.filter(user=user).exists(),
        "fix_form": FixCheckForm() if report.status == "resolved" else None,
        "is_staff_here": user.has_perm("reports.triage_report", report),
    }
    return render(request, "reports/report_detail.html", context)


@login_required
@require_POST
def report_follow_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_public(pk=pk)
    if request.POST.get("follow") == "0":
        report_unfollow(report=report, user=request.user)
        messages.success(request, _("You no longer follow this report."))
    else:
        report_follow(report=report, user=request.user)
        messages.success(request, _("You will be told of every update of this report."))
    return redirect("reports:detail", pk=report.pk)


@require_POST
def report_thank_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_public(pk=pk)
    report_thank(report=report, user=request.user if request.user.is_authenticated else None)
    messages.success(request, _("Your thanks have been passed on to the team."))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_fix_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter or a follower answers "is it fixed?"; "no" reopens the report."""
    report = report_get_public(pk=pk)
    if (
        report.reporter_id != request.user.pk
        and not report.followers.filter(user=request.user).exists()
    ):
        raise Http404
    form = FixCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the problem is fixed."))
        return redirect("reports:detail", pk=report.pk)
    try:
        report_confirm_fix(
            report=report,
            fixed=form.cleaned_data["fixed"],
            user=request.user,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("Thank you for your answer."))
    return redirect("reports:detail", pk=report.pk)


def report_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A report's photo, if the public (or this member of staff) may see it."""
    photo = get_object_for_user_or_404(
        request.user,
        "reports.view_photo",
        ReportPhoto.objects.select_related("report", "report__territory").defer(
            "report__territory__boundary"
        ),
        pk=pk,
    )
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
