"""Background work on huey: failed jobs are recorded so staff can see and replay them.

huey runs embedded (SQLite queue, threads inside `parvis run`) or on Redis (`parvis worker`, as
many as needed). Tasks are declared in each app's `tasks.py` with huey's `db_task` and
`db_periodic_task`. When a task fails after its last retry, `FailedTask` keeps huey's serialised
message; `failed_task_replay` enqueues it again.
"""

from __future__ import annotations

import logging
import traceback as tb

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.signals import SIGNAL_ERROR

from parvis.core.database import database_statistics_refresh
from parvis.core.models import FailedTask

logger = logging.getLogger(__name__)

_connected = False


def _record_failure(signal: str, task, exc: BaseException | None = None) -> None:
    if task.retries:
        return  # huey will retry; only the final failure is recorded
    try:
        FailedTask.objects.create(
            task_id=task.id,
            task_name=task.name,
            arguments=repr((task.args, task.kwargs))[:2000],
            error=f"{type(exc).__name__}: {exc}" if exc else "",
            traceback="".join(tb.format_exception(exc)) if exc else "",
            message=HUEY.serialize_task(task),
        )
    except Exception:  # recording must never hide the original failure
        logger.exception("Could not record failed task %s", task.id)


def connect_failure_recorder() -> None:
    global _connected
    if not _connected:
        HUEY.signal(SIGNAL_ERROR)(_record_failure)
        _connected = True


@transaction.atomic
def failed_task_replay(*, failed_task: FailedTask) -> None:
    """Enqueue a failed job again, as it was. The caller is platform staff."""
    failed_task.replayed_at = timezone.now()
    failed_task.replay_count += 1
    failed_task.save(update_fields=["replayed_at", "replay_count"])
    message = bytes(failed_task.message)
    transaction.on_commit(lambda: HUEY.enqueue(HUEY.deserialize_task(message)))


@db_periodic_task(crontab(minute="30", hour="4"))
def refresh_database_statistics() -> None:
    database_statistics_refresh()
