"""Pages of participatory budgets for residents: processes, proposals, the vote, the results."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from parvis.budgets import selectors
from parvis.budgets.forms import (
    BallotForm,
    CommentForm,
    IdentityForm,
    ProjectFilterForm,
    ProposalForm,
)
from parvis.budgets.models import BallotType
from parvis.budgets.services import (
    SUPPORTABLE,
    BallotError,
    VerificationError,
    ballot_cast,
    ballot_of,
    envelope_election,
    project_follow,
    project_propose,
    project_support,
    resident_verify_by_census,
    voter_eligibility,
)
from parvis.budgets.tally.pabulib import pabulib_format
from parvis.core.caching import public_page_cache
from parvis.participation.choices import Action
from parvis.participation.services import comment_list_public, comment_post


def _phase_links(budget) -> dict[str, bool]:
    process = budget.process
    return {
        "can_submit": process.allows(Action.SUBMIT),
        "can_support": process.allows(Action.SUPPORT),
        "can_vote": process.allows(Action.VOTE),
        "results_public": process.allows(Action.RESULTS) or process.allows(Action.FOLLOW_UP),
    }


@public_page_cache(30)
def budget_list(request: HttpRequest) -> HttpResponse:
    budgets = selectors.budget_list_public()
    return render(request, "budgets/budget_list.html", {"budgets": budgets})


@public_page_cache(30)
def budget_detail(request: HttpRequest, budget_slug: str) -> HttpResponse:
    """A process: its phases, its envelopes and their projects, what can be done now."""
    budget = selectors.budget_get_public(slug=budget_slug)
    envelopes = selectors.envelope_list(budget=budget)
    form = ProjectFilterForm(request.GET or None, envelopes=budget.envelopes.all())
    filters = selectors.ProjectFilters()
    if form.is_bound and form.is_valid():
        envelope = form.cleaned_data.get("envelope")
        filters = selectors.ProjectFilters(
            envelope=envelope.pk if envelope else None, status=form.cleaned_data.get("status", "")
        )
    projects = list(selectors.project_list_public(budget=budget, filters=filters))
    context = {
        "budget": budget,
        "phase": budget.process.current_phase(),
        "envelopes": envelopes,
        "groups": [(e, [p for p in projects if p.envelope_id == e.pk]) for e in envelopes],
        "project_count": len(projects),
        "form": form,
        **_phase_links(budget),
    }
    return render(request, "budgets/budget_detail.html", context)


@login_required
def project_propose_view(request: HttpRequest, budget_slug: str) -> HttpResponse:
    budget = selectors.budget_get_public(slug=budget_slug)
    if not request.user.has_perm("budgets.submit_proposal", budget):
        status = 403 if request.method == "POST" else 200
        return render(request, "budgets/project_propose.html", {"budget": budget}, status=status)
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        envelopes=budget.envelopes.all(),
    )
    if form.is_bound and form.is_valid():
        try:
            project = project_propose(budget=budget, proposer=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you, your project was submitted. Staff will study its feasibility."),
            )
            return redirect("budgets:project", budget_slug=budget_slug, project_pk=project.pk)
    context = {"budget": budget, "form": form}
    return render(
        request, "budgets/project_propose.html", context, status=400 if form.is_bound else 200
    )


def _project_page(request: HttpRequest, budget, project, *, comment_form=None, status=200):
    links = _phase_links(budget)
    context = {
        "budget": budget,
        "project": project,
        "supportable": links["can_support"] and project.status in SUPPORTABLE,
        "comments": comment_list_public(target=project),
        "can_comment": budget.process.allows(Action.COMMENT),
        "comment_form": comment_form or CommentForm(),
        "may_moderate": request.user.has_perm("budgets.moderate_comment", budget),
        **selectors.project_user_state(project=project, user=request.user),
        **links,
    }
    return render(request, "budgets/project_detail.html", context, status=status)


def project_photo(request: HttpRequest, budget_slug: str, photo_pk: int) -> FileResponse:
    """A photo of a public project (re-encoded without metadata when it was received)."""
    budget = selectors.budget_get_public(slug=budget_slug)
    photo = selectors.project_photo_get_public(budget=budget, pk=photo_pk)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


def project_detail(request: HttpRequest, budget_slug: str, project_pk: int) -> HttpResponse:
    budget = selectors.budget_get_public(slug=budget_slug)
    project = selectors.project_get_public(budget=budget, pk=project_pk)
    return _project_page(request, budget, project)


@login_required
@require_POST
def project_comment_view(request: HttpRequest, budget_slug: str, project_pk: int) -> HttpResponse:
    """Post a comment; on an error the page comes back with the text kept."""
    budget = selectors.budget_get_public(slug=budget_slug)
    project = selectors.project_get_public(budget=budget, pk=project_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_post(
                process=budget.process,
                target=project,
                author=request.user,
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your comment is published."))
            return redirect("budgets:project", budget_slug=budget_slug, project_pk=project.pk)
    return _project_page(request, budget, project, comment_form=form, status=400)


@login_required
@require_POST
def project_support_view(request: HttpRequest, budget_slug: str, project_pk: int) -> HttpResponse:
    budget = selectors.budget_get_public(slug=budget_slug)
    project = selectors.project_get_public(budget=budget, pk=project_pk)
    if not request.user.has_perm("budgets.support_project", budget):
        messages.error(request, _("Supports are not open."))
    else:
        support = request.POST.get("support") != "0"
        try:
            project_support(project=project, user=request.user, support=support)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Thank you for your support.") if support else _("Your support was withdrawn."),
            )
    return redirect("budgets:project", budget_slug=budget_slug, project_pk=project.pk)


@login_required
@require_POST
def project_follow_view(request: HttpRequest, budget_slug: str, project_pk: int) -> HttpResponse:
    budget = selectors.budget_get_public(slug=budget_slug)
    project = selectors.project_get_public(budget=budget, pk=project_pk)
    follow = request.POST.get("follow") != "0"
    project_follow(project=project, user=request.user, follow=follow)
    messages.success(
        request,
        _("You will be told of each step of this project's realisation.")
        if follow
        else _("You no longer follow this project."),
    )
    return redirect("budgets:project", budget_slug=budget_slug, project_pk=project.pk)


def _next_url(request: HttpRequest, budget) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("budgets:detail", kwargs={"budget_slug": budget.process.slug})


@login_required
def resident_verify(request: HttpRequest, budget_slug: str) -> HttpResponse:
    """The residence check against the census list, before voting."""
    budget = selectors.budget_get_public(slug=budget_slug)
    territory = budget.territory
    form = IdentityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            resident_verify_by_census(user=request.user, territory=territory, **form.cleaned_data)
        except VerificationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("You are verified as a resident of %(t)s.") % {"t": territory.name}
            )
            return redirect(_next_url(request, budget))
    context = {
        "budget": budget,
        "form": form,
        "verification": selectors.resident_verification_of(user=request.user, territory=territory),
        "next": _next_url(request, budget),
        "can_vote": budget.process.allows(Action.VOTE),
    }
    return render(
        request, "budgets/resident_verify.html", context, status=400 if form.is_bound else 200
    )


@never_cache
@login_required
def ballot(request: HttpRequest, budget_slug: str, envelope_pk: int) -> HttpResponse:
    """The ballot of an envelope: cast, or change until the vote closes."""
    budget = selectors.budget_get_public(slug=budget_slug)
    envelope = selectors.envelope_get(budget=budget, pk=envelope_pk)
    context = {"budget": budget, "envelope": envelope, "phase": budget.process.current_phase()}
    if not request.user.has_perm("budgets.vote", budget):
        return render(request, "budgets/ballot.html", {**context, "closed": True})
    if selectors.resident_verification_of(user=request.user, territory=budget.territory) is None:
        messages.info(
            request, _("Check that you live in %(t)s first.") % {"t": budget.territory.name}
        )
        query = urlencode({"next": request.path})
        return redirect(
            reverse("budgets:verify", kwargs={"budget_slug": budget_slug}) + "?" + query
        )
    try:
        voter_eligibility(user=request.user, envelope=envelope)
    except BallotError as error:
        return render(request, "budgets/ballot.html", {**context, "refused": error.message})
    current = ballot_of(user=request.user, envelope=envelope)
    data = request.POST if request.method == "POST" else None
    form = BallotForm(
        data,
        budget=budget,
        projects=selectors.ballot_projects(envelope=envelope),
        current=current.choices if current else None,
    )
    if data is not None and form.is_valid():
        try:
            ballot_cast(user=request.user, envelope=envelope, choices=form.choices())
        except BallotError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your ballot is recorded. You can change it until the vote closes.")
                if current is None
                else _("Your new ballot replaces the previous one."),
            )
            return redirect("budgets:ballot", budget_slug=budget_slug, envelope_pk=envelope.pk)
    context.update(form=form, voted=current is not None)
    return render(request, "budgets/ballot.html", context, status=400 if form.errors else 200)


@public_page_cache(30)
def results(request: HttpRequest, budget_slug: str) -> HttpResponse:
    """Per envelope: winners, votes, money, a chart with its table, the rule, the ballots."""
    budget = selectors.budget_get_public(slug=budget_slug)
    if not request.user.has_perm("budgets.view_results", budget):
        return render(request, "budgets/results.html", {"budget": budget, "closed": True})
    context = {
        "budget": budget,
        "results": selectors.budget_results(budget=budget),
        "cumulative": budget.ballot_type == BallotType.CUMULATIVE,
    }
    return render(request, "budgets/results.html", context)


def results_pabulib(request: HttpRequest, budget_slug: str, envelope_pk: int) -> HttpResponse:
    """The envelope's anonymised ballots in Pabulib format, to recount with any tool."""
    budget = selectors.budget_get_public(slug=budget_slug)
    if not request.user.has_perm("budgets.view_results", budget):
        raise Http404
    envelope = selectors.envelope_get(budget=budget, pk=envelope_pk)
    response = HttpResponse(
        pabulib_format(election=envelope_election(envelope=envelope)),
        content_type="text/plain; charset=utf-8",
    )
    filename = f"{budget.process.slug}-{envelope.pk}.pb"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
