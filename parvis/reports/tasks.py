"""Periodic jobs of incident reporting."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parvis.reports.services import report_purge_expired_contacts, reports_ask_if_fixed


@db_periodic_task(crontab(minute="40", hour="3"))
def purge_expired_report_contacts() -> int:
    """Nightly: delete contact details and photos kept past the territory's retention."""
    return report_purge_expired_contacts()


@db_periodic_task(crontab(minute="5"))
def ask_if_fixed() -> int:
    """Hourly: ask reporters of reports resolved a few weeks ago whether it is really fixed."""
    return reports_ask_if_fixed()
