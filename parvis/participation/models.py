"""Participatory processes: a territory's process, its ordered phases, and what each allows.

The generic frame of every participation component (budgets first, consultations and petitions
next), after adhocracy4 and Decidim: process -> phases -> components. A component (a budget, a
consultation) points to its process and asks which actions the current phase allows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TerritorialModel
from parvis.participation.choices import Action


class ParticipatoryProcess(TerritorialModel):
    """A participation of a territory's residents, with a beginning, phases and an end."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")

    def __str__(self) -> str:
        return self.title

    def current_phase(self, *, now=None) -> Phase | None:
        now = now or timezone.now()
        return next(
            (phase for phase in self.phases.all() if phase.starts_at <= now < phase.ends_at), None
        )

    def allows(self, action: str, *, now=None) -> bool:
        phase = self.current_phase(now=now)
        return phase is not None and action in phase.actions


class Phase(models.Model):
    """A period of a process and the actions residents may take during it."""

    process = models.ForeignKey(
        ParticipatoryProcess, on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    actions = models.JSONField(_("allowed actions"), default=list, blank=True)

    class Meta:
        ordering = ["process", "starts_at"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="participation_phase_ends_after_start",
                violation_error_message=_("A phase ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.process} — {self.name}"

    def clean(self) -> None:
        unknown = set(self.actions) - set(Action.values)
        if unknown:
            raise ValidationError(
                {"actions": _("Unknown actions: %s") % ", ".join(sorted(unknown))}
            )
        if self.process_id and self.starts_at and self.ends_at:
            overlapping = Phase.objects.filter(
                process_id=self.process_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("Phases of a process do not overlap."))


class Comment(TerritorialModel):
    """A resident's comment on something of a process (a budget project, later a consultation).

    Moderators may hide a comment (with a reason, audited); the text stays for the record.
    """

    process = models.ForeignKey(
        ParticipatoryProcess, on_delete=models.CASCADE, related_name="comments"
    )
    target_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participation_comments",
    )
    text = models.TextField(_("comment"), max_length=3000)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return self.text[:40]
