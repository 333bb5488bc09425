"""Personal data held by the notifications app."""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import LegalBasis, ProcessingActivity, register


def export(user) -> dict:
    from parvis.notifications.models import Notification

    return {
        "notifications": [
            {
                "channel": n.channel,
                "subject": n.subject,
                "status": n.status,
                "created_at": n.created_at.isoformat(),
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at")
        ]
    }


def erase(user) -> None:
    from parvis.notifications.models import Notification

    Notification.objects.filter(recipient=user).delete()


register(
    ProcessingActivity(
        key="notifications.delivery",
        name=_("Notifications"),
        purpose=_("Tell people about what they follow: their reports, votes, consultations."),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Residents"), _("Staff")),
        data_categories=(_("Email address, phone number or postal address"), _("Message")),
        recipients=(_("Email and SMS providers acting as processors"),),
        retention=_("Six months after sending."),
        models=("notifications.Notification",),
        export=export,
        erase=erase,
    )
)
