import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY

from parvis.core.models import FailedTask
from parvis.notifications import backends
from parvis.notifications.models import Notification
from parvis.notifications.services import notification_send


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.PARVIS_SMS_BACKEND = "parvis.notifications.backends.MemorySMSBackend"
    backends.sent_messages.clear()


def send(django_capture_on_commit_callbacks, **kwargs) -> Notification:
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(**kwargs)
    notification.refresh_from_db()
    return notification


def test_email_goes_to_the_account_address_after_commit(
    resident, django_capture_on_commit_callbacks
):
    notification = send(
        django_capture_on_commit_callbacks,
        channel="email",
        recipient=resident,
        subject="Votre signalement",
        body="Il a été pris en compte.",
    )
    assert notification.status == "sent" and notification.sent_at is not None
    assert mail.outbox[0].to == [resident.email]
    assert mail.outbox[0].subject == "Votre signalement"


def test_sms_reaches_a_resident_without_account(db, django_capture_on_commit_callbacks):
    notification = send(
        django_capture_on_commit_callbacks,
        channel="sms",
        address="+33600000000",
        subject="Suivi",
        body="Réparation prévue demain.",
    )
    assert notification.status == "sent"
    assert backends.sent_messages == [("+33600000000", "Réparation prévue demain.")]


def test_post_is_queued_for_printing(db, django_capture_on_commit_callbacks):
    notification = send(
        django_capture_on_commit_callbacks,
        channel="post",
        address="3 rue des Lilas\n00101 Brune-les-Moulins",
        subject="Suivi",
        body="Réparation effectuée.",
    )
    assert notification.status == "to_print"


def test_a_notification_needs_somewhere_to_go(db):
    with pytest.raises(ValidationError):
        notification_send(channel="sms", subject="S", body="B")


def test_a_failing_channel_is_retried_later(db, settings, django_capture_on_commit_callbacks):
    settings.PARVIS_SMS_BACKEND = "parvis.notifications.tests.test_services.BrokenSMS"
    notification = send(
        django_capture_on_commit_callbacks,
        channel="sms",
        address="+33600000000",
        subject="S",
        body="B",
    )
    assert notification.status == "pending", "nothing is lost: the message waits for a retry"
    retries = [t for t in HUEY.scheduled() if t.name.endswith("deliver_notification")]
    assert len(retries) == 1 and retries[0].args == (notification.pk,)
    assert not FailedTask.objects.exists(), "only the final failure is a failed job"
    HUEY.flush()


class BrokenSMS:
    def send(self, *, phone, text):
        raise ConnectionError("provider down")


def test_a_final_failure_marks_the_message_failed_and_replay_sends_it(
    db, settings, django_capture_on_commit_callbacks
):
    from parvis.core.tasks import failed_task_replay
    from parvis.notifications.tasks import deliver_notification

    settings.PARVIS_SMS_BACKEND = "parvis.notifications.tests.test_services.BrokenSMS"
    notification = Notification.objects.create(
        channel="sms", address="+33600000000", subject="S", body="B"
    )
    task = deliver_notification.s(notification.pk)
    task.retries = 0  # the last attempt
    HUEY.execute(task)
    notification.refresh_from_db()
    assert notification.status == "failed" and "provider down" in notification.error
    failed = FailedTask.objects.get()
    settings.PARVIS_SMS_BACKEND = "parvis.notifications.backends.MemorySMSBackend"
    with django_capture_on_commit_callbacks(execute=True):
        failed_task_replay(failed_task=failed)
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert backends.sent_messages == [("+33600000000", "B")]
