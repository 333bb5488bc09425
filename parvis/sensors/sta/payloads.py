"""Bodies of the create requests: one Observation (`POST Observations`) or the data arrays of
`POST CreateObservations`, parsed into `NewObservation`s before anything is written.

A body that is not what the standard describes is a 400 as a whole. In a data array, a row
that cannot become a SenML record (no result, a time interval) keeps its place with an
`error`, so the answer can say "error" at that position.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from parvis.sensors.senml import MAX_RECORDS
from parvis.sensors.sta.errors import bad_request, not_implemented

# Components a data array may carry; only the time and the result are used, the others are
# the server's to decide (id, resultTime) or have no place in the store.
COMPONENTS = {
    "id",
    "phenomenonTime",
    "result",
    "resultTime",
    "resultQuality",
    "validTime",
    "parameters",
    "FeatureOfInterest/id",
}


@dataclass(frozen=True)
class NewObservation:
    """An observation a device posts: its datastream, its time (None: now) and its result.

    `error` says why it cannot be offered to ingestion at all; otherwise ingestion judges it.
    """

    datastream_id: int
    time: dt.datetime | None
    result: Any
    error: str = ""


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(_("The body is not JSON.")) from None


def _datastream_id(reference: Any) -> int:
    ident = reference.get("@iot.id") if isinstance(reference, dict) else None
    if isinstance(ident, str) and ident.isascii() and ident.isdigit():
        ident = int(ident)
    if not isinstance(ident, int) or isinstance(ident, bool):
        raise bad_request(_('A Datastream is referenced as {"@iot.id": <number>}.'))
    return ident


def _observation(datastream_id: int, time: Any, result: Any) -> NewObservation:
    """The observation, or one carrying the reason it cannot become a SenML record."""
    if isinstance(result, float) and not math.isfinite(result):
        return NewObservation(datastream_id, None, None, _("result must be a finite number"))
    if not isinstance(result, int | float | str | bool):
        return NewObservation(datastream_id, None, None, _("result must be a number"))
    if time is None:
        return NewObservation(datastream_id, None, result)
    if not isinstance(time, str) or "/" in time:
        return NewObservation(
            datastream_id, None, result, _("phenomenonTime must be one instant (ISO 8601)")
        )
    try:
        parsed = dt.datetime.fromisoformat(time.replace("Z", "+00:00"))
    except ValueError:
        return NewObservation(datastream_id, None, result, _("phenomenonTime is not ISO 8601"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return NewObservation(datastream_id, parsed, result)


def observation_from_json(body: bytes, *, datastream_id: int | None = None) -> NewObservation:
    """`POST Observations`: one observation with its Datastream (or the one of the path)."""
    document = _json(body)
    if not isinstance(document, dict):
        raise bad_request(_("An Observation is a JSON object."))
    if "MultiDatastream" in document:
        raise not_implemented(_("MultiDatastreams are not implemented."))
    if datastream_id is None:
        datastream_id = _datastream_id(document.get("Datastream"))
    if "result" not in document:
        raise bad_request(_("An Observation needs a result."))
    observation = _observation(datastream_id, document.get("phenomenonTime"), document["result"])
    if observation.error:
        raise bad_request(observation.error)
    return observation


def observations_from_data_arrays(body: bytes) -> list[NewObservation]:
    """`POST CreateObservations`: per datastream, components and rows, flattened in order."""
    document = _json(body)
    if not isinstance(document, list):
        raise bad_request(_("CreateObservations takes a JSON array of data arrays."))
    observations: list[NewObservation] = []
    for group in document:
        if not isinstance(group, dict):
            raise bad_request(_("Each data array is a JSON object."))
        if "MultiDatastream" in group:
            raise not_implemented(_("MultiDatastreams are not implemented."))
        datastream_id = _datastream_id(group.get("Datastream"))
        components, rows = group.get("components"), group.get("dataArray")
        if not isinstance(components, list) or not isinstance(rows, list):
            raise bad_request(_("Each data array has components and a dataArray."))
        unknown = [name for name in components if name not in COMPONENTS]
        if unknown or "result" not in components:
            raise bad_request(
                _("Components must include result and be among %s.") % ", ".join(sorted(COMPONENTS))
            )
        for row in rows:
            if not isinstance(row, list) or len(row) != len(components):
                observations.append(
                    NewObservation(datastream_id, None, None, _("a row does not match components"))
                )
                continue
            values = dict(zip(components, row, strict=True))
            observations.append(
                _observation(datastream_id, values.get("phenomenonTime"), values["result"])
            )
        if len(observations) > MAX_RECORDS:
            raise bad_request(_("At most %d observations per request.") % MAX_RECORDS)
    return observations
