"""Participatory budgets: envelopes, projects, verified voters and secret ballots.

A `Budget` is a component of a participatory process (`participation`): its phases say when
residents submit, vote and see results. Money is shared in `Envelope`s (one city-wide, optional
ones per district, like Paris). Ballot secrecy by design (CNIL deliberation 2019-053): who voted
(`VoterRecord`) and what was voted (`Ballot`) are stored apart, with nothing to join them: a
ballot has a random id, no voter, no time; an online voter finds their own ballot again (to
change it) only through a keyed hash whose key lives outside the database.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TerritorialModel, TimeStampedModel


class BallotType(models.TextChoices):
    APPROVAL = "approval", _("approve projects within the envelope")
    K_APPROVAL = "k_approval", _("choose up to k projects")
    CUMULATIVE = "cumulative", _("share points between projects")


class Budget(TerritorialModel):
    """A participatory budget campaign, attached to a process whose phases pace it."""

    process = models.OneToOneField(
        "participation.ParticipatoryProcess", on_delete=models.CASCADE, related_name="budget"
    )
    ballot_type = models.CharField(
        _("ballot"), max_length=12, choices=BallotType.choices, default=BallotType.APPROVAL
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum projects per ballot"), default=1)
    max_projects = models.PositiveSmallIntegerField(_("maximum projects per ballot"), default=10)
    points = models.PositiveSmallIntegerField(_("points per ballot (cumulative)"), default=10)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=16)

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")

    def __str__(self) -> str:
        return str(self.process)


class Envelope(models.Model):
    """An amount to share: city-wide (no district) or for one district's residents."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="envelopes")
    district = models.ForeignKey(
        "territories.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    amount = models.PositiveIntegerField(_("amount (euros)"))

    class Meta:
        ordering = ["budget", "district__name"]
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "district"],
                name="budgets_envelope_one_per_district",
                violation_error_message=_("This district already has an envelope."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    FEASIBLE = "feasible", _("feasible, on the ballot")
    UNFEASIBLE = "unfeasible", _("not feasible")
    MERGED = "merged", _("merged into another project")
    SELECTED = "selected", _("selected")
    NOT_SELECTED = "not_selected", _("not selected")


class RealisationStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    STUDIES = "studies", _("studies")
    WORKS = "works", _("works in progress")
    DELIVERED = "delivered", _("delivered")


class Project(TerritorialModel):
    """A resident's proposal, then (if feasible) a project on the ballot, then a realisation."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_proposals",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=ProjectStatus.choices, default=ProjectStatus.SUBMITTED
    )
    cost = models.PositiveIntegerField(_("estimated cost (euros)"), null=True, blank=True)
    review_note = models.TextField(_("public reason of the review"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    realisation = models.CharField(
        _("realisation"), max_length=10, choices=RealisationStatus.choices, blank=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    spent = models.PositiveIntegerField(_("spent (euros)"), default=0)

    class Meta:
        ordering = ["envelope", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title


class ProjectSupport(models.Model):
    """A resident supports a proposal before the vote (one support per person)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="budgets_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.project_id}"


class ProjectUpdate(TimeStampedModel):
    """A public step of a winning project's realisation (followers are notified)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    realisation = models.CharField(_("stage"), max_length=10, choices=RealisationStatus.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    spent = models.PositiveIntegerField(_("spent (euros)"))
    text = models.TextField(_("update"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("realisation update")
        verbose_name_plural = _("realisation updates")

    def __str__(self) -> str:
        return f"{self.project} ({self.progress} %)"


class ProjectFollower(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_projects"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="budgets_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.project_id}"


class CensusEntry(models.Model):
    """One line of the census list uploaded by staff, stored only as a keyed hash (HMAC).

    The hash covers the normalised family name, first name and birth date; the list itself is
    never stored. `birth_year` alone is kept, to check the minimum age, and the district when the
    list gives it, so that a district's envelope is voted by that district's residents.
    """

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64)
    birth_year = models.PositiveSmallIntegerField()
    district = models.ForeignKey(
        "territories.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["territory", "digest"], name="budgets_census_once")
        ]

    def __str__(self) -> str:
        return self.digest[:8]


class ResidentVerification(TimeStampedModel):
    """A person verified as a resident: by the census list online, or in person by an agent.

    `identity` is the keyed hash of the person's identity (the census digest), so that the same
    person cannot vote twice, online and on paper.
    """

    class Method(models.TextChoices):
        CENSUS = "census", _("census list")
        IN_PERSON = "in_person", _("in person, by an agent")

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resident_verifications",
    )
    identity = models.CharField(max_length=64)
    birth_year = models.PositiveSmallIntegerField()
    # From the census list when it gives the district; unknown (null) otherwise.
    district = models.ForeignKey(
        "territories.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "user"],
                condition=models.Q(user__isnull=False),
                name="budgets_verification_once_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity[:8]} ({self.method})"


class VoterRecord(models.Model):
    """The register of who voted in an envelope: never linked to any ballot.

    Deleted after the appeal period (see `privacy.py`). `voted_on` is a date, not a time, so
    the register cannot be lined up with the order of ballots.
    """

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="voters")
    identity = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_votes",
    )
    channel = models.CharField(
        max_length=8, choices=[("online", _("online")), ("paper", _("paper"))]
    )
    voted_on = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = _("voter register entry")
        verbose_name_plural = _("voter register")
        constraints = [
            models.UniqueConstraint(fields=["envelope", "identity"], name="budgets_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.envelope_id}: {self.identity[:8]}"


class Ballot(models.Model):
    """What one voter chose in an envelope, with nothing that says who.

    `id` is random (no insertion order), there is no time and no voter. `key` lets an online
    voter replace their own ballot while the vote is open: HMAC(ballot key, envelope, voter),
    with the key outside the database; paper ballots get a random key. `choices` maps project
    ids to points (1 for approval ballots).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="ballots")
    key = models.CharField(max_length=64)
    choices = models.JSONField()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["envelope", "key"], name="budgets_ballot_key_unique")
        ]

    def __str__(self) -> str:
        return str(self.id)


class PaperBallot(TimeStampedModel):
    """A paper ballot typed by a first agent, counted once a second agent typed the same."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="paper_ballots")
    batch = models.CharField(_("batch or ballot box"), max_length=60)
    number = models.PositiveIntegerField(_("ballot number in the batch"))
    choices = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mismatch = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["envelope", "batch", "number"], name="budgets_paper_ballot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.number}"


class ProjectPhoto(models.Model):
    """A photo of a proposal, or of the works when attached to a realisation update.

    Re-encoded without any metadata (`parvis.core.images.clean_photo`); served by the platform.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    update = models.ForeignKey(
        ProjectUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = models.ImageField(
        _("photo"), upload_to="budgets/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")

    def __str__(self) -> str:
        return f"{self.project} ({self.pk})"
