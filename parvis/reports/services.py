"""Writes of the reports domain: filing, the workflow, follow-up and moderation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import AuditAction, audit
from parvis.core.images import MAX_PHOTOS, clean_photo
from parvis.reports.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    EventKind,
    PhotoStage,
    ReportStatus,
    Source,
    UpdateChannel,
)
from parvis.reports.events import report_created, report_public_update
from parvis.reports.models import (
    Category,
    Open311Client,
    Report,
    ReportEvent,
    ReportFollower,
    ReportingSettings,
    ReportPhoto,
    ResponseTemplate,
)
from parvis.territories.selectors import district_locate, territory_locate


class InvalidTransition(ValidationError):
    """The workflow does not allow this move."""


def reporting_settings(*, territory) -> ReportingSettings:
    settings, _created = ReportingSettings.objects.get_or_create(territory=territory)
    return settings


def _event(report: Report, kind: str, *, author=None, text: str = "", public: bool = True, **kw):
    event = ReportEvent.objects.create(
        report=report, kind=kind, author=author, text=text, is_public=public, **kw
    )
    if public and kind in {EventKind.STATUS, EventKind.PUBLIC_UPDATE, EventKind.REOPENED}:
        report_public_update.send_on_commit(sender=Report, report=report, event=event)
    return event


def _add_photos(report: Report, photos, stage: str = PhotoStage.BEFORE) -> None:
    photos = list(photos or [])
    if len(photos) + report.photos.filter(stage=stage).count() > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(count)d photos per report.") % {"count": MAX_PHOTOS},
            code="too_many_photos",
        )
    for upload in photos:
        clean = clean_photo(upload)
        photo = ReportPhoto(report=report, stage=stage, width=clean.width, height=clean.height)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()


@transaction.atomic
def report_create(
    *,
    category: Category,
    title: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    place: str = "",
    photos=(),
    reporter=None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_address: str = "",
    update_channel: str = UpdateChannel.EMAIL,
    show_name: bool | None = None,
    source: str = Source.WEB,
    assisted_by=None,
    open311_client: Open311Client | None = None,
) -> Report:
    """File a report: route it to the category's department, place it in its district, start
    its deadline, keep its photos (cleaned) and acknowledge it after commit.

    A located report must fall inside the category's territory (or one of its communes). The
    reporter is the account, or the contact details given (assisted or Open311 reports).
    """
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."), code="position")
    if latitude is None and not place.strip():
        raise ValidationError(
            _("Say where the problem is: a point on the map, an address or a description."),
            code="no_place",
        )
    territory = category.territory
    district = None
    if latitude is not None:
        located = territory_locate(latitude=latitude, longitude=longitude)
        if located is None:
            raise ValidationError(
                _("This place is outside the territories served by this platform."),
                code="outside",
            )
        if located.pk != territory.pk and located.parent_id != territory.pk:
            raise ValidationError(
                _("This category is not handled where the problem is. Choose another one."),
                code="wrong_territory",
            )
        territory = located
        district = district_locate(territory=territory, latitude=latitude, longitude=longitude)
    if reporter is not None:
        reporter_email = reporter_email or reporter.email
        reporter_name = reporter_name or reporter.display_name
    now = timezone.now()
    report = Report(
        territory=territory,
        category=category,
        department=category.department,
        district=district,
        priority=category.default_priority,
        title=title.strip()[:120],
        description=description.strip(),
        latitude=latitude,
        longitude=longitude,
        place=place.strip(),
        source=source,
        reporter=reporter,
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip(),
        reporter_phone=reporter_phone.strip(),
        reporter_address=reporter_address.strip(),
        update_channel=update_channel,
        show_name=(not category.anonymous_by_default) if show_name is None else show_name,
        assisted_by=assisted_by,
        open311_client=open311_client,
        due_at=now + timedelta(hours=category.sla_hours),
    )
    report.full_clean()
    report.save()
    # The deadline runs from the recorded creation time, to the second.
    report.due_at = report.created_at + timedelta(hours=category.sla_hours)
    Report.objects.filter(pk=report.pk).update(due_at=report.due_at)
    _add_photos(report, photos)
    _event(report, EventKind.CREATED, author=reporter or assisted_by, text="")
    if reporter is not None:
        ReportFollower.objects.get_or_create(report=report, user=reporter)
    if assisted_by is not None:
        audit(
            actor=assisted_by,
            action=AuditAction.STAFF_ACTION,
            verb="report_file_for_resident",
            target=report,
            territory=territory,
            detail={"channel": update_channel},
        )
    report_created.send_on_commit(sender=Report, report=report)
    return report


@transaction.atomic
def report_transition(*, report: Report, to: str, actor, public_note: str = "") -> Report:
    """Move a report along its workflow and record the step in its public timeline.

    The caller has checked `reports.triage_report`. Raises InvalidTransition when the workflow
    forbids the move. Milestones (acknowledged, resolved, closed) are timestamped once.
    """
    report = Report.objects.select_for_update().get(pk=report.pk)
    if to not in TRANSITIONS.get(report.status, frozenset()):
        raise InvalidTransition(
            _("A report cannot go from “%(from)s” to “%(to)s”.")
            % {"from": report.get_status_display(), "to": ReportStatus(to).label},
            code="transition",
        )
    now = timezone.now()
    previous = report.status
    report.status = to
    if to != ReportStatus.NEW and report.acknowledged_at is None:
        report.acknowledged_at = now
    if to == ReportStatus.RESOLVED:
        report.resolved_at = now
    if to in CLOSED_STATUSES:
        report.closed_at = now
    else:
        report.closed_at = None
    report.save()
    _event(
        report,
        EventKind.STATUS,
        author=actor,
        text=public_note.strip(),
        from_status=previous,
        to_status=to,
    )
    return report


@transaction.atomic
def report_add_update(*, report: Report, actor, text: str, public: bool, photos=()) -> ReportEvent:
    """A public update (notified to followers) or an internal note (staff only).

    Photos added with a public update are "after" photos (the repair).
    """
    if not text.strip():
        raise ValidationError(_("Write the text of the update."), code="empty")
    if photos:
        _add_photos(report, photos, stage=PhotoStage.AFTER)
    kind = EventKind.PUBLIC_UPDATE if public else EventKind.INTERNAL_NOTE
    return _event(report, kind, author=actor, text=text.strip(), public=public)


@transaction.atomic
def report_set_priority(*, report: Report, priority: int, actor) -> Report:
    """Raise or lower a report's priority (the deadline stays the category's)."""
    previous = report.get_priority_display()
    report.priority = priority
    report.full_clean()
    report.save(update_fields=["priority", "updated_at"])
    _event(
        report,
        EventKind.PRIORITY,
        author=actor,
        public=False,
        text=f"{previous} → {report.get_priority_display()}",
    )
    return report


@transaction.atomic
def report_assign(*, report: Report, assignee, actor) -> Report:
    """Give the report to an agent of its territory (None to unassign)."""
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    _event(
        report,
        EventKind.ASSIGNED,
        author=actor,
        public=False,
        text=str(assignee) if assignee else "",
    )
    return report


@transaction.atomic
def report_recategorise(*, report: Report, category: Category, actor) -> Report:
    """Change the category; the report follows the new category's department and deadline."""
    if category.territory_id not in {report.territory_id, report.territory.parent_id}:
        raise ValidationError(_("This category belongs to another territory."), code="category")
    previous = report.category
    report.category = category
    report.department = category.department
    report.due_at = report.created_at + timedelta(hours=category.sla_hours)
    report.save()
    _event(
        report,
        EventKind.RECATEGORISED,
        author=actor,
        text=f"{previous.name} → {category.name}",
    )
    return report


@transaction.atomic
def report_move(*, report: Report, department, actor, note: str = "") -> Report:
    """Hand the report to another department of the same territory (or of its EPCI)."""
    if department.territory_id not in {report.territory_id, report.territory.parent_id}:
        raise ValidationError(_("This department belongs to another territory."), code="dept")
    report.department = department
    report.save(update_fields=["department", "updated_at"])
    _event(report, EventKind.MOVED, author=actor, public=False, text=note or department.name)
    return report


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, actor) -> Report:
    """Close `duplicate` as a duplicate of `into`; its followers now follow `into`."""
    if duplicate.pk == into.pk or into.duplicate_of_id:
        raise ValidationError(_("Choose another report to merge into."), code="merge")
    for follower in duplicate.followers.all():
        ReportFollower.objects.get_or_create(report=into, user=follower.user)
    if duplicate.status != ReportStatus.DUPLICATE:
        report_transition(
            report=duplicate,
            to=ReportStatus.DUPLICATE,
            actor=actor,
            public_note=_("Already reported as #%(number)s.") % {"number": into.pk},
        )
    Report.objects.filter(pk=duplicate.pk).update(duplicate_of=into)
    _event(into, EventKind.MERGED, author=actor, public=False, text=f"#{duplicate.pk}")
    duplicate.refresh_from_db()
    return duplicate


@transaction.atomic
def report_redact(*, report: Report, actor, title: str, description: str, reason: str) -> Report:
    """Moderation: rewrite the public text (insults, personal data). Audited."""
    report.title, report.description = title.strip()[:120], description.strip()
    report.full_clean()
    report.save()
    _event(report, EventKind.MODERATED, author=actor, public=False, text=reason)
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="report_redact",
        target=report,
        territory=report.territory,
        detail={"reason": reason},
    )
    return report


@transaction.atomic
def report_photo_hide(*, photo: ReportPhoto, actor, reason: str) -> ReportPhoto:
    """Moderation: hide a photo from the public (a face, a plate). Audited."""
    photo.is_hidden = True
    photo.save(update_fields=["is_hidden", "updated_at"])
    _event(photo.report, EventKind.MODERATED, author=actor, public=False, text=reason)
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="report_photo_hide",
        target=photo,
        territory=photo.report.territory,
        detail={"reason": reason},
    )
    return photo


def report_follow(*, report: Report, user) -> bool:
    """Follow a report; returns False if already following."""
    _follower, created = ReportFollower.objects.get_or_create(report=report, user=user)
    return created


def report_unfollow(*, report: Report, user) -> None:
    ReportFollower.objects.filter(report=report, user=user).delete()


@transaction.atomic
def report_thank(*, report: Report, user=None) -> ReportEvent:
    """A resident thanks the team (shown in the timeline, counts in statistics)."""
    return _event(report, EventKind.THANKS, author=user, public=True)


@transaction.atomic
def report_confirm_fix(*, report: Report, fixed: bool, user=None, comment: str = "") -> Report:
    """Answer to "is it fixed?": confirm, or reopen the report (back to acknowledged)."""
    if report.status != ReportStatus.RESOLVED:
        raise ValidationError(_("Only a resolved report can be confirmed or reopened."))
    if fixed:
        _event(report, EventKind.FIX_CONFIRMED, author=user, text=comment.strip())
        return report
    report = Report.objects.select_for_update().get(pk=report.pk)
    previous = report.status
    report.status = ReportStatus.ACKNOWLEDGED
    report.resolved_at = report.closed_at = None
    report.reopen_count += 1
    report.due_at = timezone.now() + timedelta(hours=report.category.sla_hours)
    report.save()
    _event(
        report,
        EventKind.REOPENED,
        author=user,
        text=comment.strip(),
        from_status=previous,
        to_status=ReportStatus.ACKNOWLEDGED,
    )
    return report


def reporter_contact_view(*, report: Report, actor) -> dict[str, Any]:
    """The reporter's contact details for staff; every call lands in the access audit."""
    audit(
        actor=actor,
        action=AuditAction.PERSONAL_DATA_READ,
        verb="report_reporter_contact_view",
        target=report,
        subject=report.reporter,
        territory=report.territory,
    )
    return {
        "name": report.reporter_name,
        "email": report.reporter_email,
        "phone": report.reporter_phone,
        "address": report.reporter_address,
        "channel": report.get_update_channel_display(),
    }


@transaction.atomic
def report_purge_expired_contacts(*, now=None) -> int:
    """Delete contact details and photos of reports closed longer than their territory keeps
    them. The public record (text, place, timeline) stays."""
    now = now or timezone.now()
    purged = 0
    for settings in ReportingSettings.objects.all():
        cutoff = now - timedelta(days=settings.contact_retention_days)
        expired = Report.objects.filter(
            territory=settings.territory,
            closed_at__lt=cutoff,
            contact_purged_at__isnull=True,
        )
        purged += _purge(expired, now)
    default_cutoff = now - timedelta(
        days=ReportingSettings._meta.get_field("contact_retention_days").default
    )
    unset = Report.objects.filter(
        closed_at__lt=default_cutoff, contact_purged_at__isnull=True
    ).exclude(territory__in=ReportingSettings.objects.values("territory"))
    return purged + _purge(unset, now)


def _purge(reports, now) -> int:
    count = 0
    for report in reports.prefetch_related("photos"):
        for photo in report.photos.all():
            photo.image.delete(save=False)
            photo.delete()
        report.reporter_name = report.reporter_email = ""
        report.reporter_phone = report.reporter_address = ""
        report.contact_purged_at = now
        report.save()
        count += 1
    return count


@transaction.atomic
def open311_client_create(
    *, territory, name: str, contact_email: str, actor
) -> tuple[Open311Client, str]:
    """Register an application; returns it with its API key, shown once and never stored."""
    key = secrets.token_urlsafe(32)
    client = Open311Client(
        territory=territory,
        name=name,
        contact_email=contact_email,
        key_prefix=key[:8],
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
    )
    client.full_clean()
    client.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="open311_client_create",
        target=client,
        territory=territory,
    )
    return client, key


@transaction.atomic
def reports_ask_if_fixed(*, now=None) -> int:
    """Mark resolved reports whose follow-up question is due, and emit the event that asks
    their reporter and followers "is it fixed?" (FixMyStreet's questionnaire)."""
    from parvis.reports.events import report_fix_check_due

    now = now or timezone.now()
    asked = 0
    for settings in [None, *ReportingSettings.objects.all()]:
        days = (
            settings.fix_check_after_days
            if settings
            else ReportingSettings._meta.get_field("fix_check_after_days").default
        )
        due = Report.objects.filter(
            status=ReportStatus.RESOLVED,
            resolved_at__lt=now - timedelta(days=days),
            fix_check_sent_at__isnull=True,
        )
        if settings is None:
            due = due.exclude(territory__in=ReportingSettings.objects.values("territory"))
        else:
            due = due.filter(territory=settings.territory)
        for report in due.select_for_update():
            report.fix_check_sent_at = now
            report.save(update_fields=["fix_check_sent_at", "updated_at"])
            report_fix_check_due.send_on_commit(sender=Report, report=report)
            asked += 1
    return asked


# --- Configuration by the territory's administrators -----------------------------------


def _changes(instance, fields: list[str]) -> dict[str, list[str]]:
    """field -> [before, after] for the fields an edit changes (what the audit entry keeps)."""
    if instance.pk is None:
        return {}
    stored = type(instance).objects.filter(pk=instance.pk).values(*fields).first() or {}
    return {
        name: [str(stored.get(name)), str(getattr(instance, name))]
        for name in fields
        if name in stored and stored[name] != getattr(instance, name)
    }


@transaction.atomic
def category_save(*, category: Category, actor) -> Category:
    """Create or change a category of a territory; the audit log keeps what changed.

    A new deadline (`sla_hours`) applies to reports filed from now on: deadlines already set
    are commitments made to residents.
    """
    category.full_clean()
    creating = category.pk is None
    fields = ["name", "group", "service_code", "department_id", "sla_hours"]
    fields += ["default_priority", "anonymous_by_default", "is_active"]
    changes = _changes(category, fields)
    category.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="category_create" if creating else "category_update",
        target=category,
        territory=category.territory,
        detail={"changes": changes} if changes else None,
    )
    return category


@transaction.atomic
def response_template_save(*, template: ResponseTemplate, actor) -> ResponseTemplate:
    """Create or change a ready-made answer of a territory."""
    template.full_clean()
    creating = template.pk is None
    template.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="response_template_create" if creating else "response_template_update",
        target=template,
        territory=template.territory,
    )
    return template


@transaction.atomic
def response_template_delete(*, template: ResponseTemplate, actor) -> None:
    """Remove a ready-made answer (answers already sent stay in the reports' timelines)."""
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="response_template_delete",
        target=template,
        territory=template.territory,
        detail={"title": template.title},
    )
    template.delete()


@transaction.atomic
def reporting_settings_save(*, settings: ReportingSettings, actor) -> ReportingSettings:
    """Change how a territory runs reporting (retention, follow-up, duplicates), audited."""
    fields = ["contact_retention_days", "fix_check_after_days", "duplicate_radius_m"]
    changes = _changes(settings, fields)
    settings.full_clean()
    settings.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="reporting_settings_update",
        target=settings,
        territory=settings.territory,
        detail={"changes": changes} if changes else None,
    )
    return settings
