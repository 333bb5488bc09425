"""SenML (RFC 8428) JSON packs: parsing and resolution of base fields into full records.

Resolution follows RFC 8428 section 4.6: base name, time, unit, value and sum carry over to the
following records until redefined; a time below 2**28 is relative to now. Pure functions, no
database: the ingestion service decides what a resolved record means.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

RELATIVE_TIME_LIMIT = 2**28
MAX_PACK_BYTES = 256 * 1024
MAX_RECORDS = 5000
_VALUE_FIELDS = ("v", "vs", "vb", "vd", "s")
_BASE_FIELDS = frozenset({"bn", "bt", "bu", "bv", "bs", "bver"})
_KNOWN_FIELDS = frozenset({*_BASE_FIELDS, "n", "u", "t", "ut", *_VALUE_FIELDS})


class SenMLError(ValueError):
    """A pack that is not valid SenML; the message says why (shown in the dead-letter store)."""


@dataclass(slots=True)
class Record:
    """A resolved SenML record: absolute name and time, unit, and exactly one kind of value.

    Not frozen: a frozen dataclass costs three times as much to build, and ingestion builds
    one per observation.
    """

    index: int
    name: str
    time: dt.datetime
    unit: str
    value: float | None = None
    string_value: str | None = None
    data_value: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The record as a stand-alone SenML record (what a dead letter keeps to replay)."""
        out: dict[str, Any] = {"n": self.name, "t": self.time.timestamp()}
        if self.unit:
            out["u"] = self.unit
        if self.value is not None:
            out["v"] = self.value
        if self.string_value is not None:
            out["vs"] = self.string_value
        if self.data_value is not None:
            out["vd"] = self.data_value
        return out


def loads(payload: bytes | str) -> list[dict[str, Any]]:
    """Decode a JSON SenML pack into its raw records, or raise SenMLError."""
    if len(payload) > MAX_PACK_BYTES:
        raise SenMLError(f"pack of {len(payload)} bytes exceeds {MAX_PACK_BYTES}")
    try:
        pack = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise SenMLError(f"not JSON: {error}") from None
    if isinstance(pack, dict):
        pack = [pack]
    if not isinstance(pack, list) or not pack:
        raise SenMLError("a SenML pack is a non-empty JSON array of records")
    if len(pack) > MAX_RECORDS:
        raise SenMLError(f"{len(pack)} records exceed the limit of {MAX_RECORDS}")
    for index, record in enumerate(pack):
        if not isinstance(record, dict):
            raise SenMLError(f"record {index} is not a JSON object")
    return pack


def _number(record: dict, field: str, index: int) -> float:
    """The field's value as a float; the caller checked the field is there (null is refused)."""
    value = record[field]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SenMLError(f"record {index}: '{field}' must be a finite number")
    return float(value)


def resolve(raw_records: list[dict[str, Any]], *, now: dt.datetime) -> list[Record]:
    """Resolve base fields into full records (RFC 8428 section 4.6), or raise SenMLError.

    The hot path of ingestion (one call per pack, one pass per record): the common record,
    a name and a numeric value, takes the shortest way; times are converted once per distinct
    value (a pack's records mostly share one or two instants).
    """
    base_name, base_time, base_unit, base_value, base_sum = "", 0.0, "", None, None
    records = []
    times: dict[float, dt.datetime] = {}
    for index, raw in enumerate(raw_records):
        if not raw.keys() <= _KNOWN_FIELDS:
            unknown = [key for key in raw if key not in _KNOWN_FIELDS and not key.endswith("_")]
            if unknown:
                raise SenMLError(f"record {index}: unknown field(s) {', '.join(sorted(unknown))}")
        if not raw.keys().isdisjoint(_BASE_FIELDS):
            if "bver" in raw and raw["bver"] not in (10, 11, 12, 13):
                raise SenMLError(f"record {index}: unsupported SenML version {raw['bver']!r}")
            if "bn" in raw:
                if not isinstance(raw["bn"], str):
                    raise SenMLError(f"record {index}: 'bn' must be a string")
                base_name = raw["bn"]
            if "bt" in raw:
                base_time = _number(raw, "bt", index)
            if "bu" in raw:
                if not isinstance(raw["bu"], str):
                    raise SenMLError(f"record {index}: 'bu' must be a string")
                base_unit = raw["bu"]
            if "bv" in raw:
                base_value = _number(raw, "bv", index)
            if "bs" in raw:
                base_sum = _number(raw, "bs", index)
        values = [field for field in _VALUE_FIELDS if field in raw]
        if not values:
            if set(raw) & {"n", "u", "t"}:
                raise SenMLError(f"record {index}: a record needs a value (v, vs, vb, vd or s)")
            continue  # a record of base fields only
        if len(values) > 1 and values != ["v", "s"]:
            raise SenMLError(f"record {index}: more than one value ({', '.join(values)})")
        name = raw.get("n", "")
        if not isinstance(name, str) or not (name := base_name + name):
            raise SenMLError(f"record {index}: missing name")
        unit = raw.get("u", base_unit)
        if not isinstance(unit, str):
            raise SenMLError(f"record {index}: 'u' must be a string")
        seconds = base_time + _number(raw, "t", index) if "t" in raw else base_time
        time = times.get(seconds)
        if time is None:
            time = times[seconds] = _time(seconds, now, index)
        value = string_value = data_value = None
        if "v" in raw:
            value = _number(raw, "v", index) + (base_value or 0.0)
        elif "s" in raw:
            value = _number(raw, "s", index) + (base_sum or 0.0)
        elif "vb" in raw:
            if not isinstance(raw["vb"], bool):
                raise SenMLError(f"record {index}: 'vb' must be true or false")
            value = 1.0 if raw["vb"] else 0.0
        elif "vs" in raw:
            string_value = str(raw["vs"])
        else:
            data_value = str(raw["vd"])
        records.append(Record(index, name, time, unit, value, string_value, data_value))
    if not records:
        raise SenMLError("the pack holds no record with a value")
    return records


def _time(seconds: float, now: dt.datetime, index: int) -> dt.datetime:
    if abs(seconds) < RELATIVE_TIME_LIMIT:
        return now + dt.timedelta(seconds=seconds)
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise SenMLError(f"record {index}: time {seconds} out of range") from None
