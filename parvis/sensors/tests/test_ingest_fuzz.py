"""Fuzzing packs: whatever a device sends ends stored or in the dead-letter store, never lost,
and ingestion never raises (the consumer would die)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parvis.sensors.choices import DeviceKind
from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.models import DeadLetter, Observation
from parvis.sensors.services import thing_register

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
names = st.sampled_from(["no2", "pm10", "o3", "temperature", "co2", "", "air:no2", "x/pm10"])
units = st.sampled_from(["ug/m3", "Cel", "", "ppm", "mg/m3", "%RH"])
times = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=NOW.timestamp() - 1e7, max_value=NOW.timestamp() + 1e6),
    st.integers(min_value=-(2**63), max_value=2**63),
)
records = st.fixed_dictionaries(
    {},
    optional={
        "bn": st.one_of(st.just("air-fuzz:"), st.text(max_size=8), scalars),
        "bt": st.one_of(times, scalars),
        "bu": st.one_of(units, scalars),
        "bv": st.one_of(st.floats(-100, 100), scalars),
        "n": st.one_of(names, scalars),
        "u": st.one_of(units, scalars),
        "t": st.one_of(times, scalars),
        "v": st.one_of(st.floats(-10, 600), scalars),
        "vs": st.one_of(st.text(max_size=10), scalars),
        "vb": scalars,
        "vd": st.text(max_size=10),
        "s": scalars,
        "bver": st.one_of(st.integers(0, 20), scalars),
        "zz": scalars,
    },
)
payloads = st.one_of(
    st.lists(records, max_size=8).map(json.dumps),
    records.map(json.dumps),
    st.binary(max_size=64),
    st.text(max_size=64),
    st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)).map(
        json.dumps
    ),
)


@pytest.fixture
def station(commune_a):
    return thing_register(
        territory=commune_a,
        key="air-fuzz",
        kind=DeviceKind.AIR_QUALITY,
        name="Station",
        latitude=47.0,
        longitude=4.8,
        operator="Ville",
        purpose="Mesurer",
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads)
def test_every_pack_ends_stored_or_dead_lettered(station, payload):
    _thing, token = station
    observations, letters = Observation.objects.count(), DeadLetter.objects.count()
    message = Message(
        channel="mqtt",
        payload=payload,
        topic="parvis/devices/air-fuzz/senml",
        token=token,
        received_at=NOW,
    )
    result = messages_ingest(messages=[message])
    assert Observation.objects.count() == observations + result.stored
    assert DeadLetter.objects.count() == letters + len(result.dead_letters)
    # Nothing vanishes: a message either stored something, repeated what was stored, or left
    # a dead letter explaining what was refused.
    assert result.stored or result.duplicates or result.dead_letters
