"""Role x territory matrix: who reaches which staff page. Forbidden answers 404, like missing."""

import pytest

from parvis.accounts.choices import Role
from parvis.accounts.permissions import has_mfa, role_map
from parvis.testing.factories import UserFactory, staff_user

ALL_ROLES = list(Role.values)


def staff_pages(commune):
    return [
        f"/t/{commune.slug}/agents/",
        f"/t/{commune.slug}/agents/services/voirie/",
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_of_commune_a_reach_its_staff_pages(client, commune_a, role):
    client.force_login(staff_user(territory=commune_a, role=role))
    for url in staff_pages(commune_a):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_of_commune_a_get_404_on_commune_b(client, commune_a, commune_b, role):
    client.force_login(staff_user(territory=commune_a, role=role))
    for url in staff_pages(commune_b):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_intercommunal_staff_reach_member_communes(client, epci, commune_a, commune_b, role):
    client.force_login(staff_user(territory=epci, role=role))
    for url in staff_pages(commune_a) + staff_pages(commune_b):
        assert client.get(url).status_code == 200, url


def test_forbidden_and_missing_answer_the_same(client, commune_a, commune_b):
    client.force_login(staff_user(territory=commune_a))
    forbidden = client.get(f"/t/{commune_b.slug}/agents/services/voirie/")
    missing = client.get(f"/t/{commune_a.slug}/agents/services/nope/")
    unknown_territory = client.get("/t/nowhere/agents/")
    assert forbidden.status_code == missing.status_code == unknown_territory.status_code == 404


def test_residents_get_404_and_anonymous_are_sent_to_login(client, commune_a):
    response = client.get(f"/t/{commune_a.slug}/agents/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(f"/t/{commune_a.slug}/agents/").status_code == 404


def test_staff_without_mfa_must_set_it_up_before_acting(client, commune_a):
    client.force_login(staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN, mfa=False))
    response = client.get(f"/t/{commune_a.slug}/agents/")
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/2fa/totp/activate/")
    # The setup path itself stays reachable (allauth first asks to confirm the password).
    assert client.get("/accounts/2fa/totp/activate/", follow=True).status_code == 200


@pytest.mark.parametrize(
    ("role", "may_view", "may_manage"),
    [
        (Role.AGENT, False, False),
        (Role.MODERATOR, False, False),
        (Role.ELECTED, False, False),
        (Role.DATA_OFFICER, False, False),
        (Role.SUPERVISOR, True, False),
        (Role.TERRITORY_ADMIN, True, True),
    ],
)
def test_membership_permissions_by_role(commune_a, commune_b, role, may_view, may_manage):
    user = staff_user(territory=commune_a, role=role)
    assert user.has_perm("accounts.view_membership", commune_a) is may_view
    assert user.has_perm("accounts.manage_memberships", commune_a) is may_manage
    assert not user.has_perm("accounts.view_membership", commune_b)


@pytest.mark.parametrize(
    ("role", "may_view"),
    [(r, r in {Role.DATA_OFFICER, Role.TERRITORY_ADMIN}) for r in ALL_ROLES],
)
def test_audit_log_is_for_data_officers_and_admins(client, commune_a, role, may_view):
    client.force_login(staff_user(territory=commune_a, role=role))
    expected = 200 if may_view else 404
    assert client.get(f"/t/{commune_a.slug}/journal-des-acces/").status_code == expected


@pytest.mark.parametrize("mfa", [True, False])
def test_roles_and_mfa_cost_one_query_per_request(commune_a, django_assert_num_queries, mfa):
    user = staff_user(territory=commune_a, role=Role.AGENT, mfa=mfa)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):  # memberships and second factor at once, then cached
        for _ in range(10):
            allowed = user.has_perm("territories.view_staff_area", commune_a)
    assert allowed == mfa, "a staff role without a second factor opens nothing"
    assert role_map(user) == {commune_a.pk: frozenset({Role.AGENT})}
    assert has_mfa(user) == mfa
