"""Fixtures of the sensors tests: devices registered through the registry's services."""

from __future__ import annotations

import uuid

import pytest

from parvis.sensors.choices import DeviceKind
from parvis.sensors.services import thing_register


@pytest.fixture
def register_device(commune_a):
    """Register a catalogued device (commune A by default); returns (thing, its token).

    `register_device("air-1")` is a public air quality station with its five datastreams;
    any argument of `thing_register` can be changed (`territory`, `is_public`, `meter_gateway`).
    """

    def register(key: str, kind: str = DeviceKind.AIR_QUALITY, **fields):
        values = {
            "territory": commune_a,
            "name": f"Device {key}",
            "latitude": 47.0,
            "longitude": 4.8,
            "operator": "Ville",
            "purpose": "Mesurer",
            **fields,
        }
        return thing_register(key=key, kind=kind, **values)

    return register


@pytest.fixture
def air_station(register_device):
    """An air quality station with a key of its own (the broker is shared by every test run on
    the machine), and its token."""
    return register_device(f"air-{uuid.uuid4().hex[:6]}")
