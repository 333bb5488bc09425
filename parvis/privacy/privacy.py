"""Personal data held by the privacy app itself: the audit trail and consent records."""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import (
    ConsentPurpose,
    LegalBasis,
    ProcessingActivity,
    register,
    register_consent_purpose,
)


def export_consents(user) -> dict:
    from parvis.privacy.models import ConsentRecord

    return {
        "consents": [
            {
                "record_id": str(record.record_id),
                "purpose": record.purpose,
                "state": record.state,
                "notice_version": record.notice_version,
                "method": record.method,
                "at": record.at.isoformat(),
            }
            for record in ConsentRecord.objects.filter(subject=user).order_by("at")
        ]
    }


def erase_consents(user) -> None:
    # Consent records are evidence for the controller only while the account exists; they go
    # with it (ConsentRecord.subject cascades).
    return None


def export_audit(user) -> dict:
    from parvis.privacy.models import AuditEntry

    entries = AuditEntry.objects.filter(subject=user).order_by("at")
    return {
        "accesses_to_my_data": [
            {"at": entry.at.isoformat(), "by": entry.actor_label, "action": entry.verb}
            for entry in entries
        ]
    }


def erase_audit(user) -> None:
    # The audit trail is kept for its retention period (security obligation, GDPR art. 32);
    # the subject link is nulled when the account goes (on_delete=SET_NULL).
    return None


register(
    ProcessingActivity(
        key="privacy.consents",
        name=_("Consent records"),
        purpose=_("Prove which consents a person gave or withdrew, on which notice, and when."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_subjects=(_("Residents"),),
        data_categories=(_("Consent choices"), _("Dates"), _("Agent who collected it")),
        recipients=(_("Data protection officer"),),
        retention=_("As long as the account exists, then deleted with it."),
        models=("privacy.ConsentRecord",),
        export=export_consents,
        erase=erase_consents,
    )
)
register(
    ProcessingActivity(
        key="privacy.access_audit",
        name=_("Audit of staff actions and accesses"),
        purpose=_(
            "Trace every staff action and every staff read of a person's personal data, to "
            "detect and sanction misuse."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_subjects=(_("Staff"), _("Residents whose data was accessed")),
        data_categories=(_("Identity of the staff member"), _("Action"), _("Date and time")),
        recipients=(_("Data protection officer"), _("Territory administrators")),
        retention=_("One year, then deleted automatically."),
        models=("privacy.AuditEntry", "admin.LogEntry"),
        export=export_audit,
        erase=erase_audit,
    )
)
register_consent_purpose(
    ConsentPurpose(
        key="privacy.data_bulletin",
        label=_("Data-usage bulletin by email"),
        description=_(
            "Receive, by email, the regular bulletin explaining how the collectivité uses "
            "the territory's data and yours."
        ),
        processing_activity="notifications.delivery",
        notice_version="2026-11",
    )
)
