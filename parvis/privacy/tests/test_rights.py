import json

from parvis.accounts.models import User
from parvis.notifications.models import Notification
from parvis.notifications.services import notification_send
from parvis.privacy.models import AuditEntry, ConsentRecord
from parvis.privacy.selectors import consent_is_given
from parvis.privacy.services import consent_give, consent_withdraw
from parvis.testing.factories import UserFactory


def test_a_resident_downloads_everything_held_about_them(client, epci):
    user = UserFactory(display_name="Camille Martin")
    consent_give(subject=user, territory=epci, purpose="privacy.data_bulletin")
    notification_send(channel="in_app", recipient=user, subject="Bonjour", body="Bienvenue")
    client.force_login(user)
    response = client.get("/vie-privee/mes-donnees/telecharger/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    activities = data["activities"]
    assert activities["accounts.user_accounts"]["data"]["name"] == "Camille Martin"
    assert activities["privacy.consents"]["data"]["consents"][0]["state"] == "given"
    assert activities["notifications.delivery"]["data"]["notifications"][0]["subject"] == "Bonjour"
    assert AuditEntry.objects.filter(verb="personal_data_export", subject=user).exists()


def test_consent_is_given_and_withdrawn_from_the_page(client, epci):
    user = UserFactory()
    client.force_login(user)
    client.post("/vie-privee/consentements/", {"purpose": "privacy.data_bulletin", "give": "on"})
    assert consent_is_given(user=user, purpose="privacy.data_bulletin")
    client.post("/vie-privee/consentements/", {"purpose": "privacy.data_bulletin"})
    assert not consent_is_given(user=user, purpose="privacy.data_bulletin")
    history = ConsentRecord.objects.filter(subject=user).order_by("at", "pk")
    assert [r.state for r in history] == ["given", "withdrawn"]
    assert history[0].notice_version == "2026-11"


def test_an_agent_collects_consent_for_someone_offline(epci, make_staff):
    agent = make_staff(epci)
    record = consent_give(
        subject=None,
        subject_reference="guichet-2026-0042",
        territory=epci,
        purpose="privacy.data_bulletin",
        method="agent_assisted",
        collected_by=agent,
    )
    assert record.collected_by == agent
    assert AuditEntry.objects.filter(verb="consent_collect", actor=agent).exists()
    consent_withdraw(
        subject=None,
        subject_reference="guichet-2026-0042",
        territory=epci,
        purpose="privacy.data_bulletin",
        method="agent_assisted",
        collected_by=agent,
    )


def test_deleting_the_account_needs_the_email_and_erases_everything(client, epci):
    user = UserFactory(email="leaving@example.org")
    notification_send(channel="in_app", recipient=user, subject="S", body="B")
    client.force_login(user)
    refused = client.post("/vie-privee/supprimer-mon-compte/", {"confirm": "someone@else.org"})
    assert refused.status_code == 400
    assert 'value="someone@else.org"' in refused.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post("/vie-privee/supprimer-mon-compte/", {"confirm": "LEAVING@example.org"})
    assert response.status_code == 302
    assert not User.objects.filter(email="leaving@example.org").exists()
    assert not Notification.objects.exists()
    entry = AuditEntry.objects.get(verb="account_erase")
    assert "leaving" not in json.dumps(entry.detail) and entry.subject_label == ""
    assert "_auth_user_id" not in client.session


def test_privacy_policy_lists_every_activity(client, epci):
    page = client.get("/confidentialite/").content.decode()
    assert epci.dpo_email in page


def test_consents_only_agents_collect_cannot_be_given_online(client, epci):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/vie-privee/mes-donnees/").content.decode()
    assert "SMS" not in page
    response = client.post(
        "/vie-privee/consentements/", {"purpose": "reports.offline_updates", "give": "on"}
    )
    assert response.status_code == 404
    assert not ConsentRecord.objects.filter(subject=user).exists()
