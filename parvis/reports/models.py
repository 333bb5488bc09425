"""Incident reports ("signalements") from residents, and how the town handles them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TerritorialModel, TerritorialQuerySet, TimeStampedModel
from parvis.reports.choices import (
    OPEN_STATUSES,
    EventKind,
    PhotoStage,
    Priority,
    ReportStatus,
    Source,
    UpdateChannel,
)


class Category(TerritorialModel):
    """What can be reported in a commune ("Nid-de-poule", "Lampadaire en panne"), grouped.

    The category routes a report to a department and sets its deadline (SLA). It is also an
    Open311 service (`service_code`).
    """

    name = models.CharField(_("name"), max_length=150)
    group = models.CharField(_("group"), max_length=100)
    service_code = models.SlugField(_("Open311 service code"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "territories.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department in charge"),
    )
    sla_hours = models.PositiveIntegerField(
        _("deadline (hours)"), help_text=_("Time allowed from report to resolution.")
    )
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    anonymous_by_default = models.BooleanField(
        _("reporters hidden from the public by default"), default=True
    )
    is_active = models.BooleanField(_("open to reports"), default=True)

    class Meta:
        ordering = ["territory", "group", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "service_code"],
                name="category_unique_service_code",
                violation_error_message=_("This territory already has this service code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.name}"


class ReportQuerySet(TerritorialQuerySet):
    def open(self) -> ReportQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to_public(self) -> ReportQuerySet:
        return self.filter(is_hidden=False, duplicate_of__isnull=True)


def _label(choices, value) -> str:
    """The label of a choice, as `get_FOO_display` but without building a dict of every
    choice at each call (a page of reports shows dozens of labels)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Report(TerritorialModel):
    """A problem a resident reported at a place, and its handling up to a verified repair.

    Every status change is timestamped (in `ReportEvent`, and the milestones below) so that
    resolution times and deadlines can be computed. Contact details of the reporter are personal
    data: shown to staff only (each view audited), never to the public; purged after the
    territory's retention period once the report is closed.
    """

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    department = models.ForeignKey(
        "territories.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    district = models.ForeignKey(
        "territories.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.CharField(_("address or description of the place"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Reporter (personal data).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporter account"),
    )
    reporter_name = models.CharField(_("reporter name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=30, blank=True)
    reporter_address = models.TextField(_("reporter postal address"), blank=True)
    update_channel = models.CharField(
        _("updates by"), max_length=10, choices=UpdateChannel.choices, default=UpdateChannel.EMAIL
    )
    show_name = models.BooleanField(_("show the reporter's name publicly"), default=False)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by the agent"),
    )
    # Handling.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("assigned to"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        # Indexed only where set (see Meta): a full index on a column that is NULL for 95% of
        # rows makes SQLite pick it for "IS NULL" and sort every public report by date.
        db_index=False,
    )
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    fix_check_sent_at = models.DateTimeField(_("fix check sent at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    is_hidden = models.BooleanField(_("hidden from the public"), default=False)
    contact_purged_at = models.DateTimeField(_("contact details purged at"), null=True, blank=True)
    token = models.CharField(_("Open311 token"), max_length=32, default=new_token, unique=True)
    open311_client = models.ForeignKey(
        "reports.Open311Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Open311 application"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["territory", "status", "-created_at"], name="report_queue"),
            models.Index(fields=["department", "status", "due_at"], name="report_department"),
            models.Index(fields=["latitude", "longitude"], name="report_position"),
            models.Index(fields=["-created_at"], name="report_recent"),
            # The public list, map and Open311, newest first, read in index order.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(is_hidden=False, duplicate_of__isnull=True),
                name="report_public_recent",
            ),
            # The staff queue sorted by date, every status.
            models.Index(
                fields=["territory", "-created_at", "-id"], name="report_territory_recent"
            ),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="report_duplicates",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (
                    models.Q(latitude__gte=-90, latitude__lte=90)
                    & models.Q(longitude__gte=-180, longitude__lte=180)
                ),
                name="report_valid_position",
                violation_error_message=_("The position is not a valid WGS84 point."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return _label(ReportStatus, self.status)

    @property
    def priority_label(self) -> str:
        return _label(Priority, self.priority)

    @property
    def public_reporter_name(self) -> str:
        return self.reporter_name if self.show_name and self.reporter_name else ""


class ReportEvent(models.Model):
    """One step of a report's timeline. Internal notes are never shown to the public."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        indexes = [models.Index(fields=["report", "at"], name="report_event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

    @property
    def kind_label(self) -> str:
        return _label(EventKind, self.kind)

    @property
    def to_status_label(self) -> str:
        return _label(ReportStatus, self.to_status) if self.to_status else ""


class ReportPhoto(TimeStampedModel):
    """A photo of the problem (before) or of the repair (after), re-encoded without metadata."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report")
    )
    image = models.ImageField(_("photo"), upload_to="reports/%Y/%m/")
    stage = models.CharField(
        _("stage"), max_length=10, choices=PhotoStage.choices, default=PhotoStage.BEFORE
    )
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.stage_label} #{self.report_id}"

    @property
    def stage_label(self) -> str:
        return _label(PhotoStage, self.stage)


class ReportFollower(models.Model):
    """Someone notified of every public update of a report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="followers", verbose_name=_("report")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="followed_reports",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="report_follower_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → #{self.report_id}"


class ResponseTemplate(TerritorialModel):
    """A ready-made public answer for a status (and optionally a category)."""

    title = models.CharField(_("title"), max_length=150)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["status", "title"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title


class ReportingSettings(TimeStampedModel):
    """How a territory runs reporting: retention of personal data, follow-up, duplicates."""

    territory = models.OneToOneField(
        "territories.Territory",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("territory"),
    )
    contact_retention_days = models.PositiveIntegerField(
        _("days contact details and photos are kept after closing"), default=365
    )
    fix_check_after_days = models.PositiveIntegerField(
        _("days after resolution to ask whether it is fixed"), default=28
    )
    duplicate_radius_m = models.PositiveIntegerField(
        _("radius to look for similar reports (metres)"), default=250
    )

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")


class Open311Client(TimeStampedModel):
    """An application allowed to create reports through Open311, with its own API key.

    Only a hash of the key is stored; the key is shown once to staff when created.
    """

    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("territory"),
    )
    name = models.CharField(_("application"), max_length=150)
    contact_email = models.EmailField(_("developer contact"))
    key_prefix = models.CharField(_("key prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 application")
        verbose_name_plural = _("Open311 applications")

    def __str__(self) -> str:
        return self.name
