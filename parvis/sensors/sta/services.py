"""Creating observations through the SensorThings API, by way of the ingestion pipeline.

A device posting to `Observations` or `CreateObservations` is one more ingestion channel: its
observations become one SenML pack (records named after the datastreams' `senml_name`, times
in epoch seconds) handed to `messages_ingest`, so validation, privacy rules, the dead-letter
store, rollups and latest values are exactly those of MQTT.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.sensors.choices import Channel
from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.models import Datastream, Thing
from parvis.sensors.senml import RELATIVE_TIME_LIMIT
from parvis.sensors.sta.entities import observation_id
from parvis.sensors.sta.errors import StaError
from parvis.sensors.sta.payloads import NewObservation


@dataclass(frozen=True)
class Outcome:
    """What became of a posted observation: its id once stored (or already stored), or why not."""

    observation_id: str | None
    error: str = ""


def sta_observations_create(
    *, thing: Thing, token: str, observations: list[NewObservation], path: str
) -> list[Outcome]:
    """Ingest observations a device posted; one outcome per observation, in order.

    The caller has authenticated `thing` with `token`. Every datastream must be one of the
    device's, else StaError(403) and nothing is written. Observations refused by ingestion are
    in the dead-letter store with their reason; those that cannot even be written as SenML
    (no numeric result, a time before 1978 that SenML would read as relative) are refused
    here and only reported.
    """
    streams = {stream.pk: stream for stream in Datastream.objects.filter(thing=thing)}
    foreign = sorted({item.datastream_id for item in observations} - set(streams))
    if foreign:
        raise StaError(
            403,
            _("Datastream %(ids)s is not a datastream of this device.")
            % {"ids": ", ".join(map(str, foreign))},
        )
    received_at = timezone.now()
    outcomes = [Outcome(None, item.error) for item in observations]
    records, positions = [], []
    for position, item in enumerate(observations):
        if item.error:
            continue
        seconds = (item.time or received_at).timestamp()
        if abs(seconds) < RELATIVE_TIME_LIMIT:
            outcomes[position] = Outcome(None, _("phenomenonTime is before 1978"))
            continue
        records.append(_record(streams[item.datastream_id].senml_name, seconds, item.result))
        positions.append(position)
    if not records:
        return outcomes
    message = Message(
        channel=Channel.HTTP,
        payload=json.dumps(records),
        topic=path,
        device_key=thing.key,
        token=token,
        received_at=received_at,
    )
    result = messages_ingest(messages=[message])
    refused = {letter.record_index: letter.detail for letter in result.dead_letters}
    for index, position in enumerate(positions):
        # A letter without record index refused the whole message (retired device...).
        detail = refused.get(index) or refused.get(None)
        if detail:
            outcomes[position] = Outcome(None, detail)
            continue
        # The time as ingestion reads it back from the SenML record, to the microsecond.
        time = dt.datetime.fromtimestamp(records[index]["t"], tz=dt.UTC)
        outcomes[position] = Outcome(observation_id(observations[position].datastream_id, time))
    return outcomes


def _record(name: str, seconds: float, result) -> dict:
    """A SenML record in the datastream's own unit (no `u`): numbers, booleans or text."""
    if isinstance(result, bool):
        return {"n": name, "t": seconds, "vb": result}
    if isinstance(result, str):
        return {"n": name, "t": seconds, "vs": result}
    return {"n": name, "t": seconds, "v": result}
