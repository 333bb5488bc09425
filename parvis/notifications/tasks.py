"""Delivery jobs."""

from huey.contrib.djhuey import db_task

from parvis.notifications.models import Notification
from parvis.notifications.services import notification_deliver, notification_mark_failed


@db_task(retries=3, retry_delay=60, context=True)
def deliver_notification(notification_id: int, task=None) -> str:
    """Deliver one message; after the last retry the message is marked failed (and the job
    lands in the failed jobs, where it can be replayed)."""
    notification = Notification.objects.get(pk=notification_id)
    try:
        return notification_deliver(notification=notification).status
    except Exception as exc:
        if task is None or not task.retries:
            notification_mark_failed(notification=notification, error=exc)
        raise
