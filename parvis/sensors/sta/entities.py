"""The SensorThings data model laid over the sensors registry: entity sets, properties, links.

- Things are devices (`Thing`); a device has one fixed position, so its Location, its one
  HistoricalLocation (time: when it was registered) and its FeatureOfInterest are the device
  row seen another way, under the device's id.
- Datastreams, Sensors, ObservedProperties are their models; Observations are the narrow rows
  of the store, whose key (datastream, time) becomes the string id `"<datastream>-<µs epoch>"`.
- `Prop.field` says where a property lives for `$filter` and `$orderby`; `Relation` says how a
  navigation property is followed (by a key on the row, or by a lookup on the target).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db.models import Q, QuerySet

from parvis.sensors.choices import Quality
from parvis.sensors.sta import selectors
from parvis.sensors.sta.errors import not_found

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
GEOJSON = "application/geo+json"
UCUM = "https://ucum.org/ucum#"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
QUALITY_NAMES = {Quality.GOOD: "good", Quality.SUSPECT: "suspect"}


@dataclass(frozen=True)
class Prop:
    """A property: `field` is its ORM path from the entity's row (None: shown, not queryable).

    For a JSON object, `members` maps queryable member names to ORM paths, and `json_field`
    is a JSONField whose other keys can be reached (`properties/<key>`). `choices` maps the
    names a client writes to the stored values (`resultQuality eq 'suspect'`).
    """

    field: str | None = None
    members: Mapping[str, str] = dataclasses.field(default_factory=dict)
    json_field: str = ""
    choices: Mapping[str, int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Relation:
    """A navigation property from one entity set to another.

    To-many: `reverse` is the target's lookup equal to the source row's pk. To-one: `key` is the
    attribute of the source row holding the target's pk, or `keys` resolves them for a batch
    of rows in one query. `orm` is the prefix reaching the target's fields from the source row
    in a `$filter` ("" when the target is the same row seen another way; None: not filterable).
    """

    name: str
    target: str
    many: bool
    reverse: str = ""
    key: str = ""
    keys: Callable[[list], list] | None = None
    orm: str | None = None

    def target_keys(self, rows: list) -> list:
        if self.keys is not None:
            return self.keys(rows)
        return [getattr(row, self.key) for row in rows]


@dataclass(frozen=True)
class EntityType:
    name: str  # the entity set: "Things"
    singular: str  # "Thing"
    queryset: Callable[[], QuerySet]
    properties: Mapping[str, Prop]
    serialize: Callable[[Any], dict[str, Any]]
    relations: tuple[Relation, ...]
    order: tuple[str, ...] = ("pk",)
    composite_id: bool = False
    # Loads what `serialize` needs beyond the rows, for a whole page at once.
    prepare: Callable[[list, set[str]], None] | None = None

    def relation(self, name: str) -> Relation | None:
        return next((rel for rel in self.relations if rel.name == name), None)

    def ident(self, row) -> int | str:
        if self.composite_id:
            return observation_id(row.datastream_id, row.phenomenon_time)
        return row.pk

    def id_filter(self, raw: str) -> Q:
        """The rows named by an id as written in a URL (quotes removed); 404 when malformed."""
        if self.composite_id:
            key = observation_key(raw)
            if key is None:
                raise not_found(f"No {self.singular} with id {raw!r}.")
            return Q(datastream_id=key[0], phenomenon_time=key[1])
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise not_found(f"No {self.singular} with id {raw!r}.")
        return Q(pk=int(raw))

    def link(self, base: str, ident: int | str) -> str:
        """The address of an entity: string ids are quoted, `Observations('3-1700000000000000')`."""
        literal = f"'{ident}'" if isinstance(ident, str) else str(ident)
        return f"{base}/{self.name}({literal})"

    def self_link(self, base: str, row) -> str:
        return self.link(base, self.ident(row))


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def observation_id(datastream_id: int, time: dt.datetime) -> str:
    """The stable id of an observation: its datastream and its time in microseconds."""
    return f"{datastream_id}-{(time - EPOCH) // MICROSECOND}"


def observation_key(raw: str) -> tuple[int, dt.datetime] | None:
    datastream, _, micros = raw.partition("-")
    try:
        return int(datastream), EPOCH + int(micros) * MICROSECOND
    except (ValueError, OverflowError):
        return None


def _point(thing) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [thing.longitude, thing.latitude]}


def _thing(thing) -> dict[str, Any]:
    return {
        "name": thing.name,
        "description": thing.description,
        "properties": {
            **thing.properties,
            "kind": thing.kind,
            "operator": thing.operator,
            "purpose": thing.purpose,
            "place": thing.place,
        },
    }


def _location(thing) -> dict[str, Any]:
    return {
        "name": thing.name,
        "description": thing.place,
        "encodingType": GEOJSON,
        "location": _point(thing),
    }


def _historical_location(thing) -> dict[str, Any]:
    return {"time": iso(thing.created_at)}


def _feature_of_interest(thing) -> dict[str, Any]:
    return {
        "name": thing.name,
        "description": thing.place,
        "encodingType": GEOJSON,
        "feature": _point(thing),
    }


def _time_range(datastream) -> str | None:
    first, last = getattr(datastream, "sta_time_range", (None, None))
    return f"{iso(first)}/{iso(last)}" if first and last else None


def _datastream(datastream) -> dict[str, Any]:
    time_range = _time_range(datastream)
    return {
        "name": datastream.name,
        "description": datastream.description,
        "observationType": OM_MEASUREMENT,
        "unitOfMeasurement": {
            "name": datastream.unit_name,
            "symbol": datastream.unit_symbol,
            "definition": UCUM + quote(datastream.unit, safe="/"),
        },
        "observedArea": _point(datastream.thing),
        "phenomenonTime": time_range,
        "resultTime": time_range,
        "properties": {
            "ucumCode": datastream.unit,
            "privacyClass": datastream.privacy_class,
            "samplingInterval": datastream.sampling_interval,
        },
    }


def _datastream_prepare(rows: list, wanted: set[str]) -> None:
    if wanted and not wanted & {"phenomenonTime", "resultTime"}:
        return
    ranges = selectors.sta_datastream_time_ranges(datastream_ids=[row.pk for row in rows])
    for row in rows:
        row.sta_time_range = ranges.get(row.pk, (None, None))


def _sensor(sensor) -> dict[str, Any]:
    return {
        "name": sensor.name,
        "description": sensor.description,
        "encodingType": sensor.encoding_type,
        "metadata": sensor.metadata,
        "properties": {},
    }


def _observed_property(prop) -> dict[str, Any]:
    return {
        "name": prop.name,
        "definition": prop.definition,
        "description": prop.description,
        "properties": {"code": prop.code},
    }


def _observation(observation) -> dict[str, Any]:
    time = iso(observation.phenomenon_time)
    return {
        "phenomenonTime": time,
        # In-situ sensors: the result is known when the phenomenon is measured.
        "resultTime": time,
        "result": observation.value,
        "resultQuality": QUALITY_NAMES.get(observation.quality, str(observation.quality)),
    }


def _feature_keys(observations: list) -> list:
    things = selectors.sta_thing_ids_of_datastreams(
        datastream_ids=list({row.datastream_id for row in observations})
    )
    return [things.get(row.datastream_id) for row in observations]


_ID = Prop("pk")
_THING_ROW = {"id": _ID, "name": Prop("name"), "description": Prop("place")}

ENTITY_TYPES: dict[str, EntityType] = {
    entity.name: entity
    for entity in (
        EntityType(
            "Things",
            "Thing",
            selectors.sta_thing_queryset,
            {
                "id": _ID,
                "name": Prop("name"),
                "description": Prop("description"),
                "properties": Prop(
                    members={
                        "kind": "kind",
                        "operator": "operator",
                        "purpose": "purpose",
                        "place": "place",
                    },
                    json_field="properties",
                ),
            },
            _thing,
            (
                Relation("Datastreams", "Datastreams", True, reverse="thing_id"),
                Relation("Locations", "Locations", True, reverse="pk", orm=""),
                Relation("HistoricalLocations", "HistoricalLocations", True, reverse="pk", orm=""),
            ),
        ),
        EntityType(
            "Locations",
            "Location",
            selectors.sta_thing_queryset,
            {**_THING_ROW, "encodingType": Prop(), "location": Prop()},
            _location,
            (
                Relation("Things", "Things", True, reverse="pk", orm=""),
                Relation("HistoricalLocations", "HistoricalLocations", True, reverse="pk", orm=""),
            ),
        ),
        EntityType(
            "HistoricalLocations",
            "HistoricalLocation",
            selectors.sta_thing_queryset,
            {"id": _ID, "time": Prop("created_at")},
            _historical_location,
            (
                Relation("Thing", "Things", False, key="pk", orm=""),
                Relation("Locations", "Locations", True, reverse="pk", orm=""),
            ),
        ),
        EntityType(
            "Datastreams",
            "Datastream",
            selectors.sta_datastream_queryset,
            {
                "id": _ID,
                "name": Prop("name"),
                "description": Prop("description"),
                "observationType": Prop(),
                "unitOfMeasurement": Prop(members={"name": "unit_name", "symbol": "unit_symbol"}),
                "observedArea": Prop(),
                "phenomenonTime": Prop(),
                "resultTime": Prop(),
                "properties": Prop(
                    members={
                        "ucumCode": "unit",
                        "privacyClass": "privacy_class",
                        "samplingInterval": "sampling_interval",
                    }
                ),
            },
            _datastream,
            (
                Relation("Thing", "Things", False, key="thing_id", orm="thing__"),
                Relation("Sensor", "Sensors", False, key="sensor_id", orm="sensor__"),
                Relation(
                    "ObservedProperty",
                    "ObservedProperties",
                    False,
                    key="observed_property_id",
                    orm="observed_property__",
                ),
                Relation("Observations", "Observations", True, reverse="datastream_id"),
            ),
            prepare=_datastream_prepare,
        ),
        EntityType(
            "Sensors",
            "Sensor",
            selectors.sta_sensor_queryset,
            {
                "id": _ID,
                "name": Prop("name"),
                "description": Prop("description"),
                "encodingType": Prop("encoding_type"),
                "metadata": Prop("metadata"),
                "properties": Prop(),
            },
            _sensor,
            (Relation("Datastreams", "Datastreams", True, reverse="sensor_id"),),
        ),
        EntityType(
            "ObservedProperties",
            "ObservedProperty",
            selectors.sta_observed_property_queryset,
            {
                "id": _ID,
                "name": Prop("name"),
                "definition": Prop("definition"),
                "description": Prop("description"),
                "properties": Prop(members={"code": "code"}),
            },
            _observed_property,
            (Relation("Datastreams", "Datastreams", True, reverse="observed_property_id"),),
        ),
        EntityType(
            "Observations",
            "Observation",
            selectors.sta_observation_queryset,
            {
                "id": Prop(),  # composite: compile.py handles it
                "phenomenonTime": Prop("phenomenon_time"),
                "resultTime": Prop("phenomenon_time"),
                "result": Prop("value"),
                "resultQuality": Prop(
                    "quality", choices={name: int(q) for q, name in QUALITY_NAMES.items()}
                ),
            },
            _observation,
            (
                Relation(
                    "Datastream", "Datastreams", False, key="datastream_id", orm="datastream__"
                ),
                Relation(
                    "FeatureOfInterest",
                    "FeaturesOfInterest",
                    False,
                    keys=_feature_keys,
                    orm="datastream__thing__",
                ),
            ),
            order=("datastream_id", "phenomenon_time"),
            composite_id=True,
        ),
        EntityType(
            "FeaturesOfInterest",
            "FeatureOfInterest",
            selectors.sta_thing_queryset,
            {**_THING_ROW, "encodingType": Prop(), "feature": Prop()},
            _feature_of_interest,
            (Relation("Observations", "Observations", True, reverse="datastream__thing_id"),),
        ),
    )
}
