"""Periodic jobs of the sensors domain."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parvis.sensors import store
from parvis.sensors.services import (
    dead_letters_purge,
    observations_purge_expired,
    pseudonym_keys_rotate,
)


@db_periodic_task(crontab(minute="25", hour="2"))
def purge_expired_observations() -> int:
    """Nightly: raw observations and dead letters past their retention."""
    return observations_purge_expired() + dead_letters_purge()


@db_periodic_task(crontab(minute="0", hour="1", day="1"))
def rotate_pseudonym_keys() -> int:
    """Monthly: new pseudonym keys for individual meter flows (periods become unlinkable)."""
    return pseudonym_keys_rotate()


@db_periodic_task(crontab(minute="50", hour="0"))
def create_observation_partitions() -> None:
    """Daily: the monthly partitions of this month and the next two exist (PostgreSQL)."""
    now = timezone.now()
    with transaction.atomic():
        store.partitions_ensure([now + dt.timedelta(days=31 * months) for months in range(3)])


@db_periodic_task(crontab(minute="*"))
def merge_pending_observations() -> int | None:
    """Every minute: observations a consumer left pending (it stopped before its merge) reach
    the rollups and latest values. Running consumers merge every second themselves."""
    return store.rollups_merge()
