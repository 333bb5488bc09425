"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.conf import settings

from parvis.accounts.choices import Role
from parvis.testing.factories import (
    DepartmentFactory,
    DistrictFactory,
    EPCIFactory,
    TerritoryFactory,
    UserFactory,
    square,
    staff_user,
)
from parvis.testing.services import require_tcp


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    from parvis.sensors import ingest, store

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    # Process-wide caches of sensors ingestion would outlive each test's rolled-back data.
    ingest.pseudonym_cache_clear()
    store.partitions_forget()


@pytest.fixture
def epci(db):
    return EPCIFactory(name="Communauté du Val", slug="val")


@pytest.fixture
def commune_a(epci):
    """Commune A, member of the EPCI, with one district (a 0.01° square) and a department."""
    commune = TerritoryFactory(name="Commune A", slug="commune-a", parent=epci)
    DistrictFactory(territory=commune, name="Centre", code="centre", area=square(4.80, 47.00))
    DepartmentFactory(territory=commune, name="Voirie", code="voirie")
    return commune


@pytest.fixture
def commune_b(epci):
    """Commune B, member of the same EPCI, elsewhere on the map."""
    commune = TerritoryFactory(name="Commune B", slug="commune-b", parent=epci)
    DistrictFactory(territory=commune, name="Bourg", code="bourg", area=square(4.90, 47.00))
    DepartmentFactory(territory=commune, name="Voirie B", code="voirie")
    return commune


@pytest.fixture
def resident(db):
    return UserFactory()


@pytest.fixture
def make_staff(db):
    def make(territory, role=Role.AGENT, mfa=True):
        return staff_user(territory=territory, role=role, mfa=mfa)

    return make


@pytest.fixture
def mqtt_broker():
    """The real Mosquitto broker (host, port)."""
    host, port = settings.PARVIS_MQTT_HOST, settings.PARVIS_MQTT_PORT
    require_tcp("Mosquitto", host, port)
    return host, port
