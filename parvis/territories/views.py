"""Public territory pages, legal pages and the staff area of a territory."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from parvis.core.accessibility import RGAA_CRITERIA_COUNT, accessibility_audit
from parvis.core.caching import public_page_cache
from parvis.core.scoping import get_object_for_user_or_404
from parvis.core.staff_areas import staff_areas
from parvis.territories.models import Department
from parvis.territories.selectors import (
    department_list,
    district_list,
    territory_get_public,
    territory_list_public,
    territory_operator,
)


@public_page_cache(60)
def home(request: HttpRequest) -> HttpResponse:
    context = {"territories": territory_list_public(), "operator": territory_operator()}
    return render(request, "territories/home.html", context)


@public_page_cache(60)
def territory_detail(request: HttpRequest, territory_slug: str) -> HttpResponse:
    territory = territory_get_public(slug=territory_slug)
    context = {
        "territory": territory,
        "districts": district_list(territory=territory, with_area=False),
        "members": territory_list_public().filter(parent=territory),
        "is_staff_here": request.user.has_perm("territories.view_staff_area", territory),
    }
    return render(request, "territories/territory_detail.html", context)


@public_page_cache(60)
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "territories/legal_notice.html", {"operator": territory_operator()})


@public_page_cache(60)
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    context = {
        "operator": territory_operator(),
        "audit": accessibility_audit(get_language()),
        "criteria_count": RGAA_CRITERIA_COUNT,
    }
    return render(request, "territories/accessibility.html", context)


# What the staff area links to: (permission on the territory, URL name, title). Each person
# sees only what their roles open (the pages themselves answer 404 to anyone else).
@login_required
def staff_area(request: HttpRequest, territory_slug: str) -> HttpResponse:
    territory = territory_get_public(slug=territory_slug)
    if not request.user.has_perm("territories.view_staff_area", territory):
        raise Http404
    context = {
        "territory": territory,
        "areas": [
            (area.title, reverse(area.url_name, kwargs={"territory_slug": territory.slug}))
            for area in staff_areas()
            if request.user.has_perm(area.permission, territory)
        ],
        "departments": department_list(territory=territory),
        "districts": district_list(territory=territory, with_area=False),
    }
    return render(request, "territories/staff_area.html", context)


@login_required
def department_detail(request: HttpRequest, territory_slug: str, code: str) -> HttpResponse:
    territory = territory_get_public(slug=territory_slug)
    department = get_object_for_user_or_404(
        request.user,
        "territories.view_department",
        Department.objects.for_territory(territory),
        code=code,
    )
    return render(
        request,
        "territories/department_detail.html",
        {"territory": territory, "department": department},
    )
