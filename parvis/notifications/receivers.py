"""Notifications listen to domain events and tell the people concerned."""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from parvis.budgets.events import project_updated
from parvis.notifications.choices import Channel
from parvis.notifications.services import notification_send
from parvis.reports.choices import UpdateChannel
from parvis.reports.events import report_created, report_fix_check_due, report_public_update

CHANNEL_FOR_UPDATE = {
    UpdateChannel.EMAIL: Channel.EMAIL,
    UpdateChannel.SMS: Channel.SMS,
    UpdateChannel.POST: Channel.POST,
}


def _report_url(report) -> str:
    return f"{settings.PARVIS_SITE_URL}/signalements/{report.pk}/"


def _offline_reporter_address(report) -> tuple[str, str] | None:
    """Channel and address of a reporter without an account (assisted or Open311)."""
    channel = CHANNEL_FOR_UPDATE.get(report.update_channel)
    address = {
        Channel.EMAIL: report.reporter_email,
        Channel.SMS: report.reporter_phone,
        Channel.POST: "\n".join(filter(None, [report.reporter_name, report.reporter_address])),
    }.get(channel, "")
    return (channel, address) if channel and address else None


@receiver(report_created)
def acknowledge_report(sender, report, **kwargs) -> None:
    with translation.override(
        report.reporter.preferred_language if report.reporter else settings.LANGUAGE_CODE
    ):
        subject = _("Your report #%(number)s has been received") % {"number": report.pk}
        body = _(
            "Thank you. Your report “%(title)s” has been sent to the department in charge. "
            "Follow it at %(url)s"
        ) % {"title": report.title, "url": _report_url(report)}
    if report.reporter is not None:
        notification_send(
            channel=Channel.EMAIL,
            recipient=report.reporter,
            subject=subject,
            body=body,
            territory=report.territory,
        )
    elif (target := _offline_reporter_address(report)) is not None:
        notification_send(
            channel=target[0],
            address=target[1],
            subject=subject,
            body=body,
            territory=report.territory,
        )


@receiver(report_public_update)
def tell_followers(sender, report, event, **kwargs) -> None:
    """Every public step of a report reaches its followers, and its offline reporter."""
    status = report.get_status_display()
    for follower in report.followers.select_related("user"):
        with translation.override(follower.user.preferred_language):
            subject = _("Report #%(number)s: %(status)s") % {"number": report.pk, "status": status}
            body = "\n\n".join(filter(None, [event.text, _report_url(report)]))
            notification_send(
                channel=Channel.EMAIL,
                recipient=follower.user,
                subject=subject,
                body=body,
                territory=report.territory,
            )
            notification_send(
                channel=Channel.IN_APP,
                recipient=follower.user,
                subject=subject,
                body=body,
                territory=report.territory,
            )
    if report.reporter is None and (target := _offline_reporter_address(report)) is not None:
        subject = _("Report #%(number)s: %(status)s") % {"number": report.pk, "status": status}
        notification_send(
            channel=target[0],
            address=target[1],
            subject=subject,
            body="\n\n".join(filter(None, [subject, event.text])),
            territory=report.territory,
        )


@receiver(report_fix_check_due)
def ask_if_fixed(sender, report, **kwargs) -> None:
    """A few weeks after resolution, the people who care are asked whether it is fixed."""
    for follower in report.followers.select_related("user"):
        with translation.override(follower.user.preferred_language):
            notification_send(
                channel=Channel.EMAIL,
                recipient=follower.user,
                subject=_("Is it fixed? Report #%(number)s") % {"number": report.pk},
                body=_(
                    "Report “%(title)s” was marked resolved. Is the problem really fixed? "
                    "Answer (and reopen it if needed) at %(url)s"
                )
                % {"title": report.title, "url": _report_url(report)},
                territory=report.territory,
            )


@receiver(project_updated)
def tell_project_followers(sender, project, update, **kwargs) -> None:
    """Each published step of a winning budget project reaches the people following it."""
    url = f"{settings.PARVIS_SITE_URL}/budgets-participatifs/"
    url += f"{project.envelope.budget.process.slug}/projets/{project.pk}/"
    for follower in project.followers.select_related("user"):
        user = follower.user
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("News of the project “%(title)s”") % {"title": project.title}
            body = _("%(stage)s, %(progress)s %% done. %(text)s\nFollow it at %(url)s") % {
                "stage": update.get_realisation_display(),
                "progress": update.progress,
                "text": update.text,
                "url": url,
            }
        notification_send(
            channel=Channel.EMAIL,
            recipient=user,
            subject=subject,
            body=body,
            territory=project.territory,
        )
