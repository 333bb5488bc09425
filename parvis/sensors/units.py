"""Units: SenML unit symbols (IANA registry, RFC 8428 section 12.1) mapped to UCUM codes.

Datastreams store values in one UCUM unit. An incoming record's unit is mapped to its UCUM code
and converted when it is a multiple of the datastream's unit (litres to cubic metres, Wh to kWh).
A unit outside this table is unknown: the record goes to the dead-letter store.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    ucum: str
    symbol: str
    name: str
    # Factor to the base unit of its dimension, and the dimension's base (to convert).
    factor: float = 1.0
    base: str = ""


UNITS: dict[str, Unit] = {
    unit.ucum: unit
    for unit in (
        Unit("Cel", "°C", "degree Celsius"),
        Unit("%", "%", "percent"),
        Unit("1", "", "ratio"),
        Unit("{count}", "", "count"),
        Unit("ug/m3", "µg/m³", "microgram per cubic metre", 1.0, "ug/m3"),
        Unit("mg/m3", "mg/m³", "milligram per cubic metre", 1000.0, "ug/m3"),
        Unit("dB", "dB", "decibel"),
        Unit("dB[A]", "dB(A)", "A-weighted decibel"),
        Unit("m3", "m³", "cubic metre", 1.0, "m3"),
        Unit("L", "L", "litre", 0.001, "m3"),
        Unit("m3/h", "m³/h", "cubic metre per hour", 1.0, "m3/h"),
        Unit("L/s", "L/s", "litre per second", 3.6, "m3/h"),
        Unit("W", "W", "watt", 1.0, "W"),
        Unit("kW", "kW", "kilowatt", 1000.0, "W"),
        Unit("W.h", "Wh", "watt hour", 1.0, "W.h"),
        Unit("kW.h", "kWh", "kilowatt hour", 1000.0, "W.h"),
        Unit("lx", "lx", "lux"),
        Unit("hPa", "hPa", "hectopascal"),
        Unit("km/h", "km/h", "kilometre per hour"),
        Unit("{vehicle}/h", "véh./h", "vehicles per hour"),
        Unit("bar", "bar", "bar"),
    )
}

# SenML symbols (IANA "SenML Units" and "Secondary Units" registries) -> UCUM codes.
SENML_TO_UCUM = {
    "Cel": "Cel",
    "%": "%",
    "%RH": "%",
    "%EL": "%",
    "/": "1",
    "count": "{count}",
    "ug/m3": "ug/m3",
    "mg/m3": "mg/m3",
    "dB": "dB",
    "dBA": "dB[A]",
    "m3": "m3",
    "l": "L",
    "L": "L",
    "m3/s": None,  # registered, but no datastream of the platform uses it yet
    "l/s": "L/s",
    "m3/h": "m3/h",
    "W": "W",
    "kW": "kW",
    "Wh": "W.h",
    "kWh": "kW.h",
    "lx": "lx",
    "hPa": "hPa",
    "km/h": "km/h",
    "bar": "bar",
}


class UnitError(ValueError):
    def __init__(self, message: str, *, unknown: bool) -> None:
        super().__init__(message)
        self.unknown = unknown


@functools.cache
def conversion_factor(senml_unit: str, datastream_unit: str) -> float:
    """Factor turning a value in `senml_unit` into the datastream's UCUM unit.

    An empty SenML unit means the datastream's own unit. Raises UnitError (not cached: only
    the factors are, a few pairs, looked up once per observation).
    """
    if not senml_unit:
        return 1.0
    ucum = SENML_TO_UCUM.get(senml_unit)
    if ucum is None and senml_unit in UNITS:
        ucum = senml_unit  # devices configured with UCUM codes directly
    if ucum is None:
        raise UnitError(f"unknown unit {senml_unit!r}", unknown=True)
    if ucum == datastream_unit:
        return 1.0
    source, target = UNITS[ucum], UNITS.get(datastream_unit)
    if target is not None and source.base and source.base == target.base:
        return source.factor / target.factor
    raise UnitError(
        f"unit {senml_unit!r} cannot be converted to {datastream_unit!r}", unknown=False
    )
