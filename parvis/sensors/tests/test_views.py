"""The sensors pages as residents and staff use them: register, map, series, dead letters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.utils import timezone

from parvis.accounts.choices import Role
from parvis.privacy.models import AuditEntry
from parvis.sensors.choices import DeadLetterReason, DeadLetterStatus, DeviceKind
from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.models import DeadLetter, Observation, ObservedProperty, Sensor
from parvis.sensors.services import datastream_create, thing_register
from parvis.sensors.views import REGISTER_COLUMNS


def register(territory, key: str, kind: str = DeviceKind.AIR_QUALITY, **fields):
    fields = {
        "name": f"Station {key}",
        "latitude": 47.005,
        "longitude": 4.805,
        "operator": "Atmo Test",
        "purpose": "Informer du niveau de pollution.",
        **fields,
    }
    return thing_register(territory=territory, key=key, kind=kind, **fields)


def send(thing, token: str, records: list[dict]):
    message = Message(
        channel="http", payload=json.dumps(records), device_key=thing.key, token=token
    )
    return messages_ingest(messages=[message])


def ago(**delta) -> float:
    return (timezone.now() - dt.timedelta(**delta)).timestamp()


def stream(thing, senml_name: str):
    return thing.datastreams.get(senml_name=senml_name)


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def table_cells(page: str) -> list[str]:
    """Text of the <td> cells of the page's table body (the series table twin)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", body)]


@pytest.fixture
def station(commune_a):
    thing, token = register(commune_a, "air-centre", name="Station Centre")
    send(
        thing,
        token,
        [
            {"bn": "", "n": "no2", "u": "ug/m3", "v": 12.5, "t": ago(hours=3)},
            {"n": "no2", "u": "ug/m3", "v": 40, "t": ago(hours=2)},
            {"n": "no2", "u": "ug/m3", "v": 450, "t": ago(hours=1)},
            {"n": "pm10", "u": "ug/m3", "v": 18, "t": ago(minutes=30)},
        ],
    )
    return thing


@pytest.fixture
def hidden(commune_a):
    thing, _token = register(
        commune_a, "bruit-secret", kind=DeviceKind.NOISE, name="Sonomètre interne", is_public=False
    )
    return thing


def test_the_register_lists_public_devices_only(client, station, hidden):
    page = client.get("/capteurs/registre/").content.decode()
    assert "Station Centre" in page and "Atmo Test" in page
    assert "Informer du niveau de pollution." in page and "Commune A" in page
    assert "Sonomètre interne" not in page
    assert client.get(f"/capteurs/{hidden.key}/").status_code == 404
    assert client.get(f"/capteurs/{station.key}/").status_code == 200


def test_the_register_is_a_csv_dataset(client, station, hidden):
    response = client.get("/capteurs/registre.csv")
    assert response["Content-Type"].startswith("text/csv")
    header, *devices = rows(response)
    assert header == REGISTER_COLUMNS
    assert [row[0] for row in devices] == ["air-centre"]
    device = dict(zip(header, devices[0], strict=True))
    assert device["territory"] == "Commune A" and device["operator"] == "Atmo Test"
    assert device["raw_retention_days"] == "1825" and device["privacy_class"] == "open"
    assert "no2 (ug/m3)" in device["measures"]
    assert device["url"].endswith("/capteurs/air-centre/")


def test_the_map_and_its_feed_show_latest_values_with_the_air_index(
    client, station, hidden, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        page = client.get("/capteurs/").content.decode()
    assert "Station Centre" in page and "Sonomètre interne" not in page
    assert "aq--extremely-poor" in page  # NO2 at 450 µg/m³
    assert "aq--good" in page  # PM10 at 18 µg/m³
    feed = client.get("/capteurs/carte.geojson")
    assert feed["Content-Type"] == "application/geo+json"
    (feature,) = feed.json()["features"]
    assert feature["id"] == "air-centre" and feature["geometry"]["coordinates"] == [4.805, 47.005]
    assert feature["properties"]["level"] == "extremely-poor"
    values = {value["name"]: value["value"] for value in feature["properties"]["values"]}
    assert values[stream(station, "no2").observed_property.name] == 450


def test_the_series_table_shows_the_stored_values(client, station):
    no2 = stream(station, "no2")
    response = client.get(f"/capteurs/air-centre/{no2.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    cells = table_cells(page)
    values = [cells[index] for index in range(0, len(cells), 2)]
    assert values == ["12,50", "40", "450"]
    assert cells[5] != cells[1]  # the value over the expected range is flagged
    chart = json.loads(re.search(r'id="series-data"[^>]*>(.*?)</script>', page).group(1))
    assert chart["v"] == [12.5, 40.0, 450.0] and len(chart["t"]) == 3
    hourly = client.get(f"/capteurs/air-centre/{no2.pk}/", {"period": "7d", "resolution": "hour"})
    assert len(table_cells(hourly.content.decode())) == 3 * 4  # mean, min, max, count


def test_a_period_too_long_for_raw_values_is_explained(client, station):
    no2 = stream(station, "no2")
    response = client.get(f"/capteurs/air-centre/{no2.pk}/", {"period": "1y", "resolution": "raw"})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_the_series_csv_has_its_values(client, station):
    no2 = stream(station, "no2")
    export = f"/capteurs/air-centre/{no2.pk}/export.csv"
    response = client.get(export, {"period": "24h", "resolution": "raw"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *values = rows(response)
    assert header == ["time", "value", "unit", "quality"]
    assert [row[1:] for row in values] == [
        ["12.5", "ug/m3", "good"],
        ["40.0", "ug/m3", "good"],
        ["450.0", "ug/m3", "suspect"],
    ]
    assert all(row[0].endswith("Z") for row in values)
    hourly = rows(client.get(export, {"period": "24h", "resolution": "hour"}))
    assert hourly[0] == ["period_start", "mean", "min", "max", "count", "unit"]
    assert sorted(float(row[1]) for row in hourly[1:]) == [12.5, 40.0, 450.0]
    assert client.get(export, {"period": "1y", "resolution": "raw"}).status_code == 400


def test_individual_meters_show_only_aggregates_of_ten_meters(client, commune_a):
    gateway, token = register(
        commune_a, "compteurs", kind=DeviceKind.WATER, name="Télérelève", meter_gateway=True
    )
    base = timezone.now().replace(minute=10, second=0, microsecond=0)
    crowded, sparse = base - dt.timedelta(hours=5), base - dt.timedelta(hours=3)
    records = [
        {"n": f"meter-{number}:waterConsumption", "u": "m3", "v": 0.5, "t": crowded.timestamp()}
        for number in range(12)
    ] + [
        {"n": f"meter-{number}:waterConsumption", "u": "m3", "v": 0.3, "t": sparse.timestamp()}
        for number in range(3)
    ]
    assert send(gateway, token, records).stored == 15
    flow = stream(gateway, "waterConsumption")
    assert f"/capteurs/compteurs/{flow.pk}/" in client.get("/capteurs/compteurs/").content.decode()
    page = client.get(f"/capteurs/compteurs/{flow.pk}/").content.decode()
    cells = table_cells(page)
    assert cells == ["0,50", "0,50", "0,50", "12"]  # one hour of 12 meters, the other hidden
    assert "meter-" not in page
    raw = client.get(f"/capteurs/compteurs/{flow.pk}/", {"period": "24h", "resolution": "raw"})
    assert raw.status_code == 400
    export = rows(client.get(f"/capteurs/compteurs/{flow.pk}/export.csv", {"period": "24h"}))
    assert export[0][0] == "period_start" and len(export) == 2
    feed = client.get("/capteurs/carte.geojson").json()
    assert "compteurs" not in {feature["id"] for feature in feed["features"]}


@pytest.mark.parametrize(
    "who", ["resident", "staff of another commune", "agent here, other slug", "anonymous"]
)
def test_staff_pages_are_hidden_from_others(client, who, station, commune_a, commune_b, make_staff):
    from parvis.testing.factories import UserFactory

    slug = commune_a.slug
    if who == "resident":
        client.force_login(UserFactory())
    elif who == "staff of another commune":
        client.force_login(make_staff(commune_b))
    elif who == "agent here, other slug":
        client.force_login(make_staff(commune_b))
        slug = commune_b.slug
    no2 = stream(station, "no2")
    pages = [f"/t/{slug}/capteurs/{station.key}/", f"/t/{slug}/capteurs/{station.key}/{no2.pk}/"]
    if who != "agent here, other slug":
        pages += [f"/t/{slug}/capteurs/", f"/t/{slug}/capteurs/messages-rejetes/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == (302 if who == "anonymous" else 404), path


def test_staff_see_private_devices_and_streams(client, station, hidden, commune_a, make_staff):
    client.force_login(make_staff(commune_a))
    page = client.get(f"/t/{commune_a.slug}/capteurs/").content.decode()
    assert "Station Centre" in page and "Sonomètre interne" in page
    assert 'id="sensor-points"' in page
    laeq = stream(hidden, "LAeq")
    detail = client.get(f"/t/{commune_a.slug}/capteurs/{hidden.key}/")
    assert detail.status_code == 200
    assert client.get(f"/t/{commune_a.slug}/capteurs/{hidden.key}/{laeq.pk}/").status_code == 200
    silent = client.get(f"/t/{commune_a.slug}/capteurs/", {"health": "silent"}).content.decode()
    assert "Sonomètre interne" in silent and "Station Centre" not in silent


def test_the_device_list_costs_a_constant_number_of_queries(
    client, commune_a, make_staff, django_assert_max_num_queries
):
    for number in range(15):
        register(commune_a, f"air-{number}", name=f"Station {number}")
    client.force_login(make_staff(commune_a))
    with django_assert_max_num_queries(9):
        page = client.get(f"/t/{commune_a.slug}/capteurs/").content.decode()
    assert "Station 14" in page


@pytest.fixture
def letter(station):
    messages_ingest(
        messages=[
            Message(
                channel="http",
                payload=json.dumps([{"n": "humidity", "u": "%RH", "v": 61, "t": ago(minutes=5)}]),
                device_key=station.key,
                token="wrong.token",
            )
        ],
        trusted=True,
    )
    return DeadLetter.objects.get(reason=DeadLetterReason.UNKNOWN_DATASTREAM)


def add_humidity(station):
    prop, _ = ObservedProperty.objects.get_or_create(code="humidity", defaults={"name": "Humidité"})
    datastream_create(
        thing=station,
        sensor=Sensor.objects.first(),
        observed_property=prop,
        name="Humidité",
        senml_name="humidity",
        unit="%",
        unit_name="percent",
    )


def test_a_dead_letter_is_replayed_once_its_cause_is_fixed(client, letter, station, make_staff):
    officer = make_staff(station.territory, role=Role.DATA_OFFICER)
    client.force_login(officer)
    listing = f"/t/{station.territory.slug}/capteurs/messages-rejetes/"
    page = client.get(listing).content.decode()
    assert f"#{letter.pk}" in page and "humidity" in page
    replay = f"{listing}{letter.pk}/rejouer/"
    still = client.post(replay, {"next": listing}, follow=True)
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.PENDING and letter.attempts == 1
    assert 'class="message message--error"' in still.content.decode()
    add_humidity(station)
    response = client.post(replay, {"next": f"{listing}?status=pending"})
    assert response.status_code == 302 and response["Location"] == f"{listing}?status=pending"
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.REPLAYED and letter.resolved_at
    assert Observation.objects.filter(datastream=stream(station, "humidity"), value=61).exists()
    assert AuditEntry.objects.filter(verb__startswith="dead letter replayed").count() == 2
    assert client.post(replay).status_code == 404  # no longer pending


def test_a_dead_letter_is_discarded_and_agents_cannot_act(client, letter, station, make_staff):
    listing = f"/t/{station.territory.slug}/capteurs/messages-rejetes/"
    client.force_login(make_staff(station.territory, role=Role.AGENT))
    page = client.get(listing).content.decode()
    assert f"#{letter.pk}" in page and "/rejouer/" not in page
    assert client.post(f"{listing}{letter.pk}/ecarter/").status_code == 404
    client.force_login(make_staff(station.territory, role=Role.TERRITORY_ADMIN))
    response = client.post(f"{listing}{letter.pk}/ecarter/", {"next": "https://evil.example/"})
    assert response["Location"] == listing
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.DISCARDED
    row = f'<th scope="row">#{letter.pk}<br>'
    assert row not in client.get(listing).content.decode()
    assert row in client.get(listing, {"status": "all"}).content.decode()


def test_selected_dead_letters_are_replayed_together(client, station, make_staff):
    payload = [{"n": "humidity", "u": "%RH", "v": 50 + n, "t": ago(minutes=n)} for n in (1, 2)]
    for record in payload:
        messages_ingest(
            messages=[
                Message(channel="http", payload=json.dumps([record]), device_key=station.key)
            ],
            trusted=True,
        )
    add_humidity(station)
    client.force_login(make_staff(station.territory, role=Role.DATA_OFFICER))
    listing = f"/t/{station.territory.slug}/capteurs/messages-rejetes/"
    letters = list(DeadLetter.objects.values_list("pk", flat=True))
    response = client.post(listing, {"letters": letters, "action": "replay"}, follow=True)
    assert 'class="message message--success"' in response.content.decode()
    assert set(DeadLetter.objects.values_list("status", flat=True)) == {DeadLetterStatus.REPLAYED}
    assert Observation.objects.filter(datastream=stream(station, "humidity")).count() == 2
