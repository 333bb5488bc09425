"""A staff member logs in with a password and a TOTP code, in a real browser."""

import pytest

from parvis.accounts.choices import Role
from parvis.testing.factories import TEST_PASSWORD, give_mfa, staff_user, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent(commune_a):
    user = staff_user(territory=commune_a, role=Role.AGENT, mfa=False)
    return user, give_mfa(user)


def log_in(tab, email: str, password: str) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("Courriel").fill(email)
    tab.get_by_label("Mot de passe").fill(password)
    tab.locator("form button[type=submit]").last.click()


@pytest.mark.parametrize("tab_fixture", ["page", "page_nojs"])
def test_staff_log_in_with_mfa_and_reach_their_staff_area(request, tab_fixture, agent, commune_a):
    tab = request.getfixturevalue(tab_fixture)
    user, secret = agent
    log_in(tab, user.email, TEST_PASSWORD)
    tab.wait_for_url("**/accounts/2fa/authenticate/")
    tab.get_by_label("Code").fill(totp_code(secret))
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_url("**/compte/")
    tab.get_by_role("link", name=f"{commune_a.name}").first.click()
    tab.wait_for_url(f"**/t/{commune_a.slug}/agents/")
    assert tab.get_by_role("heading", level=1).inner_text().endswith(commune_a.name)


def test_a_wrong_password_is_explained_and_the_email_kept(page, agent):
    user, _secret = agent
    log_in(page, user.email, "not the password")
    assert page.get_by_label("Courriel").input_value() == user.email
    assert "incorrect" in page.locator("main").inner_text().lower()
