"""Reads of participatory budgets, always scoped by territory and visibility.

The public sees the budgets of published processes in active territories, and every project of
them (a proposal is public once submitted: its review, even a refusal, is explained in public).
Staff reach the budgets of the territories their role covers, published or not. Ballots are
only ever read as counts: nothing here can tell who chose what.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, QuerySet
from django.http import Http404

from parvis.budgets.models import (
    Ballot,
    BallotType,
    Budget,
    CensusEntry,
    Envelope,
    PaperBallot,
    Project,
    ProjectStatus,
    ProjectUpdate,
    ResidentVerification,
    VoterRecord,
)
from parvis.budgets.services import envelope_election
from parvis.budgets.tally.rules import TallyOutcome, tally
from parvis.core.scoping import get_object_for_user_or_404
from parvis.participation.models import Phase
from parvis.territories.selectors import territory_scope_ids

#: Statuses of projects that were on the ballot.
ON_BALLOT = (ProjectStatus.FEASIBLE, ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED)
#: The rule and completion the platform counts with (`services.envelope_tally`'s defaults).
RULE, COMPLETION = "equal-shares", "add1"
TALLY_CACHE_SECONDS = 3600


def _budgets() -> QuerySet[Budget]:
    return (
        Budget.objects.select_related("process", "territory")
        .defer("territory__boundary")
        .prefetch_related(Prefetch("process__phases", queryset=Phase.objects.order_by("starts_at")))
    )


def budget_list_public() -> QuerySet[Budget]:
    """Budgets of published processes in active territories, newest first."""
    return (
        _budgets()
        .filter(process__is_published=True, territory__is_active=True)
        .order_by("-process__created_at")
    )


def budget_get_public(*, slug: str) -> Budget:
    """A published budget by its process's slug, or 404."""
    try:
        return budget_list_public().get(process__slug=slug)
    except Budget.DoesNotExist:
        raise Http404 from None


def budget_list_for_staff(*, territory) -> QuerySet[Budget]:
    """Budgets of the territories a role held on `territory` reaches, published or not."""
    return (
        _budgets()
        .for_territories(territory_scope_ids(territory=territory))
        .order_by("-process__created_at")
    )


def budget_get_for_staff(*, user, territory, slug: str, perm: str) -> Budget:
    """A budget of `territory`'s scope on which `user` has `perm`; 404 otherwise."""
    return get_object_for_user_or_404(
        user, perm, budget_list_for_staff(territory=territory), process__slug=slug
    )


def envelope_list(*, budget: Budget) -> list[Envelope]:
    """The budget's envelopes, city-wide first then districts by name."""
    envelopes = budget.envelopes.select_related("district").defer("district__area")
    return sorted(envelopes, key=lambda e: (e.district_id is not None, e.name))


def envelope_get(*, budget: Budget, pk: int) -> Envelope:
    """An envelope of `budget`, or 404 (also for another budget's envelope)."""
    for envelope in envelope_list(budget=budget):
        if envelope.pk == pk:
            envelope.budget = budget
            return envelope
    raise Http404


@dataclass(frozen=True)
class ProjectFilters:
    envelope: int | None = None
    status: str = ""


def project_list_public(*, budget: Budget, filters: ProjectFilters) -> QuerySet[Project]:
    """The budget's projects with their number of supports, by envelope then title."""
    projects = (
        Project.objects.for_territory(budget.territory_id)
        .filter(envelope__budget=budget)
        .select_related("envelope")
        .annotate(support_count=Count("supports"))
        .order_by(F("envelope__district__name").asc(nulls_first=True), "envelope_id", "title")
    )
    if filters.envelope:
        projects = projects.filter(envelope_id=filters.envelope)
    if filters.status == "ballot":
        projects = projects.filter(status__in=ON_BALLOT)
    elif filters.status:
        projects = projects.filter(status=filters.status)
    return projects


def project_get_public(*, budget: Budget, pk: int) -> Project:
    """A project of `budget` with its supports counted and its public updates, or 404."""
    try:
        return (
            Project.objects.for_territory(budget.territory_id)
            .filter(envelope__budget=budget)
            .select_related("envelope", "envelope__district", "merged_into")
            .defer("envelope__district__area")
            .annotate(support_count=Count("supports"))
            .prefetch_related(
                Prefetch("updates", queryset=ProjectUpdate.objects.order_by("-created_at"))
            )
            .get(pk=pk)
        )
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_user_state(*, project: Project, user) -> dict[str, bool]:
    """Whether `user` supports and follows `project` (both False for anonymous visitors)."""
    if not user.is_authenticated:
        return {"supported": False, "following": False}
    return {
        "supported": project.supports.filter(user=user).exists(),
        "following": project.followers.filter(user=user).exists(),
    }


def ballot_projects(*, envelope: Envelope) -> list[Project]:
    """The projects on an envelope's ballot, cheapest first then by title."""
    return list(
        envelope.projects.filter(status=ProjectStatus.FEASIBLE).order_by("cost", "title", "pk")
    )


def resident_verification_of(*, user, territory) -> ResidentVerification | None:
    """The user's residence check in `territory`, if any."""
    if not user.is_authenticated:
        return None
    return ResidentVerification.objects.filter(territory=territory, user=user).first()


@dataclass(frozen=True)
class ResultRow:
    project: Project
    votes: int
    selected: bool


@dataclass(frozen=True)
class EnvelopeResults:
    """What the results page shows of one envelope."""

    envelope: Envelope
    rows: list[ResultRow]  # most votes first
    ballots: int
    spent: int
    max_votes: int
    counted: bool  # the tally has marked projects selected or not
    outcome: TallyOutcome | None  # a recount with the platform's rule, from the ballots

    @property
    def winners(self) -> list[ResultRow]:
        return [row for row in self.rows if row.selected]

    @property
    def recount_agrees(self) -> bool:
        if self.outcome is None:
            return False
        return {int(pk) for pk in self.outcome.selected} == {row.project.pk for row in self.winners}

    @property
    def share_at_start(self) -> Fraction | None:
        return Fraction(self.envelope.amount, self.ballots) if self.ballots else None


def budget_results(*, budget: Budget) -> list[EnvelopeResults]:
    """Per envelope: votes (points for cumulative ballots) per project, winners, money spent.

    Reads the ballots' choices only, in one query for the whole budget.
    """
    envelopes = envelope_list(budget=budget)
    projects: dict[int, list[Project]] = {envelope.pk: [] for envelope in envelopes}
    for project in Project.objects.filter(envelope__budget=budget, status__in=ON_BALLOT):
        projects[project.envelope_id].append(project)
    votes: dict[int, Counter] = {envelope.pk: Counter() for envelope in envelopes}
    ballots: Counter = Counter()
    for envelope_id, choices in Ballot.objects.filter(envelope__budget=budget).values_list(
        "envelope_id", "choices"
    ):
        ballots[envelope_id] += 1
        for project_id, points in choices.items():
            votes[envelope_id][int(project_id)] += (
                points if budget.ballot_type == BallotType.CUMULATIVE else 1
            )
    results = []
    for envelope in envelopes:
        envelope.budget = budget
        rows = sorted(
            (
                ResultRow(
                    project=project,
                    votes=votes[envelope.pk][project.pk],
                    selected=project.status == ProjectStatus.SELECTED,
                )
                for project in projects[envelope.pk]
            ),
            key=lambda row: (-row.votes, row.project.title),
        )
        results.append(
            EnvelopeResults(
                envelope=envelope,
                rows=rows,
                ballots=ballots[envelope.pk],
                spent=sum(row.project.cost or 0 for row in rows if row.selected),
                max_votes=max((row.votes for row in rows), default=0),
                counted=any(p.status != ProjectStatus.FEASIBLE for p in projects[envelope.pk]),
                outcome=_recount(envelope, projects[envelope.pk], ballots[envelope.pk]),
            )
        )
    return results


def _recount(envelope: Envelope, projects: list[Project], ballots: int) -> TallyOutcome | None:
    """The platform's rule run again on the envelope's ballots, cached while nothing changes.

    Ballots are only replaced while the vote is open; results are read after it, so the number
    of ballots and the projects' costs identify what was counted.
    """
    if not projects:
        return None
    state = ",".join(f"{p.pk}:{p.cost}" for p in sorted(projects, key=lambda p: p.pk))
    digest = hashlib.sha256(f"{envelope.pk}|{ballots}|{state}".encode()).hexdigest()[:32]
    key = f"parvis:budgets:recount:{digest}"
    outcome = cache.get(key)
    if outcome is None:
        outcome = tally(
            election=envelope_election(envelope=envelope), rule=RULE, completion=COMPLETION
        )
        cache.set(key, outcome, TALLY_CACHE_SECONDS)
    return outcome


def staff_budget_summary(*, budget: Budget) -> dict:
    """Counts staff need at a glance: projects by status, ballots and paper ballots by envelope."""
    by_status = _counts(Project.objects.filter(envelope__budget=budget), "status")
    ballots = _counts(Ballot.objects.filter(envelope__budget=budget), "envelope_id")
    voters = _counts(VoterRecord.objects.filter(envelope__budget=budget), "envelope_id")
    pending = _counts(
        PaperBallot.objects.filter(envelope__budget=budget, confirmed_by__isnull=True),
        "envelope_id",
    )
    envelopes = envelope_list(budget=budget)
    for envelope in envelopes:
        envelope.ballot_count = ballots.get(envelope.pk, 0)
        envelope.voter_count = voters.get(envelope.pk, 0)
        envelope.pending_paper = pending.get(envelope.pk, 0)
    selected = (
        Project.objects.filter(envelope__budget=budget, status=ProjectStatus.SELECTED)
        .select_related("envelope")
        .order_by("envelope_id", "title")
    )
    return {
        "by_status": [(status, status.label, by_status.get(status, 0)) for status in ProjectStatus],
        "envelopes": envelopes,
        "selected": selected,
        "census_entries": CensusEntry.objects.filter(territory_id=budget.territory_id).count(),
    }


def _counts(queryset: QuerySet, column: str) -> dict:
    return dict(
        queryset.order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
    )


def project_list_for_review(*, budget: Budget, status: str) -> QuerySet[Project]:
    """The budget's projects in `status` (all when empty), oldest proposals first."""
    projects = (
        Project.objects.filter(envelope__budget=budget)
        .select_related("envelope", "merged_into")
        .order_by("created_at", "pk")
    )
    return projects.filter(status=status) if status else projects


def project_get_for_staff(*, budget: Budget, pk: int) -> Project:
    """A project of `budget` (the caller checked the budget's permission), or 404."""
    try:
        return (
            Project.objects.filter(envelope__budget=budget)
            .select_related("envelope", "envelope__budget", "territory")
            .defer("territory__boundary")
            .get(pk=pk)
        )
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_in_budget(*, budget: Budget, pk: int) -> Project | None:
    """A project of `budget` by its number, or None (to merge a proposal into it)."""
    return Project.objects.filter(envelope__budget=budget, pk=pk).first()


def paper_ballots_to_check(*, envelope: Envelope) -> dict[str, list[PaperBallot]]:
    """Paper ballots typed once (waiting for a second agent) and those whose typings differ.

    Never their choices: the second agent types the ballot without seeing the first typing.
    """
    papers = envelope.paper_ballots.filter(confirmed_by__isnull=True).order_by("batch", "number")
    pending, mismatched = [], []
    for paper in papers.only("batch", "number", "mismatch", "entered_by_id", "created_at"):
        (mismatched if paper.mismatch else pending).append(paper)
    return {"pending": pending, "mismatched": mismatched}


def comment_get_for_staff(*, budget, pk: int):
    """A comment on one of the budget's projects (404 otherwise)."""
    from django.contrib.contenttypes.models import ContentType

    from parvis.participation.models import Comment

    comment = Comment.objects.filter(
        pk=pk, process=budget.process, target_type=ContentType.objects.get_for_model(Project)
    ).first()
    if comment is None:
        raise Http404
    return comment


def project_photo_get_public(*, budget, pk: int):
    """A photo of one of the budget's projects visible to the public (404 otherwise)."""
    from parvis.budgets.models import ProjectPhoto

    photo = (
        ProjectPhoto.objects.filter(pk=pk, project__envelope__budget=budget)
        .select_related("project")
        .first()
    )
    if photo is None:
        raise Http404
    return photo
