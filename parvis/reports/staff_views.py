"""Staff pages of incident reporting: the triage queue, a report's handling, assisted filing."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.scoping import get_object_for_user_or_404
from parvis.privacy.choices import ConsentMethod
from parvis.privacy.services import consent_give
from parvis.reports import forms
from parvis.reports.caching import reports_generation, reports_paginator
from parvis.reports.choices import ReportStatus, Source, UpdateChannel
from parvis.reports.models import Report
from parvis.reports.selectors import (
    category_list_for_place,
    departments_for_report,
    queue_filter_choices,
    report_list_for_queue,
    report_queryset_for_staff,
    response_templates_for,
    staff_agents,
)
from parvis.reports.services import (
    report_add_update,
    report_assign,
    report_create,
    report_merge,
    report_move,
    report_photo_hide,
    report_recategorise,
    report_redact,
    report_set_priority,
    report_transition,
    reporter_contact_view,
)
from parvis.territories.selectors import (
    territory_get_public,
    territory_scope_ids,
)

QUEUE_PAGE_SIZE = 50


def _territory(request: HttpRequest, slug: str, perm: str):
    territory = territory_get_public(slug=slug)
    if not request.user.has_perm(perm, territory):
        raise Http404
    return territory


@login_required
def queue(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """The triage queue of a territory: filters, sorting, overdue flags, bulk actions."""
    territory = _territory(request, territory_slug, "reports.view_queue")
    scope = territory_scope_ids(territory=territory)
    filters = forms.QueueFilterForm(
        request.GET or {"status": "open"}, choices=queue_filter_choices(territory=territory)
    )
    selection, ordering = filters.to_filters()
    reports = report_list_for_queue(territory_ids=scope, filters=selection, ordering=ordering)
    if request.method == "POST":
        return _bulk(request, territory, reports)
    paginator = reports_paginator(
        reports, QUEUE_PAGE_SIZE, filters=f"queue:{sorted(scope)}:{selection!r}"
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "territory": territory,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        # Built only if the page renders it (its action list is kept per language, memo).
        "bulk": partial(forms.BulkForm, reports=reports),
        "generation": reports_generation(),
    }
    return render(request, "reports/staff_queue.html", context)


def _bulk(request: HttpRequest, territory, reports) -> HttpResponse:
    form = forms.BulkForm(request.POST, reports=reports)
    if not form.is_valid():
        messages.error(request, _("Select reports and an action."))
        return redirect(request.get_full_path())
    action, done, refused = form.cleaned_data["action"], 0, 0
    for report in form.cleaned_data["reports"]:
        if not request.user.has_perm("reports.triage_report", report):
            refused += 1
            continue
        try:
            if action == "assign_me":
                report_assign(report=report, assignee=request.user, actor=request.user)
            else:
                report_transition(report=report, to=action.split(":", 1)[1], actor=request.user)
            done += 1
        except ValidationError:
            refused += 1
    messages.success(
        request,
        _("%(done)d report(s) updated, %(refused)d left unchanged.")
        % {"done": done, "refused": refused},
    )
    return redirect(request.get_full_path())


def _staff_report(request: HttpRequest, territory, pk: int, perm: str = "reports.view_queue"):
    return get_object_for_user_or_404(
        request.user,
        perm,
        report_queryset_for_staff().filter(
            territory_id__in=territory_scope_ids(territory=territory)
        ),
        pk=pk,
    )


def _action_forms(report: Report, territory, data=None, files=None) -> dict:
    return {
        "statut": forms.StaffTransitionForm(data, templates=response_templates_for(report=report)),
        "mise-a-jour": forms.UpdateForm(data, files),
        "priorite": forms.PriorityForm(data, initial={"priority": report.priority}),
        "attribuer": forms.AssignForm(data, agents=staff_agents(territory=report.territory)),
        "categorie": forms.RecategoriseForm(
            data, categories=category_list_for_place(territory=report.territory)
        ),
        "service": forms.MoveForm(data, departments=departments_for_report(report=report)),
        "fusionner": forms.MergeForm(data),
        "moderer": forms.RedactForm(
            data, initial={"title": report.title, "description": report.description}
        ),
        "masquer-photo": forms.HidePhotoForm(data, photos=report.photos.filter(is_hidden=False)),
    }


@login_required
def staff_detail(request: HttpRequest, territory_slug: str, pk: int) -> HttpResponse:
    territory = _territory(request, territory_slug, "reports.view_queue")
    report = _staff_report(request, territory, pk)
    context = {
        "territory": territory,
        "report": report,
        "forms": _action_forms(report, territory),
        "statuses": ReportStatus,
    }
    return render(request, "reports/staff_detail.html", context)


@login_required
@require_POST
def staff_action(request: HttpRequest, territory_slug: str, pk: int, action: str) -> HttpResponse:
    territory = _territory(request, territory_slug, "reports.view_queue")
    perm = (
        "reports.moderate_report"
        if action in {"moderer", "masquer-photo"}
        else ("reports.view_reporter_contact" if action == "contact" else "reports.triage_report")
    )
    report = _staff_report(request, territory, pk, perm)
    if action == "contact":
        context = {
            "territory": territory,
            "report": report,
            "contact": reporter_contact_view(report=report, actor=request.user),
            "forms": _action_forms(report, territory),
            "statuses": ReportStatus,
        }
        return render(request, "reports/staff_detail.html", context)
    all_forms = _action_forms(report, territory, request.POST, request.FILES)
    form = all_forms.get(action)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            _apply(action, report, form.cleaned_data, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Done."))
            return redirect("reports:staff_detail", territory_slug=territory.slug, pk=report.pk)
    context = {
        "territory": territory,
        "report": report,
        "forms": all_forms,
        "statuses": ReportStatus,
        "failed": action,
    }
    return render(request, "reports/staff_detail.html", context, status=400)


def _apply(action: str, report: Report, data: dict, actor) -> None:
    if action == "statut":
        report_transition(
            report=report, to=data["to"], actor=actor, public_note=data["public_note"]
        )
    elif action == "mise-a-jour":
        report_add_update(
            report=report,
            actor=actor,
            text=data["text"],
            public=data["public"],
            photos=data["photos"],
        )
    elif action == "priorite":
        report_set_priority(report=report, priority=data["priority"], actor=actor)
    elif action == "attribuer":
        report_assign(report=report, assignee=data["assignee"], actor=actor)
    elif action == "categorie":
        report_recategorise(report=report, category=data["category"], actor=actor)
    elif action == "service":
        report_move(report=report, department=data["department"], actor=actor)
    elif action == "fusionner":
        into = Report.objects.filter(territory=report.territory, pk=data["into"]).first()
        if into is None:
            raise ValidationError(_("No report with this number in this commune."))
        report_merge(duplicate=report, into=into, actor=actor)
    elif action == "moderer":
        report_redact(
            report=report,
            actor=actor,
            title=data["title"],
            description=data["description"],
            reason=data["reason"],
        )
    elif action == "masquer-photo":
        report_photo_hide(photo=data["photo"], actor=actor, reason=data["reason"])


@login_required
def report_new_assisted(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """An agent files a report for a resident who is not online, with their consent."""
    territory = _territory(request, territory_slug, "reports.file_for_resident")
    categories = category_list_for_place(territory=territory)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    place = forms.PlaceForm(
        data,
        territories=type(territory).objects.filter(pk=territory.pk),
        categories=categories,
        initial={"territory": territory},
    )
    details = forms.DetailsForm(data, files)
    reporter = forms.AssistedReporterForm(data)
    if data is not None and all(f.is_valid() for f in (place, details, reporter)):
        try:
            report = _file_assisted(
                request, territory, place.cleaned_data, details.cleaned_data, reporter.cleaned_data
            )
        except ValidationError as error:
            details.add_error(None, error)
        else:
            messages.success(
                request, _("Report #%(number)s filed for the resident.") % {"number": report.pk}
            )
            return redirect("reports:staff_detail", territory_slug=territory.slug, pk=report.pk)
    context = {"territory": territory, "place": place, "details": details, "reporter": reporter}
    return render(
        request, "reports/staff_new_assisted.html", context, status=400 if data is not None else 200
    )


def _file_assisted(request, territory, place: dict, details: dict, reporter: dict) -> Report:
    report = report_create(
        category=place["category"],
        latitude=place["latitude"],
        longitude=place["longitude"],
        place=place["place"],
        title=details["title"],
        description=details["description"],
        photos=details["photos"],
        reporter_name=reporter["reporter_name"],
        reporter_phone=reporter["reporter_phone"],
        reporter_email=reporter["reporter_email"],
        reporter_address=reporter["reporter_address"],
        update_channel=reporter["update_channel"],
        source=Source.COUNTER,
        assisted_by=request.user,
    )
    if reporter["update_channel"] != UpdateChannel.NONE:
        consent_give(
            subject=None,
            subject_reference=f"report-{report.pk}",
            territory=report.territory,
            purpose="reports.offline_updates",
            method=ConsentMethod.AGENT_ASSISTED,
            collected_by=request.user,
        )
    return report
