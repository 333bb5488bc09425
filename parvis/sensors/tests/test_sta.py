"""The SensorThings API as clients see it: FROST's Python client against a live server, and
plain requests for visibility, errors, creation rights and query counts."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import frost_sta_client as fsc
import pytest
import requests
from frost_sta_client.model.ext.data_array_value import DataArrayValue

from parvis.sensors.choices import DeadLetterReason, DeviceKind
from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.models import Datastream, DeadLetter, Observation
from parvis.sensors.services import datastream_create
from parvis.sensors.sta.entities import observation_id

T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
ROOT = "/sta/v1.1"


def ingest(token: str, name: str, values: list[float], *, start=T0, step=600) -> None:
    key = token.partition(".")[0]
    pack = [
        {"n": name, "t": (start + dt.timedelta(seconds=i * step)).timestamp(), "v": value}
        for i, value in enumerate(values)
    ]
    message = Message(
        channel="mqtt", payload=json.dumps(pack), topic=f"parvis/devices/{key}/senml", token=token
    )
    assert not messages_ingest(messages=[message]).dead_letters


def stream(thing, code: str) -> Datastream:
    return Datastream.objects.get(thing=thing, senml_name=code)


@pytest.fixture
def network(register_device, commune_b):
    """Two public devices, a private one, a meter gateway and a private datastream."""
    air, air_token = register_device("air-1")
    ingest(air_token, "no2", [10 * n for n in range(1, 13)])  # 10..120, every 10 minutes
    ingest(air_token, "pm10", [5, 6])
    temperature = stream(air, "temperature")
    box = datastream_create(
        thing=air,
        sensor=temperature.sensor,
        observed_property=temperature.observed_property,
        name="Internal temperature",
        senml_name="boxTemperature",
        unit="Cel",
        unit_name="degree Celsius",
        is_public=False,
    )
    ingest(air_token, "boxTemperature", [30])
    noise, noise_token = register_device("noise-1", DeviceKind.NOISE, territory=commune_b)
    ingest(noise_token, "LAeq", [55, 60])
    hidden, hidden_token = register_device("air-hidden", is_public=False)
    ingest(hidden_token, "no2", [99])
    meters, meters_token = register_device("meters-1", DeviceKind.WATER, meter_gateway=True)
    ingest(meters_token, "meter-7:waterConsumption", [0.5])
    return SimpleNamespace(
        air=air,
        air_token=air_token,
        no2=stream(air, "no2"),
        box=box,
        noise=noise,
        hidden=hidden,
        meters=meters,
        meter_stream=stream(meters, "waterConsumption"),
    )


@pytest.fixture
def service(live_server):
    return fsc.SensorThingsService(f"{live_server.url}{ROOT}")


# --- FROST's client against a live server -------------------------------------------------


def test_the_service_root_declares_what_is_implemented(live_server):
    root = requests.get(f"{live_server.url}{ROOT}/", timeout=10).json()
    assert {item["name"] for item in root["value"]} == {
        "Things",
        "Locations",
        "HistoricalLocations",
        "Datastreams",
        "Sensors",
        "ObservedProperties",
        "Observations",
        "FeaturesOfInterest",
    }
    assert root["value"][0]["url"] == f"{live_server.url}{ROOT}/Things"
    assert (
        "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"
        in (root["serverSettings"]["conformance"])
    )


def test_the_client_lists_public_things_with_their_datastreams(service, network):
    things = service.things().query().expand("Datastreams($orderby=name asc),Locations").list()
    by_name = {thing.name: thing for thing in things}
    assert set(by_name) == {"Device air-1", "Device noise-1", "Device meters-1"}
    air = by_name["Device air-1"]
    assert air.id == network.air.pk
    assert air.properties["operator"] == "Ville"
    assert air.locations.entities[0].location["coordinates"] == [4.8, 47.0]
    names = [datastream.name for datastream in air.datastreams]
    assert len(names) == 5 and names == sorted(names)  # the private datastream is not there
    no2 = next(ds for ds in air.datastreams if ds.id == network.no2.pk)
    assert no2.unit_of_measurement.symbol == "µg/m³"
    assert no2.unit_of_measurement.definition == "https://ucum.org/ucum#ug/m3"
    assert no2.phenomenon_time == "2025-03-01T08:00:00Z/2025-03-01T09:50:00Z"
    # The meter gateway is public, its individual meters' flow is not.
    assert by_name["Device meters-1"].datastreams.entities == []


def test_the_client_filters_orders_counts_and_pages_observations(service, network):
    query = (
        service.observations()
        .query()
        .filter(
            f"Datastream/id eq {network.no2.pk} and result gt 30 "
            "and phenomenonTime lt 2025-03-01T09:40:00Z"
        )
        .orderby("phenomenonTime", "desc")
        .top(3)
        .count()
    )
    first_page = query.list()
    assert first_page.count == 7  # 40..100
    assert first_page.next_link is not None
    results = [observation.result for observation in first_page]  # follows the next links
    assert results == [100, 90, 80, 70, 60, 50, 40]
    newest = first_page.get(0)
    assert newest.id == observation_id(network.no2.pk, T0 + dt.timedelta(minutes=90))
    assert newest.phenomenon_time == "2025-03-01T09:30:00Z"
    # String ids travel quoted: Observations('<datastream>-<µs>').
    again = service.observations().find(newest.id)
    assert (again.result, again.result_quality) == (100, "good")


def test_the_client_navigates_from_a_datastream_to_its_observations(service, network):
    datastream = service.datastreams().find(network.no2.pk)
    assert datastream.name == network.no2.name
    latest = datastream.get_observations().query().orderby("phenomenonTime").top(2).list()
    assert [observation.result for observation in latest.entities] == [120, 110]
    thing = service.things().find(network.air.pk)
    assert thing.name == "Device air-1"


def test_a_device_creates_observations_with_the_client(live_server, network):
    key, _, secret = network.air_token.partition(".")
    service = fsc.SensorThingsService(
        f"{live_server.url}{ROOT}", auth_handler=fsc.AuthHandler(username=key, password=secret)
    )
    value = DataArrayValue()
    value.datastream = fsc.Datastream(id=network.no2.pk)
    value.components = {DataArrayValue.Property.PHENOMENON_TIME, DataArrayValue.Property.RESULT}
    start = dt.datetime(2025, 3, 2, 0, 0, tzinfo=dt.UTC)
    for minutes, result in ((0, 15.0), (10, 5000.0), (20, 25.0)):
        value.add_observation(
            fsc.Observation(
                phenomenon_time=start + dt.timedelta(minutes=minutes),
                result=result,
                datastream=value.datastream,
            )
        )
    document = fsc.DataArrayDocument()
    document.add_data_array_value(value)
    created = service.observations().create(document)
    links = [observation.self_link for observation in created]
    assert links[1] == "error"  # 5000 µg/m³ is impossible: dead-lettered, not stored
    assert links[0].endswith(f"Observations('{observation_id(network.no2.pk, start)}')")
    assert requests.get(links[2], timeout=10).json()["result"] == 25.0
    letter = DeadLetter.objects.get(thing=network.air)
    assert letter.reason == DeadLetterReason.OUT_OF_RANGE
    single = fsc.Observation(
        phenomenon_time=start + dt.timedelta(hours=1),
        result=33.0,
        datastream=fsc.Datastream(id=network.no2.pk),
    )
    service.create(single)
    assert single.id == observation_id(network.no2.pk, start + dt.timedelta(hours=1))
    stored = Observation.objects.filter(datastream=network.no2, phenomenon_time__gte=start)
    assert sorted(stored.values_list("value", flat=True)) == [15.0, 25.0, 33.0]


# --- Visibility ------------------------------------------------------------------------------


def test_what_is_not_public_answers_404(client, network):
    paths = [
        f"Things({network.hidden.pk})",
        f"Datastreams({network.meter_stream.pk})",
        f"Datastreams({network.meter_stream.pk})/Observations",
        f"Datastreams({network.box.pk})",
        f"Locations({network.hidden.pk})",
        f"Observations('{observation_id(network.box.pk, T0)}')",
        "Things(999999)",
        "Unicorns",
    ]
    for path in paths:
        response = client.get(f"{ROOT}/{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == 404
    hidden = client.get(f"{ROOT}/Observations", {"$filter": f"Datastream/id eq {network.box.pk}"})
    assert hidden.json()["value"] == []
    everything = client.get(
        f"{ROOT}/Observations", {"$top": 1000, "$expand": "Datastream($select=id)"}
    ).json()["value"]
    assert len(everything) == 16  # 12 NO2 + 2 PM10 + 2 noise, and nothing else
    assert {item["Datastream"]["@iot.id"] for item in everything} == {
        network.no2.pk,
        stream(network.air, "pm10").pk,
        stream(network.noise, "LAeq").pk,
    }


def test_properties_values_and_references(client, network):
    thing = f"{ROOT}/Things({network.air.pk})"
    assert client.get(f"{thing}/name").json() == {"name": "Device air-1"}
    assert client.get(f"{thing}/name/$value").content.decode() == "Device air-1"
    references = client.get(f"{thing}/Datastreams/$ref").json()["value"]
    assert len(references) == 5 and set(references[0]) == {"@iot.selfLink"}
    location = client.get(f"{thing}/Locations({network.air.pk})").json()
    assert location["encodingType"] == "application/geo+json"
    feature = client.get(
        f"{ROOT}/Observations('{observation_id(network.no2.pk, T0)}')/FeatureOfInterest"
    ).json()
    assert (feature["@iot.id"], feature["feature"]["type"]) == (network.air.pk, "Point")


def test_select_expand_with_nested_options_and_data_arrays(client, network):
    document = client.get(
        f"{ROOT}/Datastreams({network.no2.pk})",
        {
            "$select": "id,name",
            "$expand": "Observations($top=2;$orderby=result desc;$select=result;$count=true),"
            "Thing($select=name)",
        },
    ).json()
    assert set(document) == {
        "@iot.id",
        "name",
        "Observations",
        "Observations@iot.count",
        "Observations@iot.nextLink",
        "Thing",
    }
    assert document["Observations"] == [{"result": 120}, {"result": 110}]
    assert document["Observations@iot.count"] == 12
    following = client.get(document["Observations@iot.nextLink"]).json()["value"]
    assert [item["result"] for item in following] == [100, 90]
    assert document["Thing"] == {"name": "Device air-1"}
    params = {
        "$resultFormat": "dataArray",
        "$select": "phenomenonTime,result",
        "$filter": f"Datastream/Thing/id eq {network.air.pk} and result lt 10",
    }
    arrays = client.get(f"{ROOT}/Observations", params).json()["value"]
    assert arrays == [
        {
            "Datastream@iot.navigationLink": f"http://testserver{ROOT}/Datastreams"
            f"({stream(network.air, 'pm10').pk})",
            "components": ["phenomenonTime", "result"],
            "dataArray@iot.count": 2,
            "dataArray": [["2025-03-01T08:00:00Z", 5], ["2025-03-01T08:10:00Z", 6]],
        }
    ]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("result ge 100 or result eq 10", [10, 100, 110, 120]),
        ("not (result gt 20)", [10, 20]),
        ("result mod 50 eq 0 and result ne 50", [100]),
        ("hour(phenomenonTime) eq 9 and minute(phenomenonTime) le 10", [70, 80]),
        ("startswith(Datastream/name, 'Dioxyde') and result lt 25", [10, 20]),
        ("substringof('air-1', Datastream/Thing/name) and result eq 30", [30]),
        ("resultQuality eq 'good' and phenomenonTime ge 2025-03-01T09:50:00+00:00", [120]),
        ("false or result gt null or id eq 'nonsense' or result eq 30", [30]),
        (f"id eq '{observation_id(999999, T0)}' or length(Datastream/Thing/name) eq 99", []),
        ("round(result div 3) eq 3 and endswith(FeatureOfInterest/name, 'air-1')", [10]),
    ],
)
def test_filter_expressions(client, network, expression, expected):
    response = client.get(
        f"{ROOT}/Datastreams({network.no2.pk})/Observations",
        {"$filter": expression, "$orderby": "result"},
    )
    assert response.status_code == 200, response.json()
    assert [item["result"] for item in response.json()["value"]] == expected


# --- Errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"$filter": "geo.distance(location, geography'POINT(4.8 47)') lt 0.1"}, 501),
        ({"$filter": "st_within(location, geography'POLYGON((4 46,5 46,5 48,4 46))')"}, 501),
        ({"$filter": "name eq"}, 400),
        ({"$filter": "name eq 'unterminated"}, 400),
        ({"$filter": "(name eq 'a'"}, 400),
        ({"$filter": "colour eq 'blue'"}, 400),
        ({"$filter": "frobnicate(name)"}, 400),
        ({"$orderby": "name sideways"}, 400),
        ({"$top": "-1"}, 400),
        ({"$count": "maybe"}, 400),
        ({"$expand": "Unicorns"}, 400),
        ({"$select": "colour"}, 400),
        ({"$frobnicate": "1"}, 400),
    ],
)
def test_invalid_or_unsupported_queries_answer_json_errors(client, network, params, status):
    response = client.get(f"{ROOT}/Locations", params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"]


def _post(client, path: str, body, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        f"{ROOT}/{path}", json.dumps(body), content_type="application/json", **headers
    )


def _data_array(datastream: Datastream) -> list[dict]:
    return [
        {
            "Datastream": {"@iot.id": datastream.pk},
            "components": ["phenomenonTime", "result"],
            "dataArray": [["2025-03-02T00:00:00Z", 12.0]],
        }
    ]


def test_creating_needs_the_device_token_and_its_own_datastreams(client, network):
    observations, letters = Observation.objects.count(), DeadLetter.objects.count()
    body = _data_array(network.no2)
    key = network.air.key
    for token in (None, f"{key}.wrong-secret", "not-a-token"):
        response = _post(client, "CreateObservations", body, token)
        assert response.status_code == 401
        assert "Bearer" in response["WWW-Authenticate"]
    noise_stream = _data_array(stream(network.noise, "LAeq"))
    assert _post(client, "CreateObservations", noise_stream, network.air_token).status_code == 403
    single = {"result": 1.0, "Datastream": {"@iot.id": stream(network.noise, "LAeq").pk}}
    assert _post(client, "Observations", single, network.air_token).status_code == 403
    assert (Observation.objects.count(), DeadLetter.objects.count()) == (observations, letters)
    # The device's own private datastream is writable (and stays unreadable).
    response = _post(client, "CreateObservations", _data_array(network.box), network.air_token)
    assert response.status_code == 201
    assert client.get(response.json()[0]).status_code == 404


def test_a_malformed_creation_is_refused_whole_or_per_row(client, network):
    token = network.air_token
    assert _post(client, "CreateObservations", {"not": "a list"}, token).status_code == 400
    rows = _data_array(network.no2)
    rows[0]["dataArray"] += [["2025-03-02T00:10:00Z"], ["2025-03-02T00:20:00Z", "plate AB-123"]]
    response = _post(client, "CreateObservations", rows, token)
    assert response.status_code == 201
    created, short, text = response.json()
    assert created.startswith("http://testserver/sta/v1.1/Observations('")
    assert (short, text) == ("error", "error")
    assert DeadLetter.objects.get(thing=network.air).reason == DeadLetterReason.MALFORMED
    missing = {"phenomenonTime": "2025-03-02T01:00:00Z", "Datastream": {"@iot.id": 1}}
    assert _post(client, "Observations", missing, token).status_code == 400


# --- Query counts ------------------------------------------------------------------------


def test_an_expanded_list_costs_the_same_for_any_number_of_things(
    client, network, register_device, django_assert_max_num_queries
):
    for index in range(6):
        _thing, token = register_device(f"air-{index + 10}")
        ingest(token, "no2", [1, 2, 3])
    params = {
        "$expand": "Datastreams($expand=Observations($top=2),ObservedProperty),Locations",
        "$count": "true",
    }
    # Things, their count, datastreams, their time ranges, observations (two queries on
    # PostgreSQL), observed properties, locations, and the savepoint of the read transaction:
    # 10 at most, whatever the number of rows.
    with django_assert_max_num_queries(10):
        response = client.get(f"{ROOT}/Things", params)
    things = response.json()["value"]
    assert response.json()["@iot.count"] == len(things) == 9
    assert all(len(ds["Observations"]) <= 2 for thing in things for ds in thing["Datastreams"])
