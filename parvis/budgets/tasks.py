"""Periodic jobs of participatory budgets."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parvis.budgets.services import voter_register_purge


@db_periodic_task(crontab(minute="10", hour="4"))
def purge_voter_registers() -> int:
    """Daily: registers of who voted, once the appeal period after the vote has passed."""
    return voter_register_purge()
