"""What the SensorThings API shows: the public part of the sensors registry, and nothing else.

The API is anonymous, so every entity set starts from these querysets: public active devices of
active territories, their public active datastreams except individual-meter flows (whose raw
readings never leave the platform, see `PrivacyClass.PERSONAL_METER`), the observations of
those datastreams, and the sensors and observed properties they use. The same rules as
`parvis.sensors.selectors.datastream_list_latest(public=True)`, written as subqueries so that
a navigation or an expansion never escapes them.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from parvis.sensors.choices import PrivacyClass
from parvis.sensors.models import Datastream, Observation, ObservedProperty, Sensor, Thing
from parvis.territories.selectors import territory_list_public


def _public_territories() -> QuerySet:
    return territory_list_public().order_by().values("pk")


def sta_thing_queryset() -> QuerySet[Thing]:
    """Devices shown to the public: public, active, in a territory the platform serves."""
    return Thing.objects.public().filter(territory_id__in=_public_territories())


def sta_datastream_queryset() -> QuerySet[Datastream]:
    """Public active datastreams of public devices; individual-meter flows are never listed."""
    return (
        Datastream.objects.filter(
            is_public=True,
            is_active=True,
            thing__is_public=True,
            thing__is_active=True,
            territory_id__in=_public_territories(),
        )
        .exclude(privacy_class=PrivacyClass.PERSONAL_METER)
        .select_related("thing")
    )


def sta_observation_queryset() -> QuerySet[Observation]:
    """Raw observations of the public datastreams (meter readings are another table, unseen)."""
    return Observation.objects.filter(
        datastream_id__in=sta_datastream_queryset().order_by().values("pk")
    )


def sta_sensor_queryset() -> QuerySet[Sensor]:
    """Instrument models used by at least one public datastream."""
    return Sensor.objects.filter(pk__in=sta_datastream_queryset().order_by().values("sensor_id"))


def sta_observed_property_queryset() -> QuerySet[ObservedProperty]:
    """Phenomena observed by at least one public datastream."""
    return ObservedProperty.objects.filter(
        pk__in=sta_datastream_queryset().order_by().values("observed_property_id")
    )


def sta_datastream_time_ranges(*, datastream_ids: list[int]) -> dict[int, tuple]:
    """First and last observation time of each datastream, in one query.

    Two LIMIT 1 subqueries per datastream, each one probe of the (datastream, time) key: a
    grouped MIN/MAX would read whole series.
    """
    series = Observation.objects.filter(datastream_id=OuterRef("pk")).values("phenomenon_time")
    rows = (
        Datastream.objects.filter(pk__in=datastream_ids)
        .annotate(
            first=Subquery(series.order_by("phenomenon_time")[:1]),
            last=Subquery(series.order_by("-phenomenon_time")[:1]),
        )
        .order_by()
        .values_list("pk", "first", "last")
    )
    return {pk: (first, last) for pk, first, last in rows}


def sta_thing_ids_of_datastreams(*, datastream_ids: list[int]) -> dict[int, int]:
    """The device of each datastream (an observation's feature of interest is its device's)."""
    pairs = Datastream.objects.filter(pk__in=datastream_ids).values_list("pk", "thing_id")
    return dict(pairs)


def sta_device_for_token(*, token: str) -> Thing | None:
    """The device a `<key>.<secret>` token belongs to, or None (unknown key or wrong secret)."""
    key, _, secret = token.partition(".")
    if not key or not secret:
        return None
    thing = Thing.objects.filter(key=key).first()
    return thing if thing is not None and thing.check_secret(secret) else None


def sta_observation_get(*, datastream_id: int, time) -> Observation | None:
    """A stored observation by its key, whatever its datastream's visibility (its device asks)."""
    return Observation.objects.filter(datastream_id=datastream_id, phenomenon_time=time).first()
