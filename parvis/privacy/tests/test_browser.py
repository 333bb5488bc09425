"""Consents and the access log in a real browser."""

import pytest

from parvis.accounts.choices import Role
from parvis.core.audit import AuditAction, audit
from parvis.privacy.selectors import consent_is_given
from parvis.testing.browser import log_in_browser
from parvis.testing.factories import UserFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_htmx_swaps_the_consent_card_and_its_post_carries_the_csrf_token(
    page, client, live_server, epci
):
    user = UserFactory()
    log_in_browser(page, live_server, user)
    page.goto("/vie-privee/mes-donnees/")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Donner mon consentement").click()
    request = posted.value
    assert request.headers.get("hx-request") == "true"
    assert request.headers.get("x-csrftoken"), "htmx POSTs carry the CSRF token header"
    page.get_by_role("button", name="Retirer mon consentement").wait_for()
    assert consent_is_given(user=user, purpose="privacy.data_bulletin")
    assert page.url.endswith("/vie-privee/mes-donnees/"), "swapped in place, no reload"


def test_without_javascript_the_same_form_reloads_the_page(page_nojs, client, live_server, epci):
    user = UserFactory()
    log_in_browser(page_nojs, live_server, user)
    page_nojs.goto("/vie-privee/mes-donnees/")
    page_nojs.get_by_role("button", name="Donner mon consentement").click()
    assert "Votre choix a été enregistré" in page_nojs.locator(".messages").inner_text()
    assert consent_is_given(user=user, purpose="privacy.data_bulletin")


def test_the_access_log_paginates_without_javascript(page_nojs, client, live_server, commune_a):
    officer = staff_user(territory=commune_a, role=Role.DATA_OFFICER)
    resident = UserFactory()
    for number in range(120):
        audit(
            actor=officer,
            action=AuditAction.PERSONAL_DATA_READ,
            verb=f"contact_view_{number:03d}",
            subject=resident,
            territory=commune_a,
        )
    log_in_browser(page_nojs, live_server, officer)
    page_nojs.goto(f"/t/{commune_a.slug}/journal-des-acces/")
    assert "Page 1 sur 3" in page_nojs.locator(".pagination").inner_text()
    assert page_nojs.locator("tbody tr").count() == 50
    assert "contact_view_119" in page_nojs.locator("tbody").inner_text()  # newest first
    page_nojs.get_by_role("link", name="Page suivante").click()
    page_nojs.get_by_role("link", name="Page suivante").click()
    assert "Page 3 sur 3" in page_nojs.locator(".pagination").inner_text()
    assert page_nojs.locator("tbody tr").count() == 20
    assert "contact_view_000" in page_nojs.locator("tbody").inner_text()
