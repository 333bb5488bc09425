"""Granting a role in a real browser, with and without JavaScript."""

import pytest

from parvis.accounts.choices import Role
from parvis.accounts.models import Membership
from parvis.testing.browser import log_in_browser
from parvis.testing.factories import UserFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("tab_fixture", ["page", "page_nojs"])
def test_an_error_keeps_the_typed_input_then_the_fix_succeeds(
    request, tab_fixture, client, live_server, commune_a
):
    tab = request.getfixturevalue(tab_fixture)
    admin = staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN)
    log_in_browser(tab, live_server, admin)
    newcomer = UserFactory(email="nouvel.agent@example.org")
    tab.goto(f"/t/{commune_a.slug}/equipe/")
    tab.get_by_label("Adresse électronique de la personne").fill("nouvel.agnet@example.org")
    tab.get_by_label("Rôle").select_option("moderator")
    tab.get_by_role("button", name="Attribuer le rôle").click()
    error = tab.locator(".errorlist")
    assert "Aucun compte actif" in error.inner_text()
    assert tab.get_by_label("Adresse électronique de la personne").input_value() == (
        "nouvel.agnet@example.org"
    )
    assert tab.get_by_label("Rôle").input_value() == "moderator"
    tab.get_by_label("Adresse électronique de la personne").fill("nouvel.agent@example.org")
    tab.get_by_role("button", name="Attribuer le rôle").click()
    assert "Le rôle a été attribué" in tab.locator(".messages").inner_text()
    assert Membership.objects.filter(user=newcomer, role=Role.MODERATOR).exists()
