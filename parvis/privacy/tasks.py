"""Periodic privacy jobs."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parvis.privacy.services import audit_purge_expired


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_expired_audit_entries() -> int:
    """Nightly: drop audit entries past their retention period."""
    return audit_purge_expired()
