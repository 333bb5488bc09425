from datetime import timedelta

import pytest
from django.utils import timezone

from parvis.core.audit import AuditAction, audit
from parvis.privacy.models import AppendOnlyError, AuditEntry
from parvis.privacy.services import audit_purge_expired


def test_audit_entries_cannot_be_changed_or_deleted(commune_a, resident):
    entry = audit(
        actor=resident,
        action=AuditAction.PERSONAL_DATA_READ,
        verb="contact_view",
        subject=resident,
        territory=commune_a,
    )
    entry.verb = "something else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(verb="x")
    assert AuditEntry.objects.get().verb == "contact_view"


def test_the_trail_survives_the_deletion_of_the_actor(commune_a, resident, make_staff):
    agent = make_staff(commune_a)
    audit(actor=agent, action=AuditAction.PERSONAL_DATA_READ, verb="contact_view", subject=resident)
    email = agent.email
    agent.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_label == email


def test_expired_entries_are_purged(settings, resident):
    settings.PARVIS_AUDIT_RETENTION_DAYS = 30
    audit(actor=resident, action=AuditAction.SECURITY, verb="login")
    assert audit_purge_expired(now=timezone.now() + timedelta(days=29)) == 0
    assert AuditEntry.objects.count() == 1
    assert audit_purge_expired(now=timezone.now() + timedelta(days=31)) == 1
    assert AuditEntry.objects.count() == 0


def test_staff_reads_of_personal_data_appear_in_the_territory_log(
    client, commune_a, make_staff, resident
):
    from parvis.accounts.choices import Role

    agent = make_staff(commune_a)
    audit(
        actor=agent,
        action=AuditAction.PERSONAL_DATA_READ,
        verb="reporter_contact_view",
        subject=resident,
        territory=commune_a,
    )
    client.force_login(make_staff(commune_a, role=Role.DATA_OFFICER))
    page = client.get(f"/t/{commune_a.slug}/journal-des-acces/").content.decode()
    assert "reporter_contact_view" in page and agent.email in page and resident.email in page
