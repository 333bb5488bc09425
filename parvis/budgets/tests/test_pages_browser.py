"""Voting in a real browser: without JavaScript (the form carries everything) and with it (the
running total of the ticked projects' costs, which the server still checks)."""

import datetime as dt

import pytest

from parvis.budgets.models import Ballot, Budget, Envelope, Project, ProjectStatus
from parvis.budgets.services import census_upload, resident_verify_by_census
from parvis.participation.services import process_create
from parvis.testing.browser import log_in_browser
from parvis.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH = dt.date(1980, 5, 17)


@pytest.fixture
def envelope(commune_a):
    from django.utils import timezone

    now = timezone.now()
    process = process_create(
        territory=commune_a, slug="bp-2027", title="Budget participatif 2027", summary="…",
        phases=[{"name": "Vote", "starts_at": now - dt.timedelta(days=1),
                 "ends_at": now + dt.timedelta(days=1), "actions": ["vote"]}],
    )  # fmt: skip
    budget = Budget.objects.create(territory=commune_a, process=process, max_projects=3)
    envelope = Envelope.objects.create(budget=budget, name="Toute la commune", amount=100_000)
    for title, cost in [("Jardin partagé", 40_000), ("Pistes cyclables", 70_000),
                        ("Bancs", 10_000)]:  # fmt: skip
        Project.objects.create(
            territory=commune_a, envelope=envelope, title=title, description="…", cost=cost,
            status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    return envelope


@pytest.fixture
def voter(commune_a):
    census_upload(territory=commune_a, rows=[("Martin", "Camille", BIRTH)], actor=None)
    user = UserFactory()
    resident_verify_by_census(
        user=user, territory=commune_a, family_name="Martin", first_name="Camille",
        birth_date=BIRTH,
    )  # fmt: skip
    return user


def test_vote_without_javascript(page_nojs, live_server, envelope, voter):
    tab = page_nojs
    log_in_browser(tab, live_server, voter)
    tab.goto(f"/en/budgets-participatifs/bp-2027/voter/{envelope.pk}/")
    assert tab.locator("[data-ballot-total]").is_hidden()  # the total needs JavaScript
    tab.get_by_label("Jardin partagé").check()
    tab.get_by_label("Bancs").check()
    tab.get_by_role("button", name="Send my ballot").click()
    assert "Your ballot is recorded" in tab.locator(".messages").inner_text()
    assert tab.get_by_label("Jardin partagé").is_checked()
    assert not tab.get_by_label("Pistes cyclables").is_checked()
    titles = dict(Project.objects.values_list("pk", "title"))
    assert {titles[int(pk)] for pk in Ballot.objects.get().choices} == {"Jardin partagé", "Bancs"}


def test_the_running_total_follows_the_ticks_and_the_server_still_checks(
    page, live_server, envelope, voter
):
    log_in_browser(page, live_server, voter)
    page.goto(f"/budgets-participatifs/bp-2027/voter/{envelope.pk}/")
    total = page.locator("[data-ballot-total]")
    euros = "(n) => new Intl.NumberFormat('fr', {style: 'currency', currency: 'EUR', maximumFractionDigits: 0}).format(n)"  # noqa: E501
    assert page.evaluate(euros, 0) in total.inner_text()
    page.get_by_label("Jardin partagé").check()
    page.get_by_label("Bancs").check()
    assert page.evaluate(euros, 50_000) in total.inner_text()
    assert page.evaluate(euros, 100_000) in total.inner_text()
    page.get_by_label("Pistes cyclables").check()
    assert page.evaluate(euros, 20_000) in total.inner_text()  # over the envelope by this much
    assert "ballot__total--over" in total.get_attribute("class")
    page.locator("main form button[type=submit]").click()
    assert "120000" in page.locator("[role=alert]").inner_text()  # refused by the server
    assert not Ballot.objects.exists()
    assert page.get_by_label("Pistes cyclables").is_checked()
    assert page.evaluate(euros, 120_000) in page.locator("[data-ballot-total]").inner_text()
