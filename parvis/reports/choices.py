from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """The statuses a French town uses; Open311 sees them as open or closed."""

    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    TRANSFERRED = "transferred", _("Transferred to another body")


OPEN_STATUSES = frozenset(
    {ReportStatus.NEW, ReportStatus.ACKNOWLEDGED, ReportStatus.SCHEDULED, ReportStatus.IN_PROGRESS}
)
CLOSED_STATUSES = frozenset(set(ReportStatus) - OPEN_STATUSES)

# Allowed moves. Closed reports move only by reopening (back to acknowledged).
TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.NEW: frozenset(
        {
            ReportStatus.ACKNOWLEDGED,
            ReportStatus.SCHEDULED,
            ReportStatus.IN_PROGRESS,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
            ReportStatus.DUPLICATE,
            ReportStatus.TRANSFERRED,
        }
    ),
    ReportStatus.ACKNOWLEDGED: frozenset(
        {
            ReportStatus.SCHEDULED,
            ReportStatus.IN_PROGRESS,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
            ReportStatus.DUPLICATE,
            ReportStatus.TRANSFERRED,
        }
    ),
    ReportStatus.SCHEDULED: frozenset(
        {
            ReportStatus.IN_PROGRESS,
            ReportStatus.RESOLVED,
            ReportStatus.REJECTED,
            ReportStatus.TRANSFERRED,
        }
    ),
    ReportStatus.IN_PROGRESS: frozenset(
        {ReportStatus.SCHEDULED, ReportStatus.RESOLVED, ReportStatus.TRANSFERRED}
    ),
    ReportStatus.RESOLVED: frozenset({ReportStatus.ACKNOWLEDGED}),
    ReportStatus.REJECTED: frozenset({ReportStatus.ACKNOWLEDGED}),
    ReportStatus.DUPLICATE: frozenset({ReportStatus.ACKNOWLEDGED}),
    ReportStatus.TRANSFERRED: frozenset({ReportStatus.ACKNOWLEDGED}),
}


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Source(models.TextChoices):
    WEB = "web", _("Website")
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("By phone")
    OPEN311 = "open311", _("Open311 application")


class EventKind(models.TextChoices):
    CREATED = "created", _("Reported")
    STATUS = "status", _("Status changed")
    PUBLIC_UPDATE = "public_update", _("Update")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    RECATEGORISED = "recategorised", _("Category changed")
    MOVED = "moved", _("Department changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY = "priority", _("Priority changed")
    MERGED = "merged", _("Duplicate merged")
    REOPENED = "reopened", _("Reopened")
    FIX_CONFIRMED = "fix_confirmed", _("Repair confirmed")
    THANKS = "thanks", _("Thanks")
    MODERATED = "moderated", _("Moderated")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class UpdateChannel(models.TextChoices):
    """How a reporter without the website gets news of their report."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    POST = "post", _("Post")
    NONE = "none", _("No updates")
