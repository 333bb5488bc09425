"""Reads of the privacy app."""

from __future__ import annotations

from django.db.models import QuerySet

from parvis.core.privacy_registry import consent_purposes
from parvis.privacy.choices import ConsentState
from parvis.privacy.models import AuditEntry, ConsentRecord


def audit_list_for_territory(*, territory_ids) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(territory_id__in=list(territory_ids)).order_by("-at", "-pk")


def consent_history(*, user) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(subject=user).select_related("territory")


def consent_states(*, user) -> list[dict]:
    """For each registered purpose: whether the person currently consents, and since when."""
    latest: dict[str, ConsentRecord] = {}
    for record in consent_history(user=user).order_by("at", "pk"):
        latest[record.purpose] = record
    return [
        {
            "purpose": purpose,
            "record": latest.get(purpose.key),
            "given": latest.get(purpose.key) is not None
            and latest[purpose.key].state == ConsentState.GIVEN,
        }
        for purpose in consent_purposes()
        if purpose.offered_online
    ]


def consent_state(*, user, purpose: str) -> dict:
    """The current state of one purpose, shaped like an item of `consent_states`."""
    for item in consent_states(user=user):
        if item["purpose"].key == purpose:
            return item
    raise LookupError(f"{purpose!r} is not a consent people give online")


def consent_is_given(*, user, purpose: str) -> bool:
    record = consent_history(user=user).filter(purpose=purpose).order_by("-at", "-pk").first()
    return record is not None and record.state == ConsentState.GIVEN
