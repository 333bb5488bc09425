from parvis.accounts.choices import Role
from parvis.accounts.models import Membership
from parvis.privacy.models import AuditEntry
from parvis.testing.factories import UserFactory, staff_user


def test_admin_grants_a_role_and_it_is_audited(client, commune_a):
    admin = staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN)
    newcomer = UserFactory(email="new.agent@example.org")
    client.force_login(admin)
    response = client.post(
        f"/t/{commune_a.slug}/equipe/", {"email": "New.Agent@example.org", "role": Role.AGENT}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, territory=commune_a, role=Role.AGENT).exists()
    entry = AuditEntry.objects.get(verb="membership_grant")
    assert entry.actor == admin and entry.subject == newcomer and entry.territory == commune_a


def test_a_form_error_keeps_what_was_typed(client, commune_a):
    client.force_login(staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN))
    response = client.post(
        f"/t/{commune_a.slug}/equipe/", {"email": "nobody@example.org", "role": Role.MODERATOR}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="nobody@example.org"' in page
    assert '<option value="moderator" selected>' in page
    assert Membership.objects.filter(territory=commune_a, role=Role.MODERATOR).count() == 0


def test_supervisor_sees_the_team_but_cannot_grant(client, commune_a):
    client.force_login(staff_user(territory=commune_a, role=Role.SUPERVISOR))
    assert client.get(f"/t/{commune_a.slug}/equipe/").status_code == 200
    target = UserFactory()
    response = client.post(
        f"/t/{commune_a.slug}/equipe/", {"email": target.email, "role": Role.AGENT}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=target).exists()


def test_admin_of_b_cannot_revoke_a_role_in_a(client, commune_a, commune_b):
    agent = staff_user(territory=commune_a, role=Role.AGENT)
    membership = agent.memberships.get()
    client.force_login(staff_user(territory=commune_b, role=Role.TERRITORY_ADMIN))
    url_via_b = f"/t/{commune_b.slug}/equipe/{membership.pk}/retirer/"
    url_via_a = f"/t/{commune_a.slug}/equipe/{membership.pk}/retirer/"
    assert client.post(url_via_b).status_code == 404
    assert client.post(url_via_a).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_account_page_links_to_staff_areas(client, commune_a):
    client.force_login(staff_user(territory=commune_a, role=Role.AGENT))
    page = client.get("/compte/").content.decode()
    assert f"/t/{commune_a.slug}/agents/" in page
