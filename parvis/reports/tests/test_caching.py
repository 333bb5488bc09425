"""Public reads of reports come from a cache, and still show every change at once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parvis.accounts.choices import Role
from parvis.core.database import database_statistics_refresh
from parvis.reports.choices import EventKind, ReportStatus
from parvis.reports.services import report_create, report_transition
from parvis.testing.factories import CategoryFactory


@pytest.fixture
def pothole(commune_a):
    return CategoryFactory(territory=commune_a, name="Nid-de-poule", service_code="nid")


def file(category, title="Trou"):
    return report_create(
        category=category, title=title, description="x", latitude=47.005, longitude=4.805
    )


def test_a_new_report_shows_at_once_in_every_cached_public_read(pothole, django_assert_num_queries):
    file(pothole, "Premier")
    visitor = Client()
    reads = ["/signalements/", "/signalements/carte.geojson", "/open311/v2/requests.json"]
    for path in reads:
        assert visitor.get(path).status_code == 200
    with django_assert_num_queries(0):  # the second read is the cached copy
        for path in reads:
            visitor.get(path)
    second = file(pothole, "Deuxième")
    assert "Deuxième" in visitor.get("/signalements/").content.decode()
    feed = visitor.get("/signalements/carte.geojson").json()
    assert {feature["properties"]["title"] for feature in feed["features"]} == {
        "Premier",
        "Deuxième",
    }
    assert str(second.pk) in {r["service_request_id"] for r in visitor.get(reads[2]).json()}


def test_a_status_change_shows_at_once_on_the_cached_report_page(pothole, make_staff, commune_a):
    report = file(pothole)
    visitor = Client()
    assert "Nouveau" in visitor.get(f"/signalements/{report.pk}/").content.decode()
    agent = make_staff(commune_a, Role.AGENT)
    report_transition(report=report, to=ReportStatus.ACKNOWLEDGED, actor=agent)
    page = visitor.get(f"/signalements/{report.pk}/").content.decode()
    assert "Pris en compte" in page
    status = visitor.get(f"/open311/v2/requests/{report.pk}.json").json()[0]
    assert status["status"] == "open"


def test_visitors_thank_the_team_from_the_shared_report_page(pothole, django_assert_num_queries):
    report = file(pothole)
    page = f"/signalements/{report.pk}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(page)]
    with django_assert_num_queries(0):  # the second visitor gets the first one's page
        pages.append(second.get(page))
    assert "csrftoken" in pages[1].cookies, "with a CSRF cookie of their own"
    for visitor, answer in zip((first, second), pages, strict=True):
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', answer.content.decode())[1]
        thanked = visitor.post(f"{page}merci/", {"csrfmiddlewaretoken": token})
        assert thanked.status_code == 302, "the token of the shared page is valid for them"
    assert report.events.filter(kind=EventKind.THANKS).count() == 2
    forged = Client(enforce_csrf_checks=True).post(f"{page}merci/", {"csrfmiddlewaretoken": token})
    assert forged.status_code == 403, "another visitor's token is refused"


def test_the_list_total_is_counted_once_per_change(pothole, resident):
    for number in range(3):
        file(pothole, f"Trou {number}")
    member = Client()
    member.force_login(resident)  # a logged-in page is never the shared copy: the view runs
    assert "3 signalements" in member.get("/signalements/").content.decode()
    with CaptureQueriesContext(connection) as captured:
        member.get("/signalements/")
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"]]
    file(pothole, "Trou 3")
    assert "4 signalements" in member.get("/signalements/").content.decode()


@pytest.mark.django_db
def test_the_planner_statistics_are_refreshed(pothole):
    file(pothole)
    database_statistics_refresh()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'reports_report'")
        else:
            cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'reports_report'")
        assert cursor.fetchone()[0] > 0


def test_the_staff_queue_reuses_its_rows_and_shows_a_change_at_once(
    client, pothole, make_staff, commune_a
):
    report = file(pothole, "Lampadaire")
    agent = make_staff(commune_a, Role.AGENT)
    client.force_login(agent)
    queue = f"/t/{commune_a.slug}/signalements/"
    assert "Nouveau" in client.get(queue).content.decode()
    with CaptureQueriesContext(connection) as captured:
        client.get(queue)
    assert not [q for q in captured.captured_queries if "reports_category" in q["sql"]], (
        "the rows and the filters come from the cache"
    )
    report_transition(report=report, to=ReportStatus.ACKNOWLEDGED, actor=agent)
    page = client.get(queue).content.decode()
    assert "Pris en compte" in page and "Lampadaire" in page
