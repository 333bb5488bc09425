"""Sending notifications: rows are written in the caller's transaction, delivery is a job."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from parvis.notifications.backends import sms_backend
from parvis.notifications.choices import Channel, DeliveryStatus
from parvis.notifications.models import Notification


@transaction.atomic
def notification_send(
    *,
    channel: str,
    subject: str,
    body: str,
    recipient=None,
    address: str = "",
    territory=None,
) -> Notification:
    """Queue a message for delivery after commit.

    Email defaults to the recipient's account address. Delivery runs as a background job with
    retries; a message that still fails is marked failed and its job appears in the failed jobs.
    """
    if channel == Channel.EMAIL and not address and recipient is not None:
        address = recipient.email
    notification = Notification(
        channel=channel,
        subject=subject,
        body=body,
        recipient=recipient,
        address=address,
        territory=territory,
    )
    notification.full_clean()
    notification.save()
    from parvis.notifications.tasks import deliver_notification

    transaction.on_commit(lambda: deliver_notification(notification.pk))
    return notification


def notification_deliver(*, notification: Notification) -> Notification:
    """Deliver one pending notification on its channel. Raises if the channel fails."""
    if notification.status == DeliveryStatus.FAILED:
        notification.status = DeliveryStatus.PENDING  # a replayed job tries again
    if notification.status != DeliveryStatus.PENDING:
        return notification
    if notification.channel == Channel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.address])
        notification.status = DeliveryStatus.SENT
    elif notification.channel == Channel.SMS:
        sms_backend().send(phone=notification.address, text=notification.body)
        notification.status = DeliveryStatus.SENT
    elif notification.channel == Channel.POST:
        notification.status = DeliveryStatus.TO_PRINT  # printed and posted by the town hall
    else:
        notification.status = DeliveryStatus.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["status", "sent_at", "updated_at"])
    return notification


def notification_mark_failed(*, notification: Notification, error: BaseException) -> Notification:
    """Record that delivery failed for good; a replay of the job sets it back to pending."""
    notification.status = DeliveryStatus.FAILED
    notification.error = f"{type(error).__name__}: {error}"[:2000]
    notification.save(update_fields=["status", "error", "updated_at"])
    return notification
