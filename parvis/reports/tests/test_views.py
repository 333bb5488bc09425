"""Reporting and handling a report through the pages, as residents and staff do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parvis.accounts.choices import Role
from parvis.notifications.models import Notification
from parvis.privacy.models import AuditEntry, ConsentRecord
from parvis.reports.choices import ReportStatus
from parvis.reports.models import Report
from parvis.reports.services import report_create, report_transition
from parvis.testing.factories import (
    CategoryFactory,
    DistrictFactory,
    UserFactory,
    jpeg_with_gps,
)


@pytest.fixture
def pothole(commune_a):
    return CategoryFactory(territory=commune_a, name="Nid-de-poule")


def file_report(category, reporter, *, title="Trou"):
    """A report filed from the website at a place inside commune A."""
    return report_create(
        category=category,
        title=title,
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=reporter,
    )


def place_query(pothole, commune_a, **extra):
    return {
        "territory": commune_a.pk,
        "category": pothole.pk,
        "latitude": 47.005,
        "longitude": 4.805,
        "place": "",
        **extra,
    }


def test_a_resident_reports_in_two_steps_with_a_photo(
    client, resident, pothole, commune_a, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    step_two = client.get("/signalements/nouveau/", place_query(pothole, commune_a))
    assert step_two.status_code == 200 and "Étape 2 sur 2" in step_two.content.decode()
    photo = SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/signalements/nouveau/",
            {
                **place_query(pothole, commune_a),
                "title": "Trou",
                "description": "Profond",
                "photos": [photo],
            },
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/signalements/{report.pk}/"
    assert report.reporter == resident and report.photos.count() == 1
    assert Notification.objects.filter(recipient=resident, channel="email").exists()
    page = client.get(f"/signalements/{report.pk}/").content.decode()
    assert "Trou" in page and f"/signalements/photos/{report.photos.get().pk}/" in page
    assert resident.email not in page and resident.display_name not in page


def test_a_failed_submission_keeps_what_was_typed(client, resident, pothole, commune_a):
    client.force_login(resident)
    response = client.post(
        "/signalements/nouveau/",
        {**place_query(pothole, commune_a), "title": "", "description": "Une description"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Une description" in page and 'value="47.005"' in page
    assert not Report.objects.exists()


def test_a_place_outside_the_territories_is_explained(client, resident, pothole, commune_a):
    client.force_login(resident)
    response = client.post(
        "/signalements/nouveau/",
        {
            **place_query(pothole, commune_a, latitude=43.3, longitude=5.4),
            "title": "Trou",
            "description": "Profond",
        },
    )
    assert response.status_code == 400
    assert "en dehors des territoires" in response.content.decode()


def test_similar_reports_nearby_are_offered_before_submitting(client, resident, pothole, commune_a):
    existing = report_create(
        category=pothole,
        title="Déjà signalé",
        description="x",
        latitude=47.0051,
        longitude=4.8051,
        reporter=UserFactory(),
    )
    client.force_login(resident)
    page = client.get("/signalements/nouveau/", place_query(pothole, commune_a)).content.decode()
    assert "Déjà signalé" in page and f"/signalements/{existing.pk}/suivre/" in page


def test_the_public_list_and_feed_show_public_reports_only(
    client, resident, pothole, make_staff, commune_a, django_assert_max_num_queries
):
    for number in range(30):
        file_report(pothole, resident, title=f"Trou {number}")
    hidden = Report.objects.order_by("pk").first()
    Report.objects.filter(pk=hidden.pk).update(is_hidden=True)
    with django_assert_max_num_queries(8):
        page = client.get("/signalements/").content.decode()
    assert "Trou 29" in page and 'rel="next"' in page
    feed = client.get("/signalements/carte.geojson").json()
    assert len(feed["features"]) == 29
    assert str(hidden.pk) not in {f["id"] for f in feed["features"]}
    assert client.get(f"/signalements/{hidden.pk}/").status_code == 404


def test_staff_triage_resolve_and_the_resident_reopens(
    client, resident, pothole, make_staff, commune_a, django_capture_on_commit_callbacks
):
    report = file_report(pothole, resident, title="Trou")
    agent = make_staff(commune_a, role=Role.AGENT)
    client.force_login(agent)
    base = f"/t/{commune_a.slug}/signalements/{report.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/statut/", {"to": "acknowledged"}).status_code == 302
        client.post(f"{base}/statut/", {"to": "resolved", "public_note": "Rebouché ce matin."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.resolved_at
    assert Notification.objects.filter(recipient=resident, body__contains="Rebouché").exists()
    client.force_login(resident)
    client.post(f"/signalements/{report.pk}/repare/", {"fixed": "no", "comment": "Toujours là"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED and report.reopen_count == 1


def test_an_invalid_transition_is_refused_with_a_message(
    client, resident, pothole, make_staff, commune_a
):
    report = file_report(pothole, resident, title="Trou")
    agent = make_staff(commune_a)
    report_transition(report=report, to=ReportStatus.RESOLVED, actor=agent)
    client.force_login(agent)
    response = client.post(
        f"/t/{commune_a.slug}/signalements/{report.pk}/statut/",
        {"to": "in_progress", "public_note": "Mon texte"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "ne peut pas passer de" in page and "Mon texte" in page


def test_queue_filters_overdue_and_costs_a_constant_number_of_queries(
    client, resident, pothole, make_staff, commune_a, commune_b, django_assert_max_num_queries
):
    other = CategoryFactory(territory=commune_b)
    for number in range(20):
        file_report(pothole, resident, title=f"A{number}")
    report_create(
        category=other,
        title="In B",
        description="x",
        latitude=47.005,
        longitude=4.905,
        reporter=resident,
    )
    Report.objects.filter(title="A0").update(due_at="2020-01-01T00:00:00Z")
    client.force_login(make_staff(commune_a))
    with django_assert_max_num_queries(14):
        page = client.get(f"/t/{commune_a.slug}/signalements/").content.decode()
    assert "A19" in page and "In B" not in page
    overdue = client.get(f"/t/{commune_a.slug}/signalements/", {"status": "open", "overdue": "on"})
    assert "A0" in overdue.content.decode() and "A19" not in overdue.content.decode()


def test_bulk_actions_apply_to_the_selected_reports(
    client, resident, pothole, make_staff, commune_a
):
    reports = [file_report(pothole, resident, title=f"T{n}") for n in range(3)]
    agent = make_staff(commune_a)
    client.force_login(agent)
    client.post(
        f"/t/{commune_a.slug}/signalements/",
        {"reports": [reports[0].pk, reports[1].pk], "action": "assign_me"},
    )
    assert Report.objects.filter(assignee=agent).count() == 2


def test_the_bulk_actions_speak_the_page_language(client, make_staff, commune_a):
    client.force_login(make_staff(commune_a))
    english = client.get(f"/en/t/{commune_a.slug}/signalements/").content.decode()
    french = client.get(f"/t/{commune_a.slug}/signalements/").content.decode()
    assert "Set status: Scheduled" in english and "Passer au statut" not in english
    assert "Passer au statut\xa0: Programmé" in french


def test_staff_of_another_commune_get_404(
    client, resident, pothole, make_staff, commune_a, commune_b
):
    report = file_report(pothole, resident, title="Trou")
    client.force_login(make_staff(commune_b, role=Role.TERRITORY_ADMIN))
    assert client.get(f"/t/{commune_a.slug}/signalements/{report.pk}/").status_code == 404
    assert client.get(f"/t/{commune_b.slug}/signalements/{report.pk}/").status_code == 404
    assert (
        client.post(
            f"/t/{commune_b.slug}/signalements/{report.pk}/statut/", {"to": "resolved"}
        ).status_code
        == 404
    )
    client.force_login(UserFactory())
    assert client.get(f"/t/{commune_a.slug}/signalements/").status_code == 404


def test_contact_details_are_shown_on_request_and_audited(
    client, resident, pothole, make_staff, commune_a
):
    report = report_create(
        category=pothole,
        title="Trou",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
        reporter_phone="+33612345678",
    )
    client.force_login(make_staff(commune_a))
    url = f"/t/{commune_a.slug}/signalements/{report.pk}/"
    assert "+33612345678" not in client.get(url).content.decode()
    page = client.post(url + "contact/").content.decode()
    assert "+33612345678" in page
    assert AuditEntry.objects.filter(verb="report_reporter_contact_view").count() == 1


def test_moderators_redact_and_hide_photos_agents_cannot(
    client, resident, pothole, make_staff, commune_a
):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps())
    report = report_create(
        category=pothole,
        title="Insulte",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
        photos=[photo],
    )
    url = f"/t/{commune_a.slug}/signalements/{report.pk}/"
    client.force_login(make_staff(commune_a, role=Role.AGENT))
    assert (
        client.post(url + "moderer/", {"title": "T", "description": "D", "reason": "r"}).status_code
        == 404
    )
    client.force_login(make_staff(commune_a, role=Role.MODERATOR))
    client.post(url + "moderer/", {"title": "Trou", "description": "x", "reason": "insulte"})
    client.post(url + "masquer-photo/", {"photo": report.photos.get().pk, "reason": "visage"})
    report.refresh_from_db()
    assert report.title == "Trou" and report.photos.get().is_hidden
    client.logout()
    assert client.get(f"/signalements/photos/{report.photos.get().pk}/").status_code == 404
    assert AuditEntry.objects.filter(verb__in=["report_redact", "report_photo_hide"]).count() == 2


def test_an_agent_files_a_report_for_a_resident_offline(
    client, pothole, make_staff, commune_a, django_capture_on_commit_callbacks
):
    agent = make_staff(commune_a)
    client.force_login(agent)
    form = {
        "territory": commune_a.pk,
        "category": pothole.pk,
        "place": "Place de l'église",
        "title": "Lampadaire",
        "description": "Éteint",
        "reporter_name": "M. Martin",
        "update_channel": "post",
        "reporter_address": "3 rue Haute",
    }
    refused = client.post(f"/t/{commune_a.slug}/signalements/nouveau/", form)
    assert refused.status_code == 400 and "consent" in refused.content.decode()
    assert "3 rue Haute" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/t/{commune_a.slug}/signalements/nouveau/", {**form, "consent": "on"})
    report = Report.objects.get()
    assert report.assisted_by == agent and report.source == "counter"
    assert ConsentRecord.objects.get().subject_reference == f"report-{report.pk}"
    letter = Notification.objects.get(channel="post")
    assert "3 rue Haute" in letter.address and letter.status == "to_print"


def test_staff_change_the_priority_and_the_queue_sorts_by_it(
    client, resident, pothole, make_staff, commune_a
):
    low = file_report(pothole, resident, title="Titre-bas")
    file_report(pothole, resident, title="Titre-normal")
    client.force_login(make_staff(commune_a))
    client.post(f"/t/{commune_a.slug}/signalements/{low.pk}/priorite/", {"priority": 4})
    low.refresh_from_db()
    assert low.priority == 4 and low.events.filter(kind="priority", is_public=False).exists()
    page = client.get(f"/t/{commune_a.slug}/signalements/", {"ordering": "-priority"})
    text = page.content.decode()
    assert text.index("Titre-bas") < text.index("Titre-normal")


def test_the_queue_filters_by_department(client, resident, pothole, make_staff, commune_a):
    lamp = CategoryFactory(territory=commune_a, name="Lampadaire")
    file_report(pothole, resident, title="Titre-voirie")
    file_report(lamp, resident, title="Titre-eclairage")
    client.force_login(make_staff(commune_a))
    page = client.get(
        f"/t/{commune_a.slug}/signalements/", {"status": "open", "department": lamp.department_id}
    ).content.decode()
    assert "Titre-eclairage" in page and "Titre-voirie" not in page


def test_the_queue_offers_the_scope_filters_as_soon_as_they_exist(
    client, make_staff, commune_a, commune_b
):
    client.force_login(make_staff(commune_a))
    queue = f"/t/{commune_a.slug}/signalements/"
    client.get(queue)  # the filter choices are now cached
    district = DistrictFactory(territory=commune_a, name="Quartier-neuf")
    page = client.get(queue).content.decode()
    assert f'<option value="{district.pk}">Quartier-neuf</option>' in page
    category = CategoryFactory(territory=commune_a, name="Banc-cassé")
    elsewhere = CategoryFactory(territory=commune_b, name="Ailleurs")
    page = client.get(queue).content.decode()
    assert f'<option value="{category.pk}">{category}</option>' in page
    assert category.department.name in page and "Ailleurs" not in page
    refused = client.get(queue, {"status": "", "category": elsewhere.pk})
    assert refused.status_code == 200 and "Ailleurs" not in refused.content.decode()


def test_moving_through_a_filtered_list_keeps_the_filters(client, resident, pothole, commune_a):
    for number in range(30):
        report_create(
            category=pothole,
            title=f"Trou {number}",
            description="x",
            place="Rue des Moulins",
            reporter=resident,
        )
    page = client.get("/signalements/", {"status": "open", "category": pothole.pk}).content
    next_link = f"?status=open&amp;category={pothole.pk}&amp;page=2"
    assert next_link in page.decode()
    second = client.get("/signalements/", {"status": "open", "category": pothole.pk, "page": 2})
    assert 'rel="prev"' in second.content.decode()


def test_report_pages_never_load_the_outlines_of_territories_and_districts(
    client, resident, pothole, make_staff, commune_a
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = file_report(pothole, resident, title="Trou")
    staff = make_staff(commune_a)
    pages = [
        (None, f"/signalements/{report.pk}/"),
        (None, "/signalements/"),
        (None, f"/open311/v2/requests/{report.pk}.json"),
        (staff, f"/t/{commune_a.slug}/signalements/"),
        (staff, f"/t/{commune_a.slug}/signalements/{report.pk}/"),
    ]
    for user, path in pages:
        cache.clear()
        client.logout()
        if user:
            client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        outlines = [
            query["sql"]
            for query in queries.captured_queries
            if '"boundary"' in query["sql"] or '"area"' in query["sql"]
        ]
        assert not outlines, path
