"""Public pages of the sensors: the live map, the sensor register, a device and its series.

Every page works without JavaScript: the map has its tables, each chart its table twin, and
the datasets behind them (GeoJSON, CSV) are one link away.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parvis.core.caching import public_page_cache
from parvis.core.scoping import get_object_for_user_or_404
from parvis.sensors.choices import MIN_METERS_PUBLISHED, DeviceKind, PrivacyClass, Resolution
from parvis.sensors.forms import SeriesForm
from parvis.sensors.models import Datastream, Thing
from parvis.sensors.selectors import (
    AirQualityLevel,
    air_quality_level,
    datastream_list_latest,
    series,
    thing_list,
)
from parvis.territories.selectors import territory_list_public

CACHE_SECONDS = 30
# The pollutants of the air quality index, in the order of the pages' columns.
AIR_CODES = ("no2", "pm10", "pm25", "o3")
# A latest value older than this keeps its time on the page but gets no index level.
LEVEL_FRESHNESS = dt.timedelta(hours=3)
# What each privacy class means for residents, in plain words (the register's last column).
PROTECTION = {
    PrivacyClass.OPEN: _("No personal data: measurements of the environment only."),
    PrivacyClass.COUNTS_ONLY: _(
        "Counts only: the camera sends numbers of vehicles, never images or plates."
    ),
    PrivacyClass.OCCUPANCY: _("Occupancy only: whether places are taken, no plate is read."),
    PrivacyClass.PERSONAL_METER: _(
        "Individual meters: pseudonymised at the source, published only as totals of at least "
        "%(count)d meters."
    ),
}


def _public_territories() -> dict[int, str]:
    """Names of the territories the platform serves, by id (one query)."""
    return dict(territory_list_public().values_list("pk", "name"))


def protection_label(privacy_class: str) -> str:
    return str(PROTECTION[PrivacyClass(privacy_class)]) % {"count": MIN_METERS_PUBLISHED}


def retention_label(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@dataclass
class RegisterEntry:
    """One device of the public register: what, where, by whom, why, how long, how protected."""

    thing: Thing
    territory: str
    measures: list[Datastream]
    retention: list[str]
    protection: list[str]


def register_entry(thing: Thing, territory: str) -> RegisterEntry:
    streams = list(thing.datastreams.all())
    classes = sorted({stream.privacy_class for stream in streams})
    return RegisterEntry(
        thing=thing,
        territory=territory,
        measures=streams,
        retention=[retention_label(days) for days in sorted({s.retention for s in streams})],
        protection=[protection_label(privacy_class) for privacy_class in classes],
    )


@dataclass
class DeviceLatest:
    """A device of the live map with the latest value of each of its public datastreams."""

    thing: Thing
    streams: list[Datastream] = field(default_factory=list)
    air: list[Datastream | None] = field(default_factory=list)
    level: AirQualityLevel | None = None

    @property
    def is_air_station(self) -> bool:
        return self.thing.kind == DeviceKind.AIR_QUALITY

    @property
    def latest_time(self) -> dt.datetime | None:
        return max((s.latest_time for s in self.streams if s.latest_time), default=None)


def with_levels(streams, now: dt.datetime | None = None) -> list[Datastream]:
    """Set `level` (air quality index band, or None) on each datastream from its latest value."""
    now = now or timezone.now()
    streams = list(streams)
    for stream in streams:
        fresh = stream.latest_time is not None and now - stream.latest_time <= LEVEL_FRESHNESS
        stream.level = air_quality_level(
            code=stream.observed_property.code, value=stream.latest_value if fresh else None
        )
    return streams


def latest_by_device(streams) -> list[DeviceLatest]:
    """Group the latest values by device; air stations get their pollutants and worst level."""
    devices: dict[int, DeviceLatest] = {}
    for stream in with_levels(streams):
        devices.setdefault(stream.thing_id, DeviceLatest(stream.thing)).streams.append(stream)
    for device in devices.values():
        by_code = {stream.observed_property.code: stream for stream in device.streams}
        device.air = [by_code.get(code) for code in AIR_CODES]
        levels = [stream.level for stream in device.streams if stream.level]
        device.level = max(levels, key=lambda level: level.rank, default=None)
    return list(devices.values())


def _device_feature(device: DeviceLatest) -> dict:
    thing = device.thing
    level = device.level
    return {
        "type": "Feature",
        "id": thing.key,
        "geometry": {"type": "Point", "coordinates": [thing.longitude, thing.latitude]},
        "properties": {
            "name": thing.name,
            "kind": thing.kind,
            "kind_label": str(thing.get_kind_display()),
            "place": thing.place,
            "url": reverse("sensors:device", kwargs={"key": thing.key}),
            "level": level.slug if level else None,
            "level_label": str(level.label) if level else None,
            "values": [
                {
                    "name": stream.observed_property.name,
                    "value": stream.latest_value,
                    "unit": stream.unit_symbol,
                    "time": stream.latest_time.isoformat() if stream.latest_time else None,
                    "level_label": str(stream.level.label) if stream.level else None,
                }
                for stream in device.streams
            ],
        },
    }


@public_page_cache(CACHE_SECONDS)
def sensor_map(request: HttpRequest) -> HttpResponse:
    """The live map of public sensors, air quality first, with its tables."""
    streams = datastream_list_latest(territory_ids=_public_territories(), public=True)
    devices = latest_by_device(streams)
    context = {
        "air_stations": [device for device in devices if device.is_air_station],
        "devices": [device for device in devices if not device.is_air_station],
    }
    return render(request, "sensors/map.html", context)


@public_page_cache(CACHE_SECONDS)
def sensor_feed(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the public devices with their latest values (the live map's data)."""
    streams = datastream_list_latest(territory_ids=_public_territories(), public=True)
    features = [_device_feature(device) for device in latest_by_device(streams)]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )


def _register(territories: dict[int, str]) -> list[RegisterEntry]:
    things = thing_list(territory_ids=territories, public=True)
    return [register_entry(thing, territories[thing.territory_id]) for thing in things]


@public_page_cache(CACHE_SECONDS)
def register(request: HttpRequest) -> HttpResponse:
    """The public sensor register: every public device, what it measures and why."""
    entries = _register(_public_territories())
    return render(request, "sensors/register.html", {"entries": entries})


REGISTER_COLUMNS = [
    "key",
    "name",
    "kind",
    "territory",
    "place",
    "latitude",
    "longitude",
    "operator",
    "purpose",
    "measures",
    "raw_retention_days",
    "privacy_class",
    "protection",
    "url",
]


@public_page_cache(CACHE_SECONDS)
def register_csv(request: HttpRequest) -> HttpResponse:
    """The register as a dataset (CSV, UTF-8, one device a row)."""
    response = _csv_response("registre-des-capteurs.csv")
    writer = csv.writer(response)
    writer.writerow(REGISTER_COLUMNS)
    for entry in _register(_public_territories()):
        thing = entry.thing
        writer.writerow(
            [
                thing.key,
                thing.name,
                thing.kind,
                entry.territory,
                thing.place,
                thing.latitude,
                thing.longitude,
                thing.operator,
                thing.purpose,
                "; ".join(f"{s.observed_property.code} ({s.unit})" for s in entry.measures),
                "; ".join(str(days) for days in sorted({s.retention for s in entry.measures})),
                "; ".join(sorted({s.privacy_class for s in entry.measures})),
                " ".join(entry.protection),
                request.build_absolute_uri(reverse("sensors:device", kwargs={"key": thing.key})),
            ]
        )
    return response


def _public_thing(request: HttpRequest, key: str) -> Thing:
    things = thing_list(territory_ids=_public_territories(), public=True)
    return get_object_for_user_or_404(
        request.user, "sensors.view_thing", things.select_related("territory"), key=key
    )


@public_page_cache(CACHE_SECONDS)
def device_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A public device: what, where, by whom and why, with its datastreams' latest values."""
    thing = _public_thing(request, key)
    context = {
        "thing": thing,
        "entry": register_entry(thing, thing.territory.name),
        "streams": with_levels(thing.datastreams.all()),
        "min_meters": MIN_METERS_PUBLISHED,
        "is_staff_here": request.user.has_perm("sensors.view_operations", thing),
    }
    return render(request, "sensors/device_detail.html", context)


def datastream_of(thing: Thing, pk: int) -> Datastream:
    """The datastream `pk` among those prefetched on `thing` (public ones for the public)."""
    for stream in thing.datastreams.all():
        if stream.pk == pk:
            return stream
    raise Http404


def series_context(form: SeriesForm, datastream: Datastream) -> dict:
    """The series of the form's period and resolution, for the chart and its table twin."""
    context = {
        "form": form,
        "datastream": datastream,
        "points": None,
        "min_meters": MIN_METERS_PUBLISHED,
        "sampling_minutes": max(1, datastream.sampling_interval // 60),
    }
    if not form.is_valid():
        return context
    start, end = form.window(timezone.now())
    resolution = form.cleaned_data["resolution"]
    points = series(datastream=datastream, start=start, end=end, resolution=resolution)
    aggregated = resolution != Resolution.RAW
    chart = {
        "label": datastream.observed_property.name,
        "unit": datastream.unit_symbol or datastream.unit_name,
        "t": [int(point.time.timestamp()) for point in points],
        "v": [point.value for point in points],
    }
    if aggregated:
        chart |= {"min": [p.min for p in points], "max": [p.max for p in points]}
    return context | {"points": points, "aggregated": aggregated, "chart": chart}


def series_csv(form: SeriesForm, thing: Thing, datastream: Datastream) -> HttpResponse:
    """The series as CSV: raw values with their quality, or aggregates per period."""
    if not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    context = series_context(form, datastream)
    period, resolution = form.cleaned_data["period"], form.cleaned_data["resolution"]
    response = _csv_response(f"{thing.key}-{datastream.senml_name}-{period}-{resolution}.csv")
    writer = csv.writer(response)
    if context["aggregated"]:
        writer.writerow(["period_start", "mean", "min", "max", "count", "unit"])
        for p in context["points"]:
            row = [_utc(p.time), _num(p.value), _num(p.min), _num(p.max), p.count, datastream.unit]
            writer.writerow(row)
    else:
        writer.writerow(["time", "value", "unit", "quality"])
        for p in context["points"]:
            quality = "suspect" if p.suspect else "good"
            writer.writerow([_utc(p.time), _num(p.value), datastream.unit, quality])
    return response


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _utc(time: dt.datetime) -> str:
    return time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _num(value: float | None) -> str:
    return "" if value is None else str(round(value, 4))


@public_page_cache(CACHE_SECONDS)
def series_page(request: HttpRequest, key: str, datastream_pk: int) -> HttpResponse:
    """A public datastream over a period: chart, table twin, CSV export."""
    thing = _public_thing(request, key)
    datastream = datastream_of(thing, datastream_pk)
    form = SeriesForm(request.GET, personal=datastream.is_personal)
    context = series_context(form, datastream) | {
        "thing": thing,
        "export_url": reverse(
            "sensors:series_export", kwargs={"key": thing.key, "datastream_pk": datastream.pk}
        ),
    }
    return render(request, "sensors/series.html", context, status=200 if form.is_valid() else 400)


@public_page_cache(CACHE_SECONDS)
def series_export(request: HttpRequest, key: str, datastream_pk: int) -> HttpResponse:
    thing = _public_thing(request, key)
    datastream = datastream_of(thing, datastream_pk)
    return series_csv(SeriesForm(request.GET, personal=datastream.is_personal), thing, datastream)
