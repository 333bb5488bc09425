"""Open311 GeoReport v2 at /open311/v2/: a real client (georeport, requests) over HTTP, the
responses checked against JSON Schemas written from the spec (tests/schemas/README.md) and
parsed as XML, every error, jurisdictions, privacy and query counts."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest
import requests
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from georeport import GeoReport
from PIL import Image

from parvis.accounts.choices import Role
from parvis.privacy.models import AuditEntry
from parvis.reports import open311_selectors
from parvis.reports.choices import ReportStatus, Source, UpdateChannel
from parvis.reports.models import Category, Open311Client, Report, ReportEvent
from parvis.reports.selectors import open311_client_for_key
from parvis.reports.services import (
    open311_client_create,
    report_add_update,
    report_create,
    report_merge,
    report_photo_hide,
    report_transition,
)
from parvis.territories.models import Department
from parvis.testing.factories import (
    CategoryFactory,
    EPCIFactory,
    TerritoryFactory,
    jpeg_with_gps,
    staff_user,
)

IN_A = {"latitude": 47.005, "longitude": 4.805}
IN_B = {"latitude": 47.005, "longitude": 4.905}
SECRET = {
    "reporter_name": "Zoé Secrète",
    "reporter_email": "zoe.secrete@example.org",
    "reporter_phone": "0611223344",
    "reporter_address": "12 rue Cachée",
}
SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2"
W3C = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"


def schema(name: str):
    return jsonschema_rs.validator_for(
        json.loads((SCHEMAS / f"{name}.json").read_text()), validate_formats=True
    )


def valid(name: str, document) -> None:
    errors = [error.message for error in schema(name).iter_errors(document)]
    assert errors == [], errors


def xml(response: HttpResponse) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def error_of(response: HttpResponse, status: int) -> list[str]:
    """The descriptions of a spec error answer, checked in JSON or XML."""
    assert response.status_code == status, response.content
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        valid("errors", body)
        assert {entry["code"] for entry in body} == {status}
        return [entry["description"] for entry in body]
    root = xml(response)
    assert root.tag == "errors" and [child.tag for child in root] == ["error"] * len(root)
    assert {error.findtext("code") for error in root} == {str(status)}
    return [error.findtext("description") for error in root]


@pytest.fixture
def api():
    """An application's HTTP client: English answers, CSRF enforced as for any browser."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def pothole(commune_a):
    return CategoryFactory(
        territory=commune_a,
        name="Nid-de-poule",
        group="Voirie",
        service_code="nid-de-poule",
        department=Department.objects.get(territory=commune_a, code="voirie"),
    )


@pytest.fixture
def streetlight_b(commune_b):
    return CategoryFactory(
        territory=commune_b, name="Éclairage", group="Éclairage", service_code="eclairage"
    )


@pytest.fixture
def water(epci):
    """Water is handled by the intercommunalité for all its communes."""
    return CategoryFactory(territory=epci, name="Fuite d'eau", group="Eau", service_code="eau")


@pytest.fixture
def app(epci):
    """An application registered for the whole intercommunalité; returns (client, key)."""
    admin = staff_user(territory=epci, role=Role.TERRITORY_ADMIN)
    return open311_client_create(
        territory=epci, name="Appli Val", contact_email="dev@example.org", actor=admin
    )


@pytest.fixture
def app_a(commune_a):
    admin = staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN)
    return open311_client_create(
        territory=commune_a, name="Appli A", contact_email="dev-a@example.org", actor=admin
    )


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")


def file(category, **kwargs) -> Report:
    fields = {"title": "Trou", "description": "Un trou dans la chaussée", **IN_A, **SECRET}
    return report_create(category=category, **{**fields, **kwargs})


def get(api, resource: str, **params) -> HttpResponse:
    return api.get(f"{BASE}/{resource}", params)


# --- A real client over HTTP -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_georeport_lists_services_and_reads_their_definition(
    live_server, pothole, water, streetlight_b
):
    client = GeoReport(f"{live_server.url}{BASE}", jurisdiction="commune-a")
    services = client.get_service_list()
    valid("services", services)
    assert {service["service_code"] for service in services} == {"nid-de-poule", "eau"}
    pothole_service = next(s for s in services if s["service_code"] == "nid-de-poule")
    assert pothole_service == {
        "service_code": "nid-de-poule",
        "service_name": "Nid-de-poule",
        "description": None,
        "metadata": False,
        "type": "realtime",
        "keywords": None,
        "group": "Voirie",
    }
    definition = client.get_service_definition("nid-de-poule")
    valid("service_definition", definition)
    assert definition == {"service_code": "nid-de-poule", "attributes": []}

    as_xml = GeoReport(f"{live_server.url}{BASE}", jurisdiction="commune-a", output_format="xml")
    listed = as_xml.get_service_list()
    assert {service["service_code"] for service in listed} == {"nid-de-poule", "eau"}
    assert {service["metadata"] for service in listed} == {"false"}
    assert as_xml.get_service_definition("eau")["service_code"] == "eau"
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("eclairage")  # commune B's
    assert refused.value.response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_georeport_reads_requests_and_one_request(live_server, pothole, streetlight_b):
    open_report = file(pothole, place="12 rue de la Gare")
    closed = file(pothole)
    report_transition(report=closed, to=ReportStatus.RESOLVED, actor=None, public_note="Rebouché")
    file(streetlight_b, **IN_B)
    client = GeoReport(f"{live_server.url}{BASE}", jurisdiction="commune-a")

    listed = client.get_service_requests()
    valid("service_requests", listed)
    assert [r["service_request_id"] for r in listed] == [str(closed.pk), str(open_report.pk)]
    assert [r["service_request_id"] for r in client.get_service_requests(status="open")] == [
        str(open_report.pk)
    ]
    one = client.get_service_request(str(closed.pk))
    valid("service_requests", [one])
    assert one["status"] == "closed" and one["status_notes"] == "Rebouché"
    assert one["service_code"] == "nid-de-poule" and one["agency_responsible"] == "Voirie"
    assert (one["lat"], one["long"]) == (47.005, 4.805)
    assert client.get_service_request(str(open_report.pk))["address"] == "12 rue de la Gare"

    as_xml = GeoReport(f"{live_server.url}{BASE}", jurisdiction="commune-a", output_format="xml")
    assert as_xml.get_service_request(str(open_report.pk))["service_request_id"] == str(
        open_report.pk
    )
    assert len(as_xml.get_service_requests()) == 2


@pytest.mark.django_db(transaction=True)
def test_an_application_files_a_report_with_a_photo_and_finds_it_by_token(
    live_server, app, pothole
):
    client, key = app
    response = requests.post(
        f"{live_server.url}{BASE}/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "commune-a",
            "service_code": "nid-de-poule",
            "lat": "47.005",
            "long": "4.805",
            "address_string": "Devant la boulangerie",
            "description": "Un trou profond\nsur la voie de droite, dangereux pour les vélos.",
            "email": "camille@example.org",
            "first_name": "Camille",
            "last_name": "Martin",
            "phone": "0600000000",
        },
        files={"media": ("photo.jpg", jpeg_with_gps(), "image/jpeg")},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    created = response.json()
    valid("post_service_request", created)
    report = Report.objects.get(pk=int(created[0]["service_request_id"]))
    assert created[0]["token"] == report.token
    assert report.title == "Un trou profond" and report.source == Source.OPEN311
    assert report.open311_client == client and report.category == pothole
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
        "Camille Martin",
        "camille@example.org",
        "0600000000",
    )
    assert report.update_channel == UpdateChannel.EMAIL and report.place == "Devant la boulangerie"
    with report.photos.get().image.open() as stored:
        photo = Image.open(io.BytesIO(stored.read()))
        assert photo.format == "JPEG" and not photo.getexif() and "exif" not in photo.info

    by_token = requests.get(f"{live_server.url}{BASE}/tokens/{report.token}.json", timeout=30)
    valid("token", by_token.json())
    assert by_token.json() == [{"service_request_id": str(report.pk), "token": report.token}]
    fetched = GeoReport(f"{live_server.url}{BASE}").get_service_request(str(report.pk))
    assert fetched["description"].startswith("Un trou profond")
    assert "camille" not in json.dumps(fetched).lower()


def test_a_report_filed_in_xml_without_email_keeps_the_linked_media_for_staff(api, app, pothole):
    client, key = app
    response = api.post(
        f"{BASE}/requests.xml",
        filing(key, address_string="", media_url="https://photos.example.org/trou.jpg"),
    )
    root = xml(response)
    assert root.tag == "service_requests" and [child.tag for child in root] == ["request"]
    report = Report.objects.get(pk=int(root.findtext("request/service_request_id")))
    assert root.findtext("request/token") == report.token
    assert report.update_channel == UpdateChannel.NONE and report.reporter_email == ""
    note = report.events.get(kind="internal_note")
    assert not note.is_public and "https://photos.example.org/trou.jpg" in note.text
    assert client.name in note.text
    assert "photos.example.org" not in get(api, f"requests/{report.pk}.json").content.decode()


def test_answers_are_open_to_web_apps_and_in_the_asked_language(client, pothole):
    answer = client.get(f"{BASE}/services/inconnu.json")
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Content-Language"] == "fr"  # the platform's language by default
    english = client.get(f"{BASE}/services/inconnu.json", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"


# --- Discovery, formats ----------------------------------------------------------------


def test_discovery_names_the_endpoint_its_formats_and_the_jurisdictions(api, commune_a, pothole):
    body = get(api, "discovery.json").json()
    valid("discovery", body)
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "commune-a (Commune A)" in body["contact"] and "val (" in body["contact"]
    assert endpoint["type"] == "test"  # the test settings run in demo mode
    # The changeset moves when the services change, so clients refresh their cache.
    assert datetime.fromisoformat(body["changeset"]) == Category.objects.get().updated_at.replace(
        microsecond=0
    )
    Category.objects.filter(pk=pothole.pk).update(updated_at=timezone.now() + timedelta(days=1))
    changed = get(api, "discovery.json").json()["changeset"]
    assert datetime.fromisoformat(changed) > datetime.fromisoformat(body["changeset"])

    root = xml(get(api, "discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]
    assert root.findtext("endpoints/endpoint/specification") == (
        "http://wiki.open311.org/GeoReport_v2"
    )


def test_xml_answers_follow_the_spec_elements(api, pothole):
    report = file(pothole, description="Trou\x0b avec un caractère de contrôle")
    services = xml(get(api, "services.xml"))
    assert services.tag == "services" and [s.tag for s in services] == ["service"]
    assert services.findtext("service/metadata") == "false"
    definition = xml(get(api, "services/nid-de-poule.xml"))
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "nid-de-poule"
    assert definition.find("attributes") is not None and len(definition.find("attributes")) == 0
    requests_root = xml(get(api, "requests.xml"))
    assert requests_root.tag == "service_requests"
    (request,) = requests_root
    assert request.tag == "request" and request.findtext("service_request_id") == str(report.pk)
    assert request.findtext("description") == "Trou avec un caractère de contrôle"
    assert request.findtext("status") == "open" and request.findtext("lat") == "47.005"
    assert xml(get(api, f"tokens/{report.token}.xml")).findtext("request/token") == report.token


def test_dates_are_w3c_in_french_time_and_ids_are_strings(api, pothole):
    report = file(pothole)
    (body,) = get(api, f"requests/{report.pk}.json").json()
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert re.match(W3C, body[name]), body[name]
        assert datetime.fromisoformat(body[name]).utcoffset() in {
            timedelta(hours=1),
            timedelta(hours=2),
        }
    assert datetime.fromisoformat(body["requested_datetime"]) == report.created_at.replace(
        microsecond=0
    )
    assert datetime.fromisoformat(body["expected_datetime"]) == report.due_at.replace(microsecond=0)
    assert body["service_request_id"] == str(report.pk)


# --- Errors ----------------------------------------------------------------------------


def post(api, **params) -> HttpResponse:
    return api.post(f"{BASE}/requests.json", params)


def filing(key, **params):
    return {
        "api_key": key,
        "service_code": "nid-de-poule",
        "lat": "47.005",
        "long": "4.805",
        "description": "Un trou",
        **params,
    }


def test_filing_without_a_valid_key_is_refused_403(api, app, pothole):
    client, key = app
    assert "api_key" in error_of(post(api, **filing("")), 403)[0]
    error_of(post(api, **filing("not-a-key")), 403)
    client.is_active = False
    client.save()
    error_of(post(api, **filing(key)), 403)
    error_of(api.post(f"{BASE}/requests.xml", filing("nope")), 403)
    assert not Report.objects.exists()


def test_a_commune_key_files_only_in_its_commune(api, app_a, pothole, streetlight_b, water):
    _client, key = app_a
    assert error_of(post(api, **filing(key, jurisdiction_id="commune-b")), 403)
    outside = post(api, **filing(key, service_code="eclairage", lat="47.005", long="4.905"))
    assert "outside Commune A" in error_of(outside, 400)[0]
    # An intercommunal service reaches the commune where the problem is.
    created = post(api, **filing(key, service_code="eau")).json()
    assert Report.objects.get(pk=int(created[0]["service_request_id"])).territory.slug == (
        "commune-a"
    )
    without_place = post(
        api, **filing(key, service_code="eau", lat="", long="", address_string="Place")
    )
    assert "intercommunalité" in error_of(without_place, 400)[0]


def test_unknown_jurisdictions_services_requests_and_tokens_are_404(api, app, pothole):
    _client, key = app
    report = file(pothole)
    assert "commune-z" in error_of(get(api, "services.json", jurisdiction_id="commune-z"), 404)[0]
    error_of(get(api, "requests.xml", jurisdiction_id="commune-z"), 404)
    error_of(post(api, **filing(key, jurisdiction_id="commune-z")), 404)
    error_of(get(api, "services/inconnu.json"), 404)
    assert "inconnu" in error_of(post(api, **filing(key, service_code="inconnu")), 404)[0]
    error_of(get(api, f"requests/{report.pk + 100}.json"), 404)
    error_of(get(api, "requests/abc.xml"), 404)
    error_of(get(api, "requests/99999999999999999999999.json"), 404)
    error_of(get(api, "tokens/unknown-token.json"), 404)
    error_of(get(api, "nothing-here.json"), 404)
    error_of(get(api, "services.html"), 404)
    error_of(get(api, "services/nid de poule.json"), 404)


def test_several_collectivites_make_jurisdiction_id_required_to_file(api, app, pothole):
    _client, key = app
    TerritoryFactory(name="Ailleurs", slug="ailleurs")  # a commune outside the EPCI
    assert "jurisdiction_id" in error_of(post(api, **filing(key)), 400)[0]
    assert post(api, **filing(key, jurisdiction_id="val")).status_code == 200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service_code": ""}, "service_code was not provided"),
        ({"lat": "north"}, "lat must be a number between -90 and 90"),
        ({"lat": "91"}, "lat must be a number"),
        ({"long": "nan"}, "long must be a number between -180 and 180"),
        ({"long": ""}, "lat and long must be sent together"),
        ({"lat": "", "long": ""}, "Give the location"),
        ({"description": "  "}, "description was not provided"),
        ({"description": "x" * 4001}, "description may not exceed 4,000 characters"),
        ({"media_url": "javascript:alert(1)"}, "media_url is not an http(s) URL"),
        ({"lat": "43.3", "long": "5.4"}, "outside"),
        ({"email": "not-an-email"}, "email: Enter a valid email address."),
        ({"phone": "0" * 40}, "phone: Ensure this value has at most 30 characters"),
    ],
)
def test_invalid_submissions_are_400_with_the_reason(api, app, pothole, params, expected):
    _client, key = app
    descriptions = error_of(post(api, **filing(key, **params)), 400)
    assert any(expected in description for description in descriptions), descriptions
    assert not Report.objects.exists()


def test_every_problem_of_a_submission_is_listed(api, app, pothole):
    _client, key = app
    response = api.post(f"{BASE}/requests.xml", {"api_key": key, "lat": "x"})
    assert len(error_of(response, 400)) == 3  # service_code, lat, description


def test_a_bad_photo_is_refused_400(api, app, pothole):
    _client, key = app
    upload = io.BytesIO(b"not an image")
    upload.name = "photo.jpg"
    response = api.post(f"{BASE}/requests.json", {**filing(key), "media": upload})
    assert error_of(response, 400) == ["This file is not a readable image."]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start_date": "yesterday"}, "start_date is not a W3C datetime"),
        ({"end_date": "2026-13-45"}, "end_date is not a W3C datetime"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "more than 90 days"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date is before"),
        ({"status": "open,pending"}, "status must be open, closed"),
        ({"service_request_id": "1,abc"}, "service_request_id must be numbers"),
    ],
)
def test_invalid_queries_are_400(api, pothole, params, expected):
    (description,) = error_of(get(api, "requests.json", **params), 400)
    assert expected in description


def test_other_methods_are_405(api):
    response = api.post(f"{BASE}/services.json")
    error_of(response, 405)
    assert response["Allow"] == "GET, HEAD"
    assert api.delete(f"{BASE}/requests.xml")["Allow"] == "GET, HEAD, POST"


# --- Scoping and privacy ---------------------------------------------------------------


def ids(response) -> list[str]:
    body = response.json()
    valid("service_requests", body)
    return [request["service_request_id"] for request in body]


def test_a_jurisdiction_sees_its_own_requests_only(api, pothole, streetlight_b, water):
    in_a, water_in_b = file(pothole), file(water, **IN_B)
    in_b = file(streetlight_b, **IN_B)
    assert ids(get(api, "requests.json", jurisdiction_id="commune-a")) == [str(in_a.pk)]
    assert set(ids(get(api, "requests.json", jurisdiction_id="commune-b"))) == {
        str(water_in_b.pk),
        str(in_b.pk),
    }
    assert len(ids(get(api, "requests.json", jurisdiction_id="val"))) == 3
    assert len(ids(get(api, "requests.json"))) == 3
    error_of(get(api, f"requests/{in_b.pk}.json", jurisdiction_id="commune-a"), 404)
    error_of(get(api, f"tokens/{in_b.token}.json", jurisdiction_id="commune-a"), 404)
    filtered = get(api, "requests.json", jurisdiction_id="commune-a", service_request_id=in_b.pk)
    assert ids(filtered) == []
    services = get(api, "services.json", jurisdiction_id="commune-b").json()
    assert {service["service_code"] for service in services} == {"eclairage", "eau"}


def test_hidden_and_merged_reports_are_not_exposed(api, pothole, make_staff, commune_a):
    agent = make_staff(commune_a, Role.SUPERVISOR)
    kept, hidden, duplicate = file(pothole), file(pothole), file(pothole)
    Report.objects.filter(pk=hidden.pk).update(is_hidden=True)
    report_merge(duplicate=duplicate, into=kept, actor=agent)
    report_transition(report=hidden, to=ReportStatus.ACKNOWLEDGED, actor=agent)
    assert ids(get(api, "requests.json")) == [str(kept.pk)]
    assert ids(get(api, "requests.json", service_request_id=f"{hidden.pk},{duplicate.pk}")) == []
    for report in (hidden, duplicate):
        error_of(get(api, f"requests/{report.pk}.json"), 404)
        error_of(get(api, f"tokens/{report.token}.json"), 404)
    assert get(api, "servicerequestupdates.json").json() == []


def test_contact_details_are_never_exposed(api, pothole, make_staff, commune_a):
    report = file(pothole, show_name=True)
    report_transition(report=report, to=ReportStatus.ACKNOWLEDGED, actor=None, public_note="Vu")
    for resource in (
        "requests.json",
        "requests.xml",
        f"requests/{report.pk}.json",
        f"requests/{report.pk}.xml",
        "servicerequestupdates.json",
        "servicerequestupdates.xml",
        f"tokens/{report.token}.json",
    ):
        content = get(api, resource, extensions="1").content.decode()
        assert str(report.pk) in content
        for secret in SECRET.values():
            assert secret not in content, (resource, secret)


def test_media_url_is_the_first_public_photo(api, pothole, commune_a, make_staff):
    report = file(pothole, photos=[photo(), photo()])
    first, second = report.photos.order_by("created_at", "pk")
    (body,) = get(api, f"requests/{report.pk}.json").json()
    valid("service_requests", [body])
    assert body["media_url"] == f"http://testserver/signalements/photos/{first.pk}/"
    served = api.get(body["media_url"].removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    moderator = make_staff(commune_a, Role.MODERATOR)
    report_photo_hide(photo=first, actor=moderator, reason="Visage")
    (body,) = get(api, f"requests/{report.pk}.json").json()
    assert body["media_url"] == f"http://testserver/signalements/photos/{second.pk}/"
    report_photo_hide(photo=second, actor=moderator, reason="Plaque")
    (body,) = get(api, f"requests/{report.pk}.json").json()
    assert "media_url" not in body
    assert "media_url" not in get(api, f"requests/{file(pothole).pk}.json").json()[0]


# --- Filters ---------------------------------------------------------------------------


def test_requests_are_filtered_by_status_service_dates_and_ids(api, pothole, water):
    first, second, third = file(pothole), file(water), file(pothole)
    report_transition(report=second, to=ReportStatus.RESOLVED, actor=None)
    Report.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=30))

    assert ids(get(api, "requests.json", status="open")) == [str(third.pk), str(first.pk)]
    assert ids(get(api, "requests.json", status="closed")) == [str(second.pk)]
    assert len(ids(get(api, "requests.json", status="open,closed"))) == 3
    assert ids(get(api, "requests.json", service_code="eau")) == [str(second.pk)]
    assert len(ids(get(api, "requests.json", service_code="eau,nid-de-poule"))) == 3
    assert ids(get(api, "requests.json", service_code="eau", status="open")) == []

    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    assert str(first.pk) not in ids(get(api, "requests.json", start_date=week_ago))
    assert ids(get(api, "requests.json", end_date=week_ago)) == [str(first.pk)]
    # An unencoded "+01:00" offset arrives as a space: still understood.
    raw = timezone.localtime(timezone.now() - timedelta(days=7)).replace(microsecond=0)
    assert api.get(f"{BASE}/requests.json?end_date={raw.isoformat()}").json()[0][
        "service_request_id"
    ] == str(first.pk)
    assert ids(get(api, "requests.json", start_date="2020-01-01T00:00:00Z")) == []

    # service_request_id overrides every other filter.
    both = get(api, "requests.json", service_request_id=f"{first.pk},{second.pk}", status="open")
    assert set(ids(both)) == {str(first.pk), str(second.pk)}


def test_the_default_window_is_the_latest_90_days_and_1000_requests(api, pothole, monkeypatch):
    old, recent, newest = file(pothole), file(pothole), file(pothole)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    assert ids(get(api, "requests.json")) == [str(newest.pk), str(recent.pk)]
    start = (timezone.now() - timedelta(days=120)).isoformat()
    assert ids(get(api, "requests.json", start_date=start)) == [str(old.pk)]
    monkeypatch.setattr(open311_selectors, "MAX_RESULTS", 1)
    cache.clear()  # the limit applies when the list is built, not to the copy served before
    assert ids(get(api, "requests.json")) == [str(newest.pk)]


# --- FixMyStreet extensions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "extended", "status"),
    [
        ([], "open", "open"),
        ([ReportStatus.ACKNOWLEDGED], "investigating", "open"),
        ([ReportStatus.SCHEDULED], "action_scheduled", "open"),
        ([ReportStatus.IN_PROGRESS], "in_progress", "open"),
        ([ReportStatus.IN_PROGRESS, ReportStatus.RESOLVED], "fixed", "closed"),
        ([ReportStatus.REJECTED], "no_further_action", "closed"),
        ([ReportStatus.TRANSFERRED], "not_councils_responsibility", "closed"),
        ([ReportStatus.DUPLICATE], "duplicate", "closed"),
    ],
)
def test_extensions_give_fixmystreet_detailed_statuses(api, pothole, steps, extended, status):
    report = file(pothole)
    for step in steps:
        report = report_transition(report=report, to=step, actor=None, public_note=f"→ {step}")
    (plain,) = get(api, f"requests/{report.pk}.json").json()
    assert "extended_attributes" not in plain and plain["status"] == status
    (body,) = get(api, "requests.json", extensions="true").json()
    valid("service_requests", [body])
    assert body["extended_attributes"]["status"] == extended
    assert body["extended_attributes"]["title"] == "Trou"
    assert body["extended_attributes"]["district"] == "Centre"
    assert body["status_notes"] == (f"→ {steps[-1]}" if steps else None)
    if status == "closed":
        assert datetime.fromisoformat(body["updated_datetime"]) == report.closed_at.replace(
            microsecond=0
        )
    root = xml(get(api, "requests.xml", extensions="1"))
    assert root.findtext("request/extended_attributes/status") == extended


def test_service_request_updates_list_public_steps_with_the_status_after_each(
    api, pothole, make_staff, commune_a, commune_b
):
    agent = make_staff(commune_a, Role.AGENT)
    report = file(pothole)
    report_transition(report=report, to=ReportStatus.SCHEDULED, actor=agent, public_note="Lundi")
    report_add_update(report=report, actor=agent, text="Équipe prévue", public=True)
    report_add_update(report=report, actor=agent, text="Note interne", public=False)
    report_transition(report=report, to=ReportStatus.RESOLVED, actor=agent)
    other = file(pothole)
    Report.objects.filter(pk=other.pk).update(is_hidden=True)
    report_transition(report=other, to=ReportStatus.ACKNOWLEDGED, actor=agent)

    body = get(api, "servicerequestupdates.json").json()
    valid("service_request_updates", body)
    assert [(u["status"], u["description"]) for u in body] == [
        ("action_scheduled", "Lundi"),
        ("action_scheduled", "Équipe prévue"),
        ("fixed", "Resolved"),
    ]
    events = ReportEvent.objects.filter(
        report=report, is_public=True, kind__in=["status", "public_update"]
    )
    assert [u["update_id"] for u in body] == [str(e.pk) for e in events.order_by("pk")]
    assert {u["service_request_id"] for u in body} == {str(report.pk)}

    root = xml(get(api, "servicerequestupdates.xml"))
    assert root.tag == "service_requests_updates"
    assert [child.tag for child in root] == ["request_update"] * 3
    assert root.findtext("request_update/status") == "action_scheduled"

    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert get(api, "servicerequestupdates.json", start_date=later).json() == []
    assert get(api, "servicerequestupdates.json", jurisdiction_id="commune-b").json() == []


# --- Queries ---------------------------------------------------------------------------


def test_listing_requests_costs_the_same_queries_for_1_or_50_reports(
    api, pothole, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(api, "requests.json", extensions="1").status_code == 200
        return len(queries)

    report = file(pothole, photos=[photo()])
    report_transition(report=report, to=ReportStatus.ACKNOWLEDGED, actor=None, public_note="Vu")
    one = count()
    for _ in range(49):
        file(pothole, photos=[photo()])
    assert len(get(api, "requests.json").json()) == 50
    assert count() == one
    with django_assert_max_num_queries(5):
        get(api, "requests.json", jurisdiction_id="val")


# --- Applications' keys in the admin ---------------------------------------------------


@pytest.fixture
def operator(client, db):
    user = staff_user(territory=EPCIFactory(), role=Role.TERRITORY_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def test_staff_register_an_application_and_see_its_key_once(client, operator, commune_a):
    response = client.post(
        "/admin/reports/open311client/add/",
        {"territory": commune_a.pk, "name": "Signal'Ici", "contact_email": "dev@example.org"},
    )
    assert response.status_code == 302, response.content
    application = Open311Client.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request) if "Signal'Ici" in str(m)]
    (key,) = re.findall(r"[A-Za-z0-9_-]{40,}", shown[0])  # token_urlsafe(32): 43 characters
    assert open311_client_for_key(api_key=key) == application
    assert key not in application.key_hash and application.key_prefix == key[:8]
    assert AuditEntry.objects.filter(verb="open311_client_create").exists()
    assert key in client.get(response["Location"]).content.decode()  # shown on the next page
    for page in (f"{application.pk}/change/", ""):  # and never again
        content = client.get(f"/admin/reports/open311client/{page}").content.decode()
        assert key not in content and application.key_hash not in content


def test_staff_deactivate_an_application_and_its_key_stops_working(client, operator, app, pothole):
    application, key = app
    response = client.post(
        "/admin/reports/open311client/",
        {"action": "deactivate", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert not application.is_active
    assert AuditEntry.objects.filter(verb="open311_client_deactivate").exists()
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    error_of(api.post(f"{BASE}/requests.json", filing(key)), 403)
    delete = client.get(f"/admin/reports/open311client/{application.pk}/delete/")
    assert delete.status_code == 403
