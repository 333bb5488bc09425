"""The append-only access audit and the consent records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.privacy.choices import ConsentMethod, ConsentState


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only; use audit_purge_expired")


class AuditEntry(models.Model):
    """One staff action, or one staff read of a person's personal data. Never modified.

    `actor_label` and `subject_label` snapshot who was involved, so the trail survives the
    deletion of either account. Rows leave only through the retention purge.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("kind"), max_length=30, db_index=True)
    verb = models.CharField(_("action"), max_length=100)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    subject_label = models.CharField(_("person concerned"), max_length=254, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["territory", "-at"], name="audit_territory_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only")


class ConsentRecord(models.Model):
    """One consent event, following the ISO/IEC TS 27560 core fields.

    Records are never edited: withdrawing adds a new record. The current state of a purpose is
    the latest record. A person without an account (helped at the counter) is identified by a
    `subject_reference` the agent records (a pseudonymous reference, never their full identity).
    """

    record_id = models.UUIDField(_("record id"), default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("person"),
    )
    subject_reference = models.CharField(_("reference of the person"), max_length=100, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("controller"),
    )
    purpose = models.CharField(_("purpose"), max_length=100, db_index=True)
    processing_activity = models.CharField(_("processing activity"), max_length=100)
    notice_version = models.CharField(_("notice version"), max_length=40)
    state = models.CharField(_("state"), max_length=20, choices=ConsentState.choices)
    method = models.CharField(_("method"), max_length=20, choices=ConsentMethod.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False) | ~models.Q(subject_reference=""),
                name="consent_has_subject",
                violation_error_message=_("A consent record needs a person or a reference."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.state} {self.at:%Y-%m-%d}"
