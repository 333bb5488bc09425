"""Ingestion: from a device's SenML message to stored observations, or to the dead-letter store.

`messages_ingest` is the one entry point of every channel (MQTT consumer, HTTP endpoint,
SensorThings `CreateObservations`, dead-letter replay). For each message it identifies the
device, checks its credential, resolves the SenML pack, and for each record: finds the
datastream, applies the privacy rule of its class, converts the unit, checks time and range.
Valid rows are written in one batch (idempotent on datastream and time), rollups and latest
values follow; everything else becomes a dead letter with its reason. Nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parvis.core.events import DomainEvent
from parvis.sensors import store
from parvis.sensors.choices import DeadLetterReason, PrivacyClass, Quality
from parvis.sensors.models import Datastream, DeadLetter, PseudonymKey, Thing
from parvis.sensors.senml import Record, SenMLError, loads, resolve
from parvis.sensors.units import UnitError, conversion_factor

# Clocks of devices drift: a record up to this far in the future is accepted.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# `Thing.last_seen_at` moves at most this often (health needs it to within a sampling interval).
SEEN_PRECISION = dt.timedelta(seconds=5)
TOPIC_PREFIX = "parvis/devices/"
# Record names resolved to a datastream kept per device ("<bn>no2" -> no2): a gateway's
# meter ids can be many, so the cache is bounded.
NAMES_CACHED = 512
PSEUDONYM_PREFIX = "pseudonym:"

# payload: datastream_ids (set of int) — new observations were stored (alerts listen)
observations_stored = DomainEvent("observations_stored")


@dataclass(frozen=True)
class Message:
    """A message as received: the channel, where it came to, the credential it presented."""

    channel: str
    payload: bytes | str
    topic: str = ""
    device_key: str = ""
    token: str = ""
    received_at: dt.datetime = field(default_factory=timezone.now)


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    suspect: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [letter.reason for letter in self.dead_letters]


def device_key_from_topic(topic: str) -> str:
    """`parvis/devices/<key>/senml` -> `<key>` (empty when the topic is not a device topic)."""
    if not topic.startswith(TOPIC_PREFIX):
        return ""
    parts = topic[len(TOPIC_PREFIX) :].split("/")
    return parts[0] if len(parts) == 2 and parts[1] == "senml" else ""


class DeviceDirectory:
    """Devices and their datastreams by key, cached for `ttl` seconds (the consumer's hot path)."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Thing | None]] = {}

    def _fresh(self, key: str, now: float) -> bool:
        hit = self._cache.get(key)
        return hit is not None and now - hit[0] < self.ttl

    def get(self, key: str) -> Thing | None:
        if not self._fresh(key, clock.monotonic()):
            self.load({key})
        return self._cache[key][1]

    def prefetch(self, keys: Iterable[str]) -> None:
        """Load in one query the devices among `keys` not cached or expired (a batch's)."""
        now = clock.monotonic()
        due = {key for key in keys if not self._fresh(key, now)}
        if due:
            self.load(due)

    def load(self, keys: set[str]) -> None:
        now = clock.monotonic()
        found = {}
        if keys - {""}:
            for thing in Thing.objects.filter(key__in=keys - {""}).prefetch_related("datastreams"):
                thing.streams = {stream.senml_name: stream for stream in thing.datastreams.all()}
                thing.names = {}  # record name -> (datastream, prefix), filled as names come
                thing.tokens_ok = set()  # tokens already checked against the credential
                found[thing.key] = thing
        for key in keys:
            self._cache[key] = (now, found.get(key))

    def clear(self) -> None:
        self._cache.clear()


class _Rejected(Exception):
    def __init__(self, reason: str, detail: str, *, redact: bool = False) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.redact = reason, detail, redact


@dataclass
class _Batch:
    rows: list[store.Row] = field(default_factory=list)
    meter_rows: list[store.MeterRow] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    things: dict[int, Thing] = field(default_factory=dict)
    suspect: int = 0


def messages_ingest(
    *,
    messages: list[Message],
    trusted: bool = False,
    record_failures: bool = True,
    directory: DeviceDirectory | None = None,
    defer_rollups: bool = False,
) -> IngestResult:
    """Store what is valid in `messages`, dead-letter the rest, in one transaction.

    `trusted` skips the credential check: staff replaying a dead letter vouch for it. Safe to
    call again with the same messages (QoS 1 redelivery): stored rows are not duplicated.
    With `record_failures=False` (a replay) the dead letters are returned but not saved.
    A long-running consumer passes its `directory` to cache devices; by default they are read
    fresh (a revoked credential stops working at once).
    With `defer_rollups` (the MQTT consumer, on PostgreSQL) the new rows wait in the pending
    table for `store.rollups_merge`, which the caller runs every second or so, instead of
    updating the rollups and latest values in this transaction.
    Emits `observations_stored` after commit.
    """
    batch = _Batch()
    # Without a long-lived directory, one for this call: devices are read fresh, once each.
    directory = directory or DeviceDirectory()
    directory.prefetch(
        message.device_key or device_key_from_topic(message.topic) for message in messages
    )
    for message in messages:
        _message_check(message, batch, trusted=trusted, directory=directory)
    with transaction.atomic():
        store.partitions_ensure({row.time for row in batch.rows})
        deferred = defer_rollups and store.rollups_deferrable()
        inserted = store.observations_write(batch.rows, pending=deferred)
        new_readings = store.meter_readings_write(batch.meter_rows)
        store.meter_rollups_refresh(new_readings)
        if batch.things:
            _things_seen(batch.things.values())
        if record_failures:
            DeadLetter.objects.bulk_create(batch.letters)
        if not deferred:
            # Last, the rows every writer updates (latest values, rollups): their locks are held
            # until the commit, and another batch touching the same datastreams waits.
            store.latest_update(inserted)
            store.rollups_add(store.aggregate(inserted))
        if inserted or new_readings:
            datastream_ids = {row.datastream_id for row in [*inserted, *new_readings]}
            observations_stored.send_on_commit(sender=Datastream, datastream_ids=datastream_ids)
    offered = len(batch.rows) + len(batch.meter_rows)
    stored = len(inserted) + len(new_readings)
    return IngestResult(
        stored=stored,
        duplicates=offered - stored,
        suspect=batch.suspect,
        dead_letters=batch.letters,
    )


def _things_seen(things: Iterable[Thing]) -> None:
    """Record that the devices were heard, at most every SEEN_PRECISION: a device publishing
    several times a second would otherwise rewrite its row (and its indexes) at every batch.
    Health (online within 3 sampling intervals) stays exact to within that precision.
    The devices' cached rows (the consumer's directory) say when they were last written: most
    batches need no query at all."""
    now = timezone.now()
    due = [t for t in things if t.last_seen_at is None or t.last_seen_at < now - SEEN_PRECISION]
    if not due:
        return
    Thing.objects.filter(pk__in=[thing.pk for thing in due]).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_PRECISION)
    ).update(last_seen_at=now)

    def remember() -> None:  # only once written: a rolled-back batch leaves them due
        for thing in due:
            thing.last_seen_at = now

    transaction.on_commit(remember)


def dead_letter_for_error(message: Message, error: Exception) -> DeadLetter:
    """Keep a message on which ingestion itself failed (a bug), with the error, to replay."""
    letter = _letter(
        message, None, DeadLetterReason.INTERNAL_ERROR, f"{type(error).__name__}: {error}"
    )
    letter.save()
    return letter


def _storable(text: str) -> str:
    """Text a database keeps as it is: PostgreSQL refuses NUL characters in text columns."""
    return text.replace("\x00", "\ufffd")


def _letter(message: Message, thing: Thing | None, reason: str, detail: str, **extra) -> DeadLetter:
    payload = message.payload
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    detail = _storable(detail)
    return DeadLetter(
        territory_id=thing.territory_id if thing else None,
        thing=thing,
        channel=message.channel,
        topic=message.topic[:300],
        device_key=(message.device_key or device_key_from_topic(message.topic))[:64],
        payload=_storable(extra.pop("payload", payload)),
        reason=reason,
        detail=detail,
        **extra,
    )


def _message_check(
    message: Message, batch: _Batch, *, trusted: bool, directory: DeviceDirectory
) -> None:
    key = message.device_key or device_key_from_topic(message.topic)
    thing = directory.get(key)
    if thing is None:
        detail = (
            f"no device with key {key!r}" if key else f"topic {message.topic!r} names no device"
        )
        batch.letters.append(_letter(message, None, DeadLetterReason.UNKNOWN_DEVICE, detail))
        return
    if not trusted and not _credential_ok(thing, message.token):
        batch.letters.append(
            _letter(message, thing, DeadLetterReason.BAD_CREDENTIAL, "credential missing or wrong")
        )
        return
    if not thing.is_active:
        batch.letters.append(
            _letter(message, thing, DeadLetterReason.INACTIVE_DEVICE, "the device is retired")
        )
        return
    try:
        records = resolve(loads(message.payload), now=message.received_at)
    except SenMLError as error:
        batch.letters.append(_letter(message, thing, DeadLetterReason.MALFORMED, str(error)))
        return
    batch.things[thing.pk] = thing
    latest_accepted = message.received_at + FUTURE_TOLERANCE
    for record in records:
        try:
            _record_accept(thing, record, latest_accepted, batch)
        except _Rejected as rejected:
            batch.letters.append(_record_letter(message, thing, record, rejected))


def _credential_ok(thing: Thing, token: str) -> bool:
    """Whether `token` is the device's credential; a token once checked is remembered with the
    cached device (until the directory reloads it: a revoked credential stops within its TTL)."""
    checked = getattr(thing, "tokens_ok", None)
    if checked is not None and token in checked:
        return True
    key, _, secret = token.partition(".")
    ok = key == thing.key and thing.check_secret(secret)
    if ok and checked is not None:
        checked.add(token)
    return ok


def _stream_for(thing: Thing, name: str) -> tuple[Datastream, str]:
    """The datastream a record name feeds, and the prefix before its SenML name (a meter id)."""
    stream = thing.streams.get(name)
    if stream is not None:
        return stream, ""
    for separator in (":", "/"):
        prefix, _, last = name.rpartition(separator)
        stream = thing.streams.get(last)
        if stream is not None and prefix:
            return stream, prefix
    raise _Rejected(
        DeadLetterReason.UNKNOWN_DATASTREAM, f"no datastream named {name!r} on {thing.key}"
    )


_GOOD, _SUSPECT = int(Quality.GOOD), int(Quality.SUSPECT)


def _record_accept(thing: Thing, record: Record, latest_accepted: dt.datetime, batch: _Batch):
    """Check one record against its datastream and add it to the batch, or raise _Rejected.

    Runs once per observation: the common case (a number, in the datastream's unit or a
    convertible one, in range) goes straight through.
    """
    if record.data_value is not None:
        raise _Rejected(
            DeadLetterReason.PRIVACY_REFUSED,
            "binary data (an image?) is never accepted: devices send measurements only",
            redact=True,
        )
    found = thing.names.get(record.name)
    if found is None:
        found = _stream_for(thing, record.name)
        if len(thing.names) < NAMES_CACHED:
            thing.names[record.name] = found
    stream, prefix = found
    privacy = stream.privacy_class
    if record.string_value is not None:
        sensitive = privacy in (PrivacyClass.OCCUPANCY, PrivacyClass.COUNTS_ONLY)
        raise _Rejected(
            DeadLetterReason.PRIVACY_REFUSED if sensitive else DeadLetterReason.MALFORMED,
            "text values are refused from this sensor type (counts or occupancy only)"
            if sensitive
            else "text values are not measurements",
            redact=sensitive,
        )
    if not stream.is_active:
        raise _Rejected(DeadLetterReason.INACTIVE_DEVICE, f"datastream {stream.name} is retired")
    try:
        value = record.value * conversion_factor(record.unit, stream.unit)
    except UnitError as error:
        reason = DeadLetterReason.UNKNOWN_UNIT if error.unknown else DeadLetterReason.UNIT_MISMATCH
        raise _Rejected(reason, str(error)) from None
    if record.time > latest_accepted:
        received_at = latest_accepted - FUTURE_TOLERANCE
        raise _Rejected(
            DeadLetterReason.FUTURE_TIME,
            f"time {record.time.isoformat()} is after reception {received_at.isoformat()}",
        )
    if (stream.valid_min is not None and value < stream.valid_min) or (
        stream.valid_max is not None and value > stream.valid_max
    ):
        raise _Rejected(
            DeadLetterReason.OUT_OF_RANGE,
            f"{value:g} {stream.unit} outside the plausible range "
            f"[{stream.valid_min}, {stream.valid_max}]",
        )
    if privacy == PrivacyClass.PERSONAL_METER:
        if not prefix:
            raise _Rejected(DeadLetterReason.MALFORMED, "a meter reading needs the meter's id")
        pseudonym, version = meter_pseudonym(datastream=stream, meter_id=prefix)
        batch.meter_rows.append(store.MeterRow(stream.pk, pseudonym, version, record.time, value))
        return
    quality = _GOOD
    if (stream.expected_min is not None and value < stream.expected_min) or (
        stream.expected_max is not None and value > stream.expected_max
    ):
        quality = _SUSPECT
        batch.suspect += 1
    batch.rows.append(store.Row(stream.pk, record.time, value, quality))


def _record_letter(
    message: Message, thing: Thing, record: Record, rejected: _Rejected
) -> DeadLetter:
    """A dead letter for one record: the record alone, resolved, so it can be replayed alone.

    Refused private content (an image, a text that may be a plate) is removed before storing;
    an individual meter's id is replaced by its pseudonym.
    """
    kept = record.as_json()
    if rejected.redact:
        for key in ("vd", "vs"):
            if key in kept:
                kept[key] = "[removed]"
    try:
        stream, prefix = _stream_for(thing, record.name)
    except _Rejected:
        stream, prefix = None, ""
    personal = stream is not None and stream.is_personal
    if personal and prefix and not prefix.startswith(PSEUDONYM_PREFIX):
        pseudonym, _ = meter_pseudonym(datastream=stream, meter_id=prefix)
        kept["n"] = f"{PSEUDONYM_PREFIX}{pseudonym}:{stream.senml_name}"
    return _letter(
        message,
        thing,
        rejected.reason,
        f"record {record.index}: {rejected.detail}",
        payload=json.dumps([kept]),
        record_index=record.index,
        redacted=rejected.redact,
    )


def _master_key() -> bytes:
    keys = settings.PARVIS_PSEUDONYM_KEYS or [settings.SECRET_KEY]
    return keys[0].encode()


def meter_pseudonym(*, datastream: Datastream, meter_id: str) -> tuple[str, int]:
    """The keyed pseudonym of a meter in a flow, with the version of the key used.

    HMAC-SHA256(flow key, meter id); the flow key is HMAC(master key, the version's salt), so
    neither the database nor the master key alone links a pseudonym to a meter. A meter id that
    is already a pseudonym (a replayed dead letter) is kept as it is.
    """
    if meter_id.startswith(PSEUDONYM_PREFIX):
        return meter_id[len(PSEUDONYM_PREFIX) :], 0
    key = _current_key(datastream)
    flow_key = hmac.new(_master_key(), key.salt.encode(), hashlib.sha256).digest()
    digest = hmac.new(flow_key, meter_id.encode(), hashlib.sha256).hexdigest()
    return digest, key.version


# Current key per flow, re-read after a minute so a rotation by the worker reaches consumers.
_keys: dict[int, tuple[float, PseudonymKey]] = {}
KEY_CACHE_SECONDS = 60.0


def _current_key(datastream: Datastream) -> PseudonymKey:
    cached = _keys.get(datastream.pk)
    if cached is not None and clock.monotonic() - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    key = (
        PseudonymKey.objects.filter(datastream=datastream, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )
    if key is None:
        key = pseudonym_key_rotate(datastream=datastream)
    _keys[datastream.pk] = (clock.monotonic(), key)
    return key


@transaction.atomic
def pseudonym_key_rotate(*, datastream: Datastream) -> PseudonymKey:
    """Retire the flow's current pseudonym key and start a new one.

    Readings stored after the rotation cannot be linked to those before: the unlinkability is
    the point (a meter's consumption history cannot be rebuilt across periods).
    """
    current = (
        PseudonymKey.objects.select_for_update()
        .filter(datastream=datastream, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )
    version = 1
    if current is not None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
        version = current.version + 1
    key = PseudonymKey.objects.create(
        datastream=datastream, version=version, salt=secrets.token_hex(16)
    )
    _keys[datastream.pk] = (clock.monotonic(), key)
    return key


def pseudonym_cache_clear() -> None:
    _keys.clear()
