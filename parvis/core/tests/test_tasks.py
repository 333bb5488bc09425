"""Background jobs: a failed job is kept with its reason and can be replayed."""

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY, db_task

from parvis.core.events import DomainEvent
from parvis.core.models import FailedTask
from parvis.core.tasks import failed_task_replay

calls: list[int] = []
should_fail = {"value": True}


@db_task()
def flaky_job(number: int) -> int:
    if should_fail["value"]:
        raise RuntimeError(f"backend down for {number}")
    calls.append(number)
    return number


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    should_fail["value"] = True
    assert HUEY.immediate, "tests run huey in immediate mode"


def test_a_failed_job_is_recorded_then_replayed(db, django_capture_on_commit_callbacks):
    flaky_job(7)
    failed = FailedTask.objects.get()
    assert failed.task_name.endswith("flaky_job")
    assert "backend down for 7" in failed.error and "RuntimeError" in failed.traceback
    should_fail["value"] = False
    with django_capture_on_commit_callbacks(execute=True):
        failed_task_replay(failed_task=failed)
    assert calls == [7]
    failed.refresh_from_db()
    assert failed.replay_count == 1 and failed.replayed_at is not None


def test_platform_operator_replays_from_the_staff_screen(
    client, db, make_staff, epci, django_capture_on_commit_callbacks
):
    flaky_job(3)
    operator = make_staff(epci)
    operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    page = client.get("/plateforme/taches-en-echec/").content.decode()
    assert "backend down for 3" in page
    should_fail["value"] = False
    failed = FailedTask.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/plateforme/taches-en-echec/{failed.pk}/rejouer/")
    assert calls == [3]


def test_other_staff_cannot_see_failed_jobs(client, db, make_staff, epci):
    client.force_login(make_staff(epci))
    assert client.get("/plateforme/taches-en-echec/").status_code == 404


def test_events_are_delivered_only_after_commit(db, django_capture_on_commit_callbacks):
    event = DomainEvent("something_happened")
    received = []
    event.connect(lambda sender, **kw: received.append(kw["value"]), weak=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event.send_on_commit(sender=None, value=1)
        assert received == []
    assert received == [1] and len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                event.send_on_commit(sender=None, value=2)
                raise ValueError
        except ValueError:
            pass
    assert received == [1], "a rolled-back event is never delivered"
