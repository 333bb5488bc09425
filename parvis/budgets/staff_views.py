"""Staff pages of participatory budgets: review, paper ballots, census list, tally, realisation.

Every page answers 404 to whoever lacks the permission on the budget (permissions.py), so a
budget of another territory cannot be told from a missing one.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.budgets import forms, selectors
from parvis.budgets.models import ProjectStatus
from parvis.budgets.services import (
    BallotError,
    census_upload,
    envelope_tally,
    paper_ballot_enter,
    paper_voter_check_in,
    project_review,
    project_update_add,
)
from parvis.participation.services import comment_hide
from parvis.territories.selectors import territory_get_public

# Who may do what; the census list and the realisation updates go with the tally to
# supervisors and territory administrators.
VIEW = "budgets.enter_paper_ballot"
REVIEW = "budgets.review_project"
PAPER = "budgets.enter_paper_ballot"
CHECK_IN = "budgets.verify_resident"
CENSUS = "budgets.upload_census"
TALLY = "budgets.tally"
REALISATION = "budgets.update_realisation"
MODERATE = "budgets.moderate_comment"


def _budget(request: HttpRequest, territory_slug: str, budget_slug: str, perm: str):
    territory = territory_get_public(slug=territory_slug)
    budget = selectors.budget_get_for_staff(
        user=request.user, territory=territory, slug=budget_slug, perm=perm
    )
    return territory, budget


def _may(request: HttpRequest, budget) -> dict[str, bool]:
    return {
        f"may_{name}": request.user.has_perm(perm, budget)
        for name, perm in [
            ("review", REVIEW),
            ("paper", PAPER),
            ("check_in", CHECK_IN),
            ("census", CENSUS),
            ("tally", TALLY),
            ("realisation", REALISATION),
        ]
    }


@login_required
def staff_budget_list(request: HttpRequest, territory_slug: str) -> HttpResponse:
    territory = territory_get_public(slug=territory_slug)
    if not request.user.has_perm(VIEW, territory):
        raise Http404
    budgets = selectors.budget_list_for_staff(territory=territory)
    return render(request, "budgets/staff_list.html", {"territory": territory, "budgets": budgets})


@login_required
def staff_budget(request: HttpRequest, territory_slug: str, budget_slug: str) -> HttpResponse:
    """A budget's overview: counts, envelopes (paper ballots, tally), winners to follow."""
    territory, budget = _budget(request, territory_slug, budget_slug, VIEW)
    context = {
        "territory": territory,
        "budget": budget,
        "phase": budget.process.current_phase(),
        **selectors.staff_budget_summary(budget=budget),
        **_may(request, budget),
    }
    return render(request, "budgets/staff_budget.html", context)


@login_required
def staff_review(request: HttpRequest, territory_slug: str, budget_slug: str) -> HttpResponse:
    """Proposals by status, each with its review form."""
    territory, budget = _budget(request, territory_slug, budget_slug, REVIEW)
    return _review_page(request, territory, budget, _wanted(request.GET))


def _wanted(data) -> str:
    """The status the review list shows: submitted proposals by default, "" for all."""
    wanted = data.get("status", ProjectStatus.SUBMITTED)
    return wanted if wanted in ProjectStatus.values else ""


def _review_page(
    request, territory, budget, wanted: str, *, failed=None, status: int = 200
) -> HttpResponse:
    projects = list(selectors.project_list_for_review(budget=budget, status=wanted))
    if failed is not None and failed[0] not in projects:
        projects.insert(0, failed[0])
    rows = [
        (
            project,
            failed[1]
            if failed and failed[0] == project
            else forms.ReviewForm(prefix=f"p{project.pk}", initial=_review_initial(project)),
        )
        for project in projects
    ]
    context = {
        "territory": territory,
        "budget": budget,
        "rows": rows,
        "wanted": wanted,
        "statuses": ProjectStatus.choices,
    }
    return render(request, "budgets/staff_review.html", context, status=status)


def _review_initial(project) -> dict:
    decided = project.status in {
        ProjectStatus.FEASIBLE,
        ProjectStatus.UNFEASIBLE,
        ProjectStatus.MERGED,
    }
    return {
        "status": project.status if decided else None,
        "cost": project.cost,
        "public_reason": project.review_note,
        "merged_into": project.merged_into_id,
    }


@login_required
@require_POST
def staff_review_project(
    request: HttpRequest, territory_slug: str, budget_slug: str, project_pk: int
) -> HttpResponse:
    territory, budget = _budget(request, territory_slug, budget_slug, REVIEW)
    project = selectors.project_get_for_staff(budget=budget, pk=project_pk)
    form = forms.ReviewForm(request.POST, prefix=f"p{project.pk}")
    wanted = _wanted({"status": request.POST.get("list_status", "")})
    if form.is_valid():
        data = form.cleaned_data
        merged_into = (
            selectors.project_in_budget(budget=budget, pk=data["merged_into"])
            if data.get("merged_into")
            else None
        )
        try:
            project_review(
                project=project,
                actor=request.user,
                status=data["status"],
                cost=data.get("cost"),
                public_reason=data.get("public_reason") or "",
                merged_into=merged_into,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Review of project #%(number)s saved.") % {"number": project.pk}
            )
            url = reverse(
                "budgets:staff_review",
                kwargs={"territory_slug": territory.slug, "budget_slug": budget_slug},
            )
            return redirect(f"{url}?{urlencode({'status': wanted})}")
    return _review_page(request, territory, budget, wanted, failed=(project, form), status=400)


@login_required
def staff_paper(
    request: HttpRequest, territory_slug: str, budget_slug: str, envelope_pk: int
) -> HttpResponse:
    """Typing paper ballots (two agents each) and the list of those still to check."""
    territory, budget = _budget(request, territory_slug, budget_slug, PAPER)
    envelope = selectors.envelope_get(budget=budget, pk=envelope_pk)
    data = request.POST if request.method == "POST" else None
    form = forms.PaperBallotForm(
        data, budget=budget, projects=selectors.ballot_projects(envelope=envelope)
    )
    if data is not None and form.is_valid():
        try:
            paper = paper_ballot_enter(
                agent=request.user,
                envelope=envelope,
                batch=form.cleaned_data["batch"],
                number=form.cleaned_data["number"],
                choices=form.choices(),
            )
        except BallotError as error:
            form.add_error(None, error)
        else:
            values = {"batch": paper.batch, "number": paper.number}
            if paper.confirmed_by_id:
                messages.success(
                    request,
                    _("Second typing of ballot %(batch)s #%(number)s matches the first: the "
                      "ballot is counted.") % values,
                )  # fmt: skip
            else:
                messages.success(
                    request,
                    _("First typing of ballot %(batch)s #%(number)s recorded. Another agent "
                      "must now type it again.") % values,
                )  # fmt: skip
            return redirect(request.path)
    context = {
        "territory": territory,
        "budget": budget,
        "envelope": envelope,
        "form": form,
        **selectors.paper_ballots_to_check(envelope=envelope),
    }
    return render(request, "budgets/staff_paper.html", context, status=400 if form.errors else 200)


@login_required
def staff_check_in(request: HttpRequest, territory_slug: str, budget_slug: str) -> HttpResponse:
    """At the polling station: check a person's papers and sign them in the register."""
    territory, budget = _budget(request, territory_slug, budget_slug, CHECK_IN)
    envelopes = budget.envelopes.all()
    form = forms.CheckInForm(
        request.POST if request.method == "POST" else None, envelopes=envelopes
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        data["envelope"].budget = budget
        try:
            paper_voter_check_in(
                agent=request.user,
                envelope=data["envelope"],
                family_name=data["family_name"],
                first_name=data["first_name"],
                birth_date=data["birth_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Signed in the register of “%(envelope)s”: give the person a paper ballot.")
                % {"envelope": data["envelope"].name},
            )
            return redirect(request.path)
    context = {"territory": territory, "budget": budget, "form": form}
    return render(
        request, "budgets/staff_check_in.html", context, status=400 if form.is_bound else 200
    )


@login_required
def staff_census(request: HttpRequest, territory_slug: str, budget_slug: str) -> HttpResponse:
    """Upload the census list (replaces the previous one); the file itself is not stored."""
    territory, budget = _budget(request, territory_slug, budget_slug, CENSUS)
    form = forms.CensusUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if form.is_bound and form.is_valid():
        try:
            count = census_upload(
                territory=budget.territory, rows=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                _("Census list imported: %(count)d people. The file was not kept.")
                % {"count": count},
            )
            return redirect(request.path)
    context = {
        "territory": territory,
        "budget": budget,
        "form": form,
        "entries": selectors.staff_budget_summary(budget=budget)["census_entries"],
    }
    return render(
        request, "budgets/staff_census.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_POST
def staff_tally(
    request: HttpRequest, territory_slug: str, budget_slug: str, envelope_pk: int
) -> HttpResponse:
    territory, budget = _budget(request, territory_slug, budget_slug, TALLY)
    envelope = selectors.envelope_get(budget=budget, pk=envelope_pk)
    outcome = envelope_tally(envelope=envelope, actor=request.user)
    messages.success(
        request,
        _("“%(envelope)s” counted: %(voters)d ballots, %(count)d projects selected.")
        % {"envelope": envelope.name, "voters": outcome.voters, "count": len(outcome.selected)},
    )
    return redirect("budgets:staff_budget", territory_slug=territory.slug, budget_slug=budget_slug)


@login_required
def staff_project_update(
    request: HttpRequest, territory_slug: str, budget_slug: str, project_pk: int
) -> HttpResponse:
    """Publish a step of a winning project's realisation."""
    territory, budget = _budget(request, territory_slug, budget_slug, REALISATION)
    project = selectors.project_get_for_staff(budget=budget, pk=project_pk)
    if project.status != ProjectStatus.SELECTED:
        raise Http404
    form = forms.ProjectUpdateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={
            "realisation": project.realisation,
            "progress": project.progress,
            "spent": project.spent,
        },
    )
    if form.is_bound and form.is_valid():
        try:
            project_update_add(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Update published on the project's page."))
            return redirect(request.path)
    context = {
        "territory": territory,
        "budget": budget,
        "project": project,
        "form": form,
        "updates": project.updates.order_by("-created_at"),
    }
    return render(
        request, "budgets/staff_project_update.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_POST
def staff_comment_hide(
    request: HttpRequest, territory_slug: str, budget_slug: str, comment_pk: int
) -> HttpResponse:
    """A moderator hides a comment, with a reason (audited); back to the project's page."""
    _territory, budget = _budget(request, territory_slug, budget_slug, MODERATE)
    comment = selectors.comment_get_for_staff(budget=budget, pk=comment_pk)
    form = forms.CommentHideForm(request.POST)
    if form.is_valid():
        comment_hide(comment=comment, moderator=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The comment is hidden."))
    else:
        messages.error(request, _("Say why the comment is hidden."))
    return redirect("budgets:project", budget_slug=budget_slug, project_pk=comment.target_id)
