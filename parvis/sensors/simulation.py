"""Realistic streams for the demo territory's devices (`parvis simulate`).

Values follow the rhythms of a small French town: NO2 peaks at the morning and evening rush
hours with a pollution episode on even days of the year (late afternoon), ozone in the
afternoon, car parks full at market and office hours, a water sector whose night flow shows a
leak, street lighting on from dusk to dawn, a glass bank filling up until it is emptied, and
individual meters (one of them leaking at night). Values are deterministic in time (plus small
seeded noise), so two runs draw the same curves.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import logging
import math
import random
import socket
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from parvis.sensors.ingest import Message, messages_ingest
from parvis.sensors.models import Thing

logger = logging.getLogger(__name__)

METERS = 14
LEAKING_METER = 7


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def _noise(key: str, when: dt.datetime, spread: float) -> float:
    rng = random.Random(f"{key}:{int(when.timestamp()) // 60}")
    return rng.gauss(0, spread)


def _episode(local: dt.datetime) -> float:
    """Pollution episode: even days of the year, 15:00 to 21:00, up to 2.6 times the usual."""
    if local.timetuple().tm_yday % 2:
        return 1.0
    return 1.0 + 1.6 * _bump(local.hour + local.minute / 60, 18, 2.2)


def air(key: str, when: dt.datetime) -> dict[str, float]:
    local = timezone.localtime(when)
    hour = local.hour + local.minute / 60
    traffic = 0.35 + _bump(hour, 8.3, 1.4) + 0.9 * _bump(hour, 18, 1.8)
    gare = 1.25 if "gare" in key else 1.0
    no2 = max(3.0, (14 + 38 * traffic * gare) * _episode(local) + _noise(key + "no2", when, 3))
    pm10 = max(2.0, (12 + 14 * traffic) * _episode(local) + _noise(key + "pm10", when, 2))
    return {
        "no2": round(no2, 1),
        "pm10": round(pm10, 1),
        "pm25": round(pm10 * 0.62, 1),
        "o3": round(max(5.0, 30 + 55 * _bump(hour, 15.5, 3) + _noise(key + "o3", when, 4)), 1),
        "temperature": round(6 + 5 * _bump(hour, 15, 4) + _noise(key + "t", when, 0.3), 1),
    }


def noise(key: str, when: dt.datetime) -> dict[str, float]:
    hour = timezone.localtime(when).hour
    base = 42 if hour < 6 else 58 if hour < 22 else 50
    return {"LAeq": round(base + _noise(key, when, 2.5), 1)}


def parking(key: str, when: dt.datetime) -> dict[str, float]:
    local = timezone.localtime(when)
    hour = local.hour + local.minute / 60
    capacity = 120 if "halles" in key else 80
    market = 0.35 * _bump(hour, 10.5, 1.5) if local.weekday() in (2, 5) else 0.0
    rate = 0.12 + 0.55 * _bump(hour, 10, 2.5) + 0.45 * _bump(hour, 15.5, 2.5) + market
    return {"occupiedSpots": float(min(capacity, max(0, round(capacity * min(rate, 0.98)))))}


def water(key: str, when: dt.datetime) -> dict[str, float]:
    """Sector flow (m3/h): a diurnal profile; the northern sector has a leak at night."""
    hour = timezone.localtime(when).hour + timezone.localtime(when).minute / 60
    flow = 18 + 55 * _bump(hour, 7.5, 1.5) + 35 * _bump(hour, 12.5, 1.5) + 40 * _bump(hour, 20, 2)
    leak = 14.0 if "nord" in key else 0.0
    return {"waterFlow": round(max(2.0, flow + leak + _noise(key, when, 1.5)), 2)}


def meters(key: str, when: dt.datetime) -> dict[str, float]:
    """Hourly volumes (m3) of individual meters, keyed by a fictional meter id."""
    hour = timezone.localtime(when).hour
    readings = {}
    for meter in range(METERS):
        usage = 0.004 + 0.025 * _bump(hour, 7.5, 1) + 0.03 * _bump(hour, 20, 1.5)
        if meter == LEAKING_METER:
            usage += 0.012  # a running toilet, day and night
        readings[f"urn:dev:meter:FR-DEMO-{meter:04d}:waterConsumption"] = round(
            max(0.0, usage * (0.6 + meter / METERS) + _noise(f"{key}{meter}", when, 0.001)), 4
        )
    return readings


def lighting(key: str, when: dt.datetime) -> dict[str, float]:
    hour = timezone.localtime(when).hour + timezone.localtime(when).minute / 60
    on = hour >= 17.4 or hour < 7.7
    dimmed = 1 <= hour < 5
    power = (9.5 if not dimmed else 5.0) if on else 0.2
    return {
        "activePower": round(max(0.0, power + _noise(key, when, 0.1)), 2),
        "powerState": float(on),
    }


def building(key: str, when: dt.datetime) -> dict[str, float]:
    local = timezone.localtime(when)
    hour = local.hour + local.minute / 60
    open_hours = local.weekday() < 5 and 8 <= hour < 18
    return {
        "activePower": round(max(0.0, (28.0 if open_hours else 6.5) + _noise(key, when, 1.2)), 2)
    }


def waste(key: str, when: dt.datetime) -> dict[str, float]:
    days = (when.timestamp() / 86400) % 3  # emptied every three days
    return {"fillingLevel": round(min(100.0, 8 + 30 * days + _noise(key, when, 1)), 1)}


def traffic(key: str, when: dt.datetime) -> dict[str, float]:
    hour = timezone.localtime(when).hour + timezone.localtime(when).minute / 60
    flow = (
        60 + 620 * _bump(hour, 8.2, 1.2) + 540 * _bump(hour, 17.8, 1.6) + 250 * _bump(hour, 13, 2)
    )
    return {"intensity": float(max(0, round(flow + _noise(key, when, 25))))}


GENERATORS: dict[str, Callable[[str, dt.datetime], dict[str, float]]] = {
    "AirQualityObserved": air,
    "NoiseLevelObserved": noise,
    "ParkingSpot": parking,
    "WaterConsumptionObserved": water,
    "EnergyConsumptionObserved": building,
    "Streetlight": lighting,
    "WasteContainer": waste,
    "TrafficFlowObserved": traffic,
}


def generator_for(thing: Thing) -> Callable[[str, dt.datetime], dict[str, float]]:
    if any(stream.is_personal for stream in thing.datastreams.all()):
        return meters
    return GENERATORS[thing.kind]


def senml_pack(thing: Thing, when: dt.datetime, values: dict[str, float]) -> list[dict]:
    """A SenML pack: base name and time in the first record, then one record per value."""
    records: list[dict] = [{"bn": f"{thing.key}:", "bt": round(when.timestamp(), 3)}]
    for index, (name, value) in enumerate(values.items()):
        record = {"n": name, "v": value}
        if index == 0:
            record.update(records.pop())
        records.append(record)
    return records


@dataclass
class Tick:
    thing: Thing
    when: dt.datetime
    pack: list[dict]


def ticks(things: list[Thing], start: dt.datetime, end: dt.datetime) -> Iterator[Tick]:
    """Every device's pack at its sampling interval from `start` to `end`, in time order."""
    steps = []
    for thing in things:
        interval = min((s.sampling_interval for s in thing.datastreams.all()), default=600)
        first = dt.datetime.fromtimestamp(
            math.ceil(start.timestamp() / interval) * interval, tz=dt.UTC
        )
        steps.append((thing, generator_for(thing), dt.timedelta(seconds=interval), first))
    queue = [(first, index) for index, (*_rest, first) in enumerate(steps)]
    heapq.heapify(queue)
    while queue:
        when, index = heapq.heappop(queue)
        if when > end:
            continue
        thing, generate, step, _first = steps[index]
        yield Tick(thing, when, senml_pack(thing, when, generate(thing.key, when)))
        heapq.heappush(queue, (when + step, index))


class Transport:
    """Sends packs as a device would: over MQTT, over HTTP, or straight to ingestion."""

    def __init__(self, kind: str, *, tokens: dict[str, str], url: str = "") -> None:
        self.kind, self.tokens, self.url = kind, tokens, url.rstrip("/")
        self.client = None
        if kind == "mqtt":
            from parvis.core.mqtt import mqtt_client, mqtt_connect

            self.client = mqtt_client(client_id=f"parvis-simulate-{socket.gethostname()}")
            mqtt_connect(self.client)
            self.client.loop_start()

    def send(self, ticks_: list[Tick]) -> None:
        if self.kind == "direct":
            messages_ingest(
                messages=[
                    Message(
                        channel="http",
                        payload=json.dumps(tick.pack),
                        device_key=tick.thing.key,
                        token=self.tokens[tick.thing.key],
                        topic="simulate",
                    )
                    for tick in ticks_
                ]
            )
        elif self.kind == "mqtt":
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties

            for tick in ticks_:
                properties = Properties(PacketTypes.PUBLISH)
                properties.UserProperty = ("token", self.tokens[tick.thing.key])
                self.client.publish(
                    tick.thing.topic, json.dumps(tick.pack), qos=1, properties=properties
                ).wait_for_publish(10)
        else:
            for tick in ticks_:
                request = urllib.request.Request(  # noqa: S310 - the platform's own URL
                    f"{self.url}/api/v1/sensors/senml",
                    data=json.dumps(tick.pack).encode(),
                    headers={
                        "Content-Type": "application/senml+json",
                        "Authorization": f"Bearer {self.tokens[tick.thing.key]}",
                    },
                )
                with urllib.request.urlopen(request, timeout=10):  # noqa: S310
                    pass

    def close(self) -> None:
        if self.client is not None:
            self.client.loop_stop()
            self.client.disconnect()


def simulate(
    *,
    things: list[Thing],
    tokens: dict[str, str],
    transport: str,
    backfill_hours: float,
    url: str = "",
    stop: Callable[[], bool] = lambda: False,
    once: bool = False,
) -> int:
    """Backfill the last hours straight into ingestion, then stream live packs until `stop()`.

    Returns the number of packs sent. The backfill is idempotent: re-running it stores nothing
    twice.
    """
    now = timezone.now()
    sent = 0
    if backfill_hours > 0:
        backlog = list(ticks(things, now - dt.timedelta(hours=backfill_hours), now))
        direct = Transport("direct", tokens=tokens)
        for start in range(0, len(backlog), 200):
            direct.send(backlog[start : start + 200])
        sent += len(backlog)
        logger.info("simulate: %d packs of history written", len(backlog))
    if once:
        return sent
    live = Transport(transport, tokens=tokens, url=url)
    last = now
    try:
        while not stop():
            time.sleep(1.0)
            current = timezone.now()
            due = list(ticks(things, last + dt.timedelta(microseconds=1), current))
            if due:
                live.send(due)
                sent += len(due)
            last = current
    finally:
        live.close()
    return sent
