"""The reports API: the public record, and filing with photos stripped of their metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parvis.reports.models import Report
from parvis.reports.services import report_create
from parvis.testing.factories import CategoryFactory, jpeg_with_gps


@pytest.fixture
def pothole(commune_a):
    return CategoryFactory(territory=commune_a, name="Nid-de-poule", service_code="nid")


def test_the_public_list_is_paginated_and_filtered(
    client, resident, pothole, commune_b, django_assert_max_num_queries
):
    for number in range(60):
        report_create(
            category=pothole,
            title=f"Trou {number}",
            description="x",
            latitude=47.005,
            longitude=4.805,
            reporter=resident,
            reporter_phone="+33600000000",
        )
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/reports", {"territory": "commune-a"}).json()
    assert body["count"] == 60 and len(body["items"]) == 50
    first = body["items"][0]
    assert first["title"] == "Trou 59" and first["service_code"] == "nid"
    assert "+33600000000" not in str(body) and resident.email not in str(body)
    assert client.get("/api/v1/reports", {"territory": "commune-b"}).json()["count"] == 0
    assert client.get("/api/v1/reports", {"territory": "nowhere"}).status_code == 404
    assert client.get("/api/v1/reports", {"status": "closed"}).json()["count"] == 0


def test_hidden_reports_are_not_served(client, resident, pothole):
    report = report_create(
        category=pothole,
        title="T",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
    )
    assert client.get(f"/api/v1/reports/{report.pk}").status_code == 200
    Report.objects.filter(pk=report.pk).update(is_hidden=True)
    assert client.get(f"/api/v1/reports/{report.pk}").status_code == 404


def test_a_resident_files_a_report_with_a_photo(client, resident, pothole):
    client.force_login(resident)
    photo = SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        "/api/v1/reports",
        {
            "category": pothole.pk,
            "title": "Trou",
            "description": "Profond",
            "latitude": 47.005,
            "longitude": 4.805,
            "photos": [photo],
        },
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.reporter == resident and response.json()["district"] == "centre"
    stored = Image.open(io.BytesIO(report.photos.get().image.read()))
    assert dict(stored.getexif()) == {}


def test_filing_needs_a_login_and_valid_input(client, resident, pothole):
    form = {"category": pothole.pk, "title": "Trou", "description": "x"}
    assert client.post("/api/v1/reports", form).status_code == 401
    client.force_login(resident)
    refused = client.post("/api/v1/reports", form)  # no place at all
    assert refused.status_code == 400 and refused.json()["errors"]["__all__"]
    outside = client.post("/api/v1/reports", {**form, "latitude": 43.3, "longitude": 5.4})
    assert outside.status_code == 400
    assert (
        client.post("/api/v1/reports", {**form, "category": 999999, "place": "ici"}).status_code
        == 400
    )
    assert not Report.objects.exists()


def test_a_page_far_past_the_end_is_refused_not_a_server_error(client, epci):
    response = client.get("/api/v1/reports", {"page": 781268392228440113152})
    assert response.status_code == 422
    assert client.get("/api/v1/reports", {"page": 999_999}).json() == {"items": [], "count": 0}
