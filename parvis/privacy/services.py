"""Writes of the privacy app: audit entries, consents, rights requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parvis.accounts.services import user_erase
from parvis.core.audit import AuditAction
from parvis.core.privacy_registry import activities, consent_purpose
from parvis.privacy.choices import ConsentMethod, ConsentState
from parvis.privacy.models import AuditEntry, ConsentRecord


def _label(user) -> str:
    if user is None:
        return "system"
    return getattr(user, "email", "") or str(user)


def audit_entry_create(
    *,
    actor,
    action: str,
    verb: str,
    target: Any = None,
    subject: Any = None,
    territory: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the audit log (the sink behind `core.audit.audit`)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=action,
        verb=verb,
        territory=territory,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        subject=subject if getattr(subject, "pk", None) else None,
        subject_label=_label(subject) if subject is not None else "",
        detail=detail or {},
    )


def audit_purge_expired(*, now=None) -> int:
    """Delete audit entries older than PARVIS_AUDIT_RETENTION_DAYS; the only deletion path."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PARVIS_AUDIT_RETENTION_DAYS)
    expired = AuditEntry.objects.filter(at__lt=cutoff)
    # _raw_delete bypasses the append-only guard on purpose, for the retention purge only.
    return expired._raw_delete(expired.db)


@transaction.atomic
def consent_record(
    *,
    territory,
    purpose: str,
    state: str,
    subject=None,
    subject_reference: str = "",
    method: str = ConsentMethod.WEB_FORM,
    collected_by=None,
) -> ConsentRecord:
    """Record that a person gave, refused or withdrew consent for a purpose.

    The purpose must be registered; the record pins the current notice version. When an agent
    collects consent for someone (counter, phone), `collected_by` is the agent and the act is
    audited.
    """
    registered = consent_purpose(purpose)
    record = ConsentRecord(
        subject=subject,
        subject_reference=subject_reference,
        territory=territory,
        purpose=registered.key,
        processing_activity=registered.processing_activity,
        notice_version=registered.notice_version,
        state=state,
        method=method,
        collected_by=collected_by,
    )
    record.full_clean()
    record.save()
    if collected_by is not None:
        audit_entry_create(
            actor=collected_by,
            action=AuditAction.STAFF_ACTION,
            verb="consent_collect",
            target=record,
            subject=subject,
            territory=territory,
            detail={"purpose": purpose, "state": state},
        )
    return record


def consent_give(*, subject, territory, purpose: str, **kwargs) -> ConsentRecord:
    return consent_record(
        subject=subject, territory=territory, purpose=purpose, state=ConsentState.GIVEN, **kwargs
    )


def consent_withdraw(*, subject, territory, purpose: str, **kwargs) -> ConsentRecord:
    return consent_record(
        subject=subject,
        territory=territory,
        purpose=purpose,
        state=ConsentState.WITHDRAWN,
        **kwargs,
    )


@transaction.atomic
def personal_data_export(*, user) -> dict[str, Any]:
    """Everything the platform holds on `user`, grouped by processing activity (GDPR art. 15, 20).

    The request itself is recorded in the audit log.
    """
    data = {
        "generated_at": timezone.now().isoformat(),
        "activities": {
            activity.key: {"name": str(activity.name), "data": activity.export(user)}
            for activity in activities()
        },
    }
    audit_entry_create(
        actor=user, action=AuditAction.RIGHTS_REQUEST, verb="personal_data_export", subject=user
    )
    return data


@transaction.atomic
def account_erase(*, user) -> None:
    """Erase a person's account (GDPR art. 17): every app erases or anonymises, then the account.

    Each activity keeps what the public record or the law requires (an anonymised report stays
    public). The audit entry names only the account number, not the person.
    """
    for activity in activities():
        activity.erase(user)
    audit_entry_create(
        actor=None,
        action=AuditAction.RIGHTS_REQUEST,
        verb="account_erase",
        detail={"account": user.pk},
    )
    user_erase(user=user)
