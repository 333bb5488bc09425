"""Reads of the sensors domain, scoped by territory and visibility.

Series are served at three resolutions: raw observations, hourly and daily rollups (mean, min,
max, count). Individual meter flows never expose raw readings: only rollups of at least
MIN_METERS_PUBLISHED distinct meters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from parvis.sensors import store
from parvis.sensors.choices import MIN_METERS_PUBLISHED, DeadLetterStatus, Resolution
from parvis.sensors.models import Datastream, DeadLetter, Observation, Rollup, Thing

# A device is online when heard within this many sampling intervals, stale within a day.
ONLINE_INTERVALS = 3
SILENT_AFTER = dt.timedelta(hours=24)
MAX_SERIES_POINTS = 10_000


class Health:
    ONLINE = "online"
    STALE = "stale"
    SILENT = "silent"


def thing_health(thing: Thing, *, now: dt.datetime | None = None) -> str:
    """online: heard within 3 sampling intervals; stale: within a day; silent otherwise."""
    now = now or timezone.now()
    if thing.last_seen_at is None or now - thing.last_seen_at > SILENT_AFTER:
        return Health.SILENT
    intervals = [stream.sampling_interval for stream in thing.datastreams.all()] or [600]
    online = dt.timedelta(seconds=ONLINE_INTERVALS * min(intervals))
    return Health.ONLINE if now - thing.last_seen_at <= online else Health.STALE


def thing_list(*, territory_ids, public: bool) -> QuerySet[Thing]:
    """Devices of the territories with their datastreams; only public ones when `public`."""
    things = Thing.objects.for_territories(territory_ids)
    streams = Datastream.objects.select_related("observed_property").order_by("name")
    if public:
        things = things.public()
        streams = streams.filter(is_public=True, is_active=True)
    return things.prefetch_related(Prefetch("datastreams", queryset=streams)).order_by("name")


def thing_list_with_health(*, territory_ids) -> list[Thing]:
    now = timezone.now()
    things = list(thing_list(territory_ids=territory_ids, public=False))
    for thing in things:
        thing.health = thing_health(thing, now=now)
    return things


def health_summary(things: list[Thing]) -> dict[str, int]:
    summary = {Health.ONLINE: 0, Health.STALE: 0, Health.SILENT: 0}
    for thing in things:
        summary[thing.health] += 1
    return summary


def datastream_list_latest(*, territory_ids, public: bool) -> QuerySet[Datastream]:
    """Latest value of every datastream of the territories (kept by ingestion: one read)."""
    streams = Datastream.objects.for_territories(territory_ids).select_related(
        "thing", "observed_property"
    )
    if public:
        streams = streams.filter(
            is_public=True, is_active=True, thing__is_public=True, thing__is_active=True
        ).exclude(privacy_class="personal_meter")
    return streams.order_by("thing__name", "name")


def datastream_get(*, territory_ids, pk: int, public: bool) -> Datastream:
    """A datastream, 404 (DoesNotExist) when outside the territories or not public."""
    return datastream_list_latest(territory_ids=territory_ids, public=public).get(pk=pk)


@dataclass(frozen=True, slots=True)
class LatestValue:
    """The latest value of a datastream with what a map or a table shows of it."""

    datastream_id: int
    name: str
    unit_symbol: str
    time: dt.datetime | None
    value: float | None
    thing_key: str
    thing_name: str
    latitude: float
    longitude: float
    property_code: str


def datastream_latest_values(*, territory_ids, public: bool) -> list[LatestValue]:
    """Latest values of every datastream of the territories as light rows (one indexed read).

    For maps and feeds of a whole territory: no model instances (10,000 datastreams stay
    well under 100 ms, see bench/queries).
    """
    rows = datastream_list_latest(territory_ids=territory_ids, public=public).values_list(
        "pk", "name", "unit_symbol", "latest_time", "latest_value", "thing__key",
        "thing__name", "thing__latitude", "thing__longitude", "observed_property__code",
    )  # fmt: skip
    return [LatestValue(*row) for row in store.rows_fast(rows)]


@dataclass(frozen=True)
class Point:
    """One point of a series: time, value (mean over the bucket for rollups), min, max, count."""

    time: dt.datetime
    value: float
    min: float | None = None
    max: float | None = None
    count: int = 1
    suspect: bool = False


def series(
    *,
    datastream: Datastream,
    start: dt.datetime,
    end: dt.datetime,
    resolution: str = Resolution.HOUR,
    limit: int = MAX_SERIES_POINTS,
) -> list[Point]:
    """Values of a datastream in [start, end) at the resolution asked, oldest first.

    Personal meter flows have no raw series, and their buckets with fewer than
    MIN_METERS_PUBLISHED meters are left out.
    """
    if resolution == Resolution.RAW:
        if datastream.is_personal:
            return []
        rows = (
            Observation.objects.filter(
                datastream_id=datastream.pk, phenomenon_time__gte=start, phenomenon_time__lt=end
            )
            .order_by("phenomenon_time")
            .values_list("phenomenon_time", "value", "quality")[:limit]
        )
        return [
            Point(time, value, suspect=bool(quality))
            for time, value, quality in store.rows_fast(rows)
        ]
    rollups = Rollup.objects.filter(
        datastream_id=datastream.pk, resolution=resolution, bucket__gte=start, bucket__lt=end
    )
    if datastream.is_personal:
        rollups = rollups.filter(subjects__gte=MIN_METERS_PUBLISHED)
    rows = rollups.order_by("bucket").values_list("bucket", "count", "sum", "min", "max")[:limit]
    return [
        Point(bucket, total / count, low, high, count)
        for bucket, count, total, low, high in store.rows_fast(rows)
    ]


def dead_letter_list(*, territory_ids, status: str = DeadLetterStatus.PENDING) -> QuerySet:
    """Dead letters of the territories, and those of unknown devices for platform operators.

    Letters without a territory (an unknown device) are shown only when `territory_ids` is None.
    """
    letters = DeadLetter.objects.select_related("thing")
    if territory_ids is not None:
        letters = letters.filter(territory_id__in=list(territory_ids))
    else:
        letters = letters.filter(Q(territory__isnull=True) | Q(territory__isnull=False))
    if status:
        letters = letters.filter(status=status)
    return letters.order_by("-created_at")


def dead_letter_list_for_staff(
    *, territory_ids, status: str = DeadLetterStatus.PENDING, reason: str = ""
) -> QuerySet[DeadLetter]:
    """The dead-letter screen: letters of the territories by status, optionally one reason."""
    letters = dead_letter_list(territory_ids=territory_ids, status=status)
    return letters.filter(reason=reason) if reason else letters


@dataclass(frozen=True)
class AirQualityLevel:
    """A band of the air quality index: its rank (1 best .. 6 worst) and its plain name."""

    rank: int
    slug: str
    label: str


# Bands of the European Air Quality Index (EEA, 2021), which France's ATMO index adopted the
# same year (arrêté du 10 juillet 2020): upper bounds in µg/m³ of the 6 levels per pollutant.
# The official indices use daily means for particles and hourly values for NO2 and O3; applied
# to a station's latest value they give an indicative level, which is how the pages present it.
AIR_QUALITY_BANDS = {
    "no2": (40, 90, 120, 230, 340),
    "pm10": (20, 40, 50, 100, 150),
    "pm25": (10, 20, 25, 50, 75),
    "o3": (50, 100, 130, 240, 380),
}


def _air_quality_levels():
    from django.utils.translation import gettext_lazy as _

    return (
        AirQualityLevel(1, "good", _("good")),
        AirQualityLevel(2, "fair", _("fair")),
        AirQualityLevel(3, "moderate", _("moderate")),
        AirQualityLevel(4, "poor", _("poor")),
        AirQualityLevel(5, "very-poor", _("very poor")),
        AirQualityLevel(6, "extremely-poor", _("extremely poor")),
    )


def air_quality_level(*, code: str, value: float | None) -> AirQualityLevel | None:
    """The index level of a pollutant concentration (µg/m³), None for other properties."""
    bands = AIR_QUALITY_BANDS.get(code)
    if bands is None or value is None:
        return None
    rank = next((index for index, bound in enumerate(bands) if value <= bound), len(bands))
    return _air_quality_levels()[rank]
