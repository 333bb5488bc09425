"""Base models shared by every app, and the record of failed background jobs.

`core` holds no domain model: only building blocks (timestamps, territorial scoping) and the
platform's own plumbing (`FailedTask`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds creation and last-modification times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class TerritorialQuerySet(models.QuerySet):
    """Queries over rows that belong to one territory.

    `for_territories` is the single place where scoping is applied: selectors call it with the
    ids a user may see (see `territories.selectors.territory_scope_ids`).
    """

    def for_territory(self, territory) -> TerritorialQuerySet:
        return self.filter(territory=territory)

    def for_territories(self, territory_ids) -> TerritorialQuerySet:
        return self.filter(territory_id__in=list(territory_ids))


class TerritorialModel(TimeStampedModel):
    """A row owned by one territory (commune or intercommunalité).

    Every territorial row carries its territory so scoping is a plain filter, never a join.
    """

    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("territory"),
    )

    objects = TerritorialQuerySet.as_manager()

    class Meta:
        abstract = True


class FailedTask(models.Model):
    """A background job that failed after its last retry, kept so staff can see and replay it.

    `message` is huey's own serialised task: replaying enqueues exactly what failed.
    """

    task_id = models.CharField(_("task id"), max_length=64, db_index=True)
    task_name = models.CharField(_("task"), max_length=200)
    arguments = models.TextField(_("arguments"), blank=True)
    error = models.TextField(_("error"))
    traceback = models.TextField(_("traceback"), blank=True)
    message = models.BinaryField(_("serialised task"))
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)
    replay_count = models.PositiveIntegerField(_("replays"), default=0)

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")

    def __str__(self) -> str:
        return f"{self.task_name} ({self.task_id})"
