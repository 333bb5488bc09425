"""Personal data held by the reports app."""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import (
    ConsentPurpose,
    LegalBasis,
    ProcessingActivity,
    register,
    register_consent_purpose,
)


def export(user) -> dict:
    from parvis.reports.models import Report

    return {
        "reports": [
            {
                "number": report.pk,
                "title": report.title,
                "description": report.description,
                "category": report.category.name,
                "status": report.status,
                "place": report.place,
                "latitude": report.latitude,
                "longitude": report.longitude,
                "created_at": report.created_at.isoformat(),
                "name_given": report.reporter_name,
                "email_given": report.reporter_email,
                "phone_given": report.reporter_phone,
                "photos": [photo.image.name for photo in report.photos.all()],
            }
            for report in Report.objects.filter(reporter=user)
            .select_related("category")
            .prefetch_related("photos")
        ],
        "followed_reports": list(user.followed_reports.values_list("report_id", flat=True)),
    }


def erase(user) -> None:
    """Anonymise the person's reports: the public record stays, nothing points to them."""
    from parvis.reports.caching import reports_changed
    from parvis.reports.models import Report

    for report in Report.objects.filter(reporter=user).prefetch_related("photos"):
        for photo in report.photos.all():
            photo.image.delete(save=False)
            photo.delete()
    Report.objects.filter(reporter=user).update(
        reporter=None,
        reporter_name="",
        reporter_email="",
        reporter_phone="",
        reporter_address="",
        show_name=False,
    )
    user.followed_reports.all().delete()
    reports_changed()  # names shown on public pages may have gone


register(
    ProcessingActivity(
        key="reports.incident_reports",
        name=_("Incident reports"),
        purpose=_(
            "Receive residents' reports of problems in public space, handle them and keep the "
            "reporter informed until the repair."
        ),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Residents who report a problem"), _("Residents who follow a report")),
        data_categories=(
            _("Name (optional, hidden from the public by default)"),
            _("Email, phone or postal address for updates"),
            _("Photos of the place"),
            _("Location of the problem"),
        ),
        recipients=(_("Agents of the department in charge"), _("Moderators")),
        retention=_(
            "Contact details and photos are deleted after the period set by the territory "
            "(one year by default) once the report is closed; the anonymous public record stays."
        ),
        models=(
            "reports.Report",
            "reports.ReportPhoto",
            "reports.ReportFollower",
            "reports.ReportEvent",
            "reports.Open311Client",
        ),
        export=export,
        erase=erase,
        security_measures=(
            _("Photo metadata (GPS position, device) removed on upload"),
            _("Every staff view of contact details is logged"),
        ),
    )
)
register_consent_purpose(
    ConsentPurpose(
        key="reports.offline_updates",
        label=_("Updates on my report by SMS or post"),
        description=_(
            "An agent files my report for me and I agree to receive news of it by SMS or post "
            "at the number or address I give."
        ),
        processing_activity="reports.incident_reports",
        notice_version="2026-11",
        offered_online=False,
    )
)
