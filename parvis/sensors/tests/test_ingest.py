"""Ingestion: what a device sends ends stored once, or in the dead-letter store with its reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from parvis.sensors.choices import DeadLetterReason, DeadLetterStatus, DeviceKind, Quality
from parvis.sensors.ingest import Message, messages_ingest, pseudonym_key_rotate
from parvis.sensors.models import (
    Datastream,
    DeadLetter,
    MeterReading,
    Observation,
    Rollup,
    Thing,
)
from parvis.sensors.selectors import series, thing_health
from parvis.sensors.services import (
    datastream_create,
    dead_letter_replay,
    observations_purge_expired,
    thing_credential_reset,
    thing_register,
)

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
T = T0.timestamp()
TOMORROW = (T0 + dt.timedelta(days=1)).timestamp()
R = DeadLetterReason


def register(territory, key, kind=DeviceKind.AIR_QUALITY, **extra):
    return thing_register(
        territory=territory,
        key=key,
        kind=kind,
        name=f"Device {key}",
        latitude=47.0,
        longitude=4.8,
        operator="Ville",
        purpose="Mesurer",
        **extra,
    )


def send(token, pack, *, topic=None, received_at=T0 + dt.timedelta(hours=2), **kwargs):
    key = token.partition(".")[0]
    message = Message(
        channel="mqtt",
        payload=json.dumps(pack) if not isinstance(pack, str | bytes) else pack,
        topic=topic or f"parvis/devices/{key}/senml",
        token=token,
        received_at=received_at,
    )
    return messages_ingest(messages=[message], **kwargs)


def no2_pack(values, start=T0, step=600, device="air-1"):
    return [{"bn": f"urn:dev:{device}:", "bt": start.timestamp(), "bu": "ug/m3"}] + [
        {"n": "no2", "t": i * step, "v": value} for i, value in enumerate(values)
    ]


@pytest.fixture
def station(commune_a):
    return register(commune_a, "air-1")


def stream(thing, code):
    return Datastream.objects.get(thing=thing, senml_name=code)


def test_a_pack_is_stored_with_rollups_and_latest_value(station):
    thing, token = station
    result = send(token, no2_pack([10, 20, 30, 40, 50, 60, 70]))
    assert (result.stored, result.dead_letters) == (7, [])
    no2 = stream(thing, "no2")
    assert Observation.objects.filter(datastream=no2).count() == 7
    hour = Rollup.objects.get(datastream=no2, resolution="hour", bucket=T0)
    assert (hour.count, hour.sum, hour.min, hour.max) == (6, 210, 10, 60)
    day = Rollup.objects.get(datastream=no2, resolution="day")
    assert (day.count, day.sum) == (7, 280)
    no2.refresh_from_db()
    assert (no2.latest_value, no2.latest_time) == (70, T0 + dt.timedelta(hours=1))
    thing.refresh_from_db()
    assert thing.last_seen_at is not None


def test_redelivery_stores_nothing_twice_and_leaves_rollups_alone(station):
    thing, token = station
    pack = no2_pack([10, 20, 30])
    send(token, pack)
    again = send(token, pack)
    assert (again.stored, again.duplicates) == (0, 3)
    hour = Rollup.objects.get(datastream=stream(thing, "no2"), resolution="hour", bucket=T0)
    assert (hour.count, hour.sum) == (3, 60)


def test_a_pack_overlapping_stored_rows_adds_only_the_new_ones(station):
    """A gateway resending its buffer: some rows are stored already, some are new (on
    PostgreSQL the fast copy is refused by the unique index and the careful way takes over)."""
    thing, token = station
    send(token, no2_pack([10, 20]))
    again = send(token, no2_pack([10, 20, 30, 40]))
    assert (again.stored, again.duplicates) == (2, 2)
    no2 = stream(thing, "no2")
    stored = Observation.objects.filter(datastream=no2).values_list("value", flat=True)
    assert sorted(stored) == [10, 20, 30, 40]
    hour = Rollup.objects.get(datastream=no2, resolution="hour", bucket=T0)
    assert (hour.count, hour.sum, hour.min, hour.max) == (4, 100, 10, 40)
    no2.refresh_from_db()
    assert no2.latest_value == 40


def test_a_late_record_does_not_move_the_latest_value_back(station):
    thing, token = station
    send(token, no2_pack([42], start=T0 + dt.timedelta(hours=1)))
    send(token, no2_pack([7], start=T0))
    no2 = stream(thing, "no2")
    no2.refresh_from_db()
    assert no2.latest_value == 42
    assert Observation.objects.filter(datastream=no2).count() == 2


@pytest.mark.parametrize(
    ("pack", "reason"),
    [
        ("{not json", R.MALFORMED),
        ([{"n": "no2"}], R.MALFORMED),
        ([{"n": "no2", "v": "12"}], R.MALFORMED),
        ([{"n": "no2", "v": None}], R.MALFORMED),  # null values, found by the fuzz test
        ([{"n": "no2", "v": 4, "t": None}], R.MALFORMED),
        ([{"bt": None}, {"n": "no2", "v": 4}], R.MALFORMED),
        (
            [{"n": "co2", "u": "ppm", "v": 400, "t": T}],
            R.UNKNOWN_DATASTREAM,
        ),
        (
            [{"n": "no2", "u": "furlong", "v": 4, "t": T}],
            R.UNKNOWN_UNIT,
        ),
        ([{"n": "no2", "u": "Cel", "v": 4, "t": T}], R.UNIT_MISMATCH),
        (
            [{"n": "no2", "v": 4, "t": TOMORROW}],
            R.FUTURE_TIME,
        ),
        ([{"n": "no2", "v": -3, "t": T}], R.OUT_OF_RANGE),
        ([{"n": "no2", "v": 5000, "t": T}], R.OUT_OF_RANGE),
    ],
)
def test_invalid_input_goes_to_the_dead_letter_store_with_its_reason(station, pack, reason):
    thing, token = station
    result = send(token, pack)
    assert result.stored == 0
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.thing, letter.territory) == (reason, thing, thing.territory)
    assert letter.payload and letter.detail
    assert letter.status == DeadLetterStatus.PENDING


def test_good_records_of_a_pack_are_stored_beside_a_bad_one(station):
    _thing, token = station
    pack = [*no2_pack([10, 20]), {"n": "pm10", "u": "furlong", "v": 3}]
    result = send(token, pack)
    assert result.stored == 2
    assert [letter.record_index for letter in result.dead_letters] == [3]


def test_unknown_device_and_bad_credential_store_nothing(station):
    _thing, token = station
    send(token.partition(".")[0] + ".wrong", no2_pack([10]))
    send("ghost.secret", no2_pack([10]))
    assert Observation.objects.count() == 0
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        DeadLetterReason.BAD_CREDENTIAL,
        DeadLetterReason.UNKNOWN_DEVICE,
    ]
    unknown = DeadLetter.objects.get(reason=DeadLetterReason.UNKNOWN_DEVICE)
    assert unknown.territory is None and unknown.device_key == "ghost"


def test_a_plausible_but_unusual_value_is_stored_flagged(station):
    _thing, token = station
    send(token, no2_pack([450]))
    observation = Observation.objects.get()
    assert observation.quality == Quality.SUSPECT


def test_units_are_converted_to_the_datastream_unit(commune_a):
    _thing, token = register(commune_a, "eau-1", kind=DeviceKind.WATER)
    result = send(token, [{"n": "waterFlow", "u": "l/s", "v": 10, "t": T0.timestamp()}])
    assert result.stored == 1
    assert Observation.objects.get().value == pytest.approx(36.0)  # m3/h


def test_relative_times_are_relative_to_reception(station):
    _thing, token = station
    send(token, [{"n": "no2", "v": 12, "t": -60}], received_at=T0)
    assert Observation.objects.get().phenomenon_time == T0 - dt.timedelta(seconds=60)


def test_a_camera_counter_image_is_refused_and_not_kept(commune_a):
    _thing, token = register(commune_a, "trafic-1", kind=DeviceKind.TRAFFIC)
    image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    result = send(
        token,
        [
            {"n": "intensity", "v": 420, "t": T0.timestamp()},
            {"n": "snapshot", "vd": image, "t": T0.timestamp()},
        ],
    )
    assert result.stored == 1
    letter = DeadLetter.objects.get()
    assert letter.reason == DeadLetterReason.PRIVACY_REFUSED and letter.redacted
    assert image not in letter.payload and "[removed]" in letter.payload


def test_a_parking_sensor_never_stores_a_plate(commune_a):
    _thing, token = register(commune_a, "parking-1", kind=DeviceKind.PARKING)
    send(
        token,
        [
            {"n": "occupiedSpots", "v": 57, "t": T0.timestamp()},
            {"n": "occupiedSpots", "vs": "AB-123-CD", "t": T0.timestamp() + 60},
        ],
    )
    assert Observation.objects.get().value == 57
    assert DeadLetter.objects.get().reason == DeadLetterReason.PRIVACY_REFUSED
    assert "AB-123-CD" not in _database_dump()


def _database_dump() -> str:
    """Every text of the sensors tables, to prove something is stored nowhere."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("sensors_"):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                dump.extend(str(row) for row in cursor.fetchall())
    return "\n".join(dump)


def meter_pack(meters, start=T0, value=0.012):
    return [
        {
            "bn": f"urn:dev:meter:FR-{meter}:",
            "n": "waterConsumption",
            "u": "m3",
            "v": value,
            "t": start.timestamp(),
        }
        for meter in meters
    ]


def test_individual_meters_are_stored_under_pseudonyms_only(commune_a):
    thing, token = register(commune_a, "releve-1", kind=DeviceKind.WATER, meter_gateway=True)
    result = send(token, meter_pack(range(1000, 1012)))
    assert result.stored == 12
    assert MeterReading.objects.count() == 12 and Observation.objects.count() == 0
    assert "FR-1000" not in _database_dump()
    flow = stream(thing, "waterConsumption")
    hour = Rollup.objects.get(datastream=flow, resolution="hour")
    assert (hour.count, hour.subjects) == (12, 12)
    assert hour.sum == pytest.approx(12 * 0.012)
    # Redelivery changes nothing.
    assert send(token, meter_pack(range(1000, 1012))).stored == 0


def test_meter_aggregates_are_published_only_from_ten_meters(commune_a):
    thing, token = register(commune_a, "releve-1", kind=DeviceKind.WATER, meter_gateway=True)
    send(token, meter_pack(range(9)))
    send(token, meter_pack(range(12), start=T0 + dt.timedelta(hours=1)))
    flow = stream(thing, "waterConsumption")
    points = series(datastream=flow, start=T0, end=T0 + dt.timedelta(hours=3), resolution="hour")
    assert [point.time for point in points] == [T0 + dt.timedelta(hours=1)]
    assert series(datastream=flow, start=T0, end=T0 + dt.timedelta(days=1), resolution="raw") == []


def test_rotating_the_key_makes_periods_unlinkable(commune_a):
    thing, token = register(commune_a, "releve-1", kind=DeviceKind.WATER, meter_gateway=True)
    send(token, meter_pack([1]))
    pseudonym_key_rotate(datastream=stream(thing, "waterConsumption"))
    send(token, meter_pack([1], start=T0 + dt.timedelta(hours=1)))
    first, second = MeterReading.objects.order_by("phenomenon_time")
    assert first.pseudonym != second.pseudonym
    assert (first.key_version, second.key_version) == (1, 2)


def test_a_dead_letter_is_replayed_once_its_cause_is_fixed(station, make_staff, commune_a):
    thing, token = station
    send(token, [{"n": "noise", "u": "dB", "v": 54, "t": T0.timestamp()}])
    letter = DeadLetter.objects.get()
    officer = make_staff(commune_a)
    still = dead_letter_replay(letter=letter, actor=officer)
    letter.refresh_from_db()
    assert still.stored == 0 and letter.status == DeadLetterStatus.PENDING and letter.attempts == 1
    assert DeadLetter.objects.count() == 1  # a failed replay creates no new letter

    no2 = stream(thing, "no2")
    datastream_create(
        thing=thing,
        sensor=no2.sensor,
        observed_property=no2.observed_property,
        name="Bruit",
        senml_name="noise",
        unit="dB",
        unit_symbol="dB",
        unit_name="decibel",
    )
    result = dead_letter_replay(letter=letter, actor=officer)
    letter.refresh_from_db()
    assert result.stored == 1 and letter.status == DeadLetterStatus.REPLAYED
    assert Observation.objects.get(datastream__senml_name="noise").value == 54


def test_raw_observations_are_purged_after_retention_but_rollups_stay(station):
    _thing, token = station
    now = timezone.now()
    old = now - dt.timedelta(days=6 * 365)
    send(token, no2_pack([10], start=old), received_at=now)
    send(token, no2_pack([20], start=now - dt.timedelta(days=1)), received_at=now)
    assert observations_purge_expired(now=now) == 1
    assert list(Observation.objects.values_list("value", flat=True)) == [20]
    assert Rollup.objects.filter(resolution="day").count() == 2


def test_the_latest_values_of_a_territory_are_one_light_read(station, django_assert_num_queries):
    thing, token = station
    send(token, no2_pack([10, 20, 30]))
    from parvis.sensors.selectors import datastream_latest_values

    with django_assert_num_queries(1):
        rows = datastream_latest_values(territory_ids=[thing.territory_id], public=True)
    no2 = next(row for row in rows if row.property_code == "no2")
    assert (no2.value, no2.time, no2.thing_key) == (30, T0 + dt.timedelta(minutes=20), "air-1")
    assert len(rows) == 5


def test_the_time_a_device_was_last_heard_moves_without_a_write_per_batch(station):
    thing, token = station
    send(token, no2_pack([10]))
    thing.refresh_from_db()
    first = thing.last_seen_at
    send(token, no2_pack([11], start=T0 + dt.timedelta(minutes=1)))
    thing.refresh_from_db()
    assert thing.last_seen_at == first, "heard again within seconds: the row is left alone"
    Thing.objects.filter(pk=thing.pk).update(last_seen_at=first - dt.timedelta(minutes=1))
    send(token, no2_pack([12], start=T0 + dt.timedelta(minutes=2)))
    thing.refresh_from_db()
    assert thing.last_seen_at > first, "heard a minute later: the time moves"
    assert thing_health(thing) == "online"


def test_a_long_running_consumer_skips_the_write_for_devices_it_just_marked(
    station, django_capture_on_commit_callbacks
):
    """The consumer's device directory remembers when it last wrote a device's time (once
    the batch committed)."""
    from django.test.utils import CaptureQueriesContext

    from parvis.sensors.ingest import DeviceDirectory

    thing, token = station
    directory = DeviceDirectory(ttl=30.0)
    with django_capture_on_commit_callbacks(execute=True):
        send(token, no2_pack([10]), directory=directory)
    with CaptureQueriesContext(connection) as queries:
        result = send(
            token, no2_pack([11], start=T0 + dt.timedelta(minutes=1)), directory=directory
        )
    assert result.stored == 1
    assert not [q for q in queries if "sensors_thing" in q["sql"] and "UPDATE" in q["sql"]]
    thing.refresh_from_db()
    assert thing.last_seen_at is not None


def test_a_batch_reads_its_devices_in_one_query_and_a_reset_credential_stops_at_reload(
    station, commune_a
):
    """The consumer's directory loads the devices of a batch at once and remembers a checked
    credential until it reloads the device: a reset credential stops within the TTL."""
    from django.test.utils import CaptureQueriesContext

    from parvis.sensors.ingest import DeviceDirectory

    thing, token = station
    _other, other_token = register(commune_a, "air-2")
    directory = DeviceDirectory(ttl=30.0)
    messages = [
        Message(channel="mqtt", payload=json.dumps(pack), topic=f"parvis/devices/{key}/senml",
                token=device_token, received_at=T0 + dt.timedelta(hours=2))
        for key, device_token, pack in [
            ("air-1", token, no2_pack([10])), ("air-2", other_token, no2_pack([12], device="air-2"))
        ]
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert messages_ingest(messages=messages, directory=directory).stored == 2
    assert len([q for q in queries if 'FROM "sensors_thing"' in q["sql"]]) == 1

    thing_credential_reset(thing=thing, actor=None)
    later = no2_pack([11], start=T0 + dt.timedelta(minutes=1))
    assert send(token, later, directory=directory).stored == 1  # the cached device
    directory.clear()
    result = send(token, no2_pack([13], start=T0 + dt.timedelta(minutes=2)), directory=directory)
    assert result.stored == 0
    assert result.dead_letters[0].reason == R.BAD_CREDENTIAL


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="deferred rollups are a PostgreSQL path (CI runs the suite on PostgreSQL too)",
)


def _rollups(thing):
    return sorted(
        Rollup.objects.filter(datastream__thing=thing).values_list(
            "resolution", "bucket", "count", "sum", "min", "max"
        )
    )


@postgres_only
def test_deferred_rollups_merge_into_what_the_immediate_way_makes(commune_a):
    """The consumer's way (rows pending, merged in SQL) and the immediate way (aggregated in
    Python) give the same rollups and latest value, across hours and a local midnight on the
    night clocks change, and a redelivered message adds nothing."""
    from parvis.sensors import store

    immediate, immediate_token = register(commune_a, "air-i")
    deferred, deferred_token = register(commune_a, "air-d")
    start = dt.datetime(2026, 3, 28, 21, 50, tzinfo=dt.UTC)  # 22:50 in Paris, summer time at 1:00
    batches = [[12.5, 40, 7], [3, 95.25, 41, 8], [60, 2]]
    received = dt.datetime(2026, 3, 30, tzinfo=dt.UTC)
    for index, values in enumerate(batches):
        at = start + dt.timedelta(hours=index * 1.5)
        send(
            immediate_token,
            no2_pack(values, start=at, step=1200, device="air-i"),
            received_at=received,
        )
        result = send(
            deferred_token,
            no2_pack(values, start=at, step=1200, device="air-d"),
            received_at=received,
            defer_rollups=True,
        )
        assert result.stored == len(values)
    no2 = stream(deferred, "no2")
    assert _rollups(deferred) == [] and no2.latest_value is None  # pending until the merge

    assert store.rollups_merge() == sum(map(len, batches))
    assert _rollups(deferred) == _rollups(immediate)
    assert {row[0] for row in _rollups(deferred)} == {"hour", "day"}
    assert len([row for row in _rollups(deferred) if row[0] == "day"]) == 2  # 28th and 29th
    no2.refresh_from_db()
    reference = stream(immediate, "no2")
    assert (no2.latest_time, no2.latest_value) == (reference.latest_time, reference.latest_value)

    first = no2_pack(batches[0], start=start, step=1200, device="air-d")
    again = send(deferred_token, first, received_at=received, defer_rollups=True)
    assert (again.stored, again.duplicates) == (0, 3)
    assert store.rollups_merge() == 0
    assert _rollups(deferred) == _rollups(immediate)


@postgres_only
def test_pending_rows_of_a_deleted_datastream_do_not_block_the_merge(station):
    from parvis.sensors import store

    thing, token = station
    send(token, no2_pack([10, 20]), defer_rollups=True)
    stream(thing, "no2").delete()
    assert store.rollups_merge() == 2
    assert Rollup.objects.count() == 0
