"""Writes of the sensors domain: the device registry and the dead-letter store."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from parvis.core.audit import AuditAction, audit
from parvis.sensors.catalogue import KINDS, METER_GATEWAY, PROPERTIES
from parvis.sensors.choices import DeadLetterStatus, DeviceKind
from parvis.sensors.ingest import IngestResult, Message, messages_ingest
from parvis.sensors.models import Datastream, DeadLetter, ObservedProperty, Sensor, Thing


@transaction.atomic
def thing_create(*, territory, key: str, **fields) -> tuple[Thing, str]:
    """Register a device; returns it with its ingestion token `<key>.<secret>`, shown once."""
    thing = Thing(territory=territory, key=key, **fields)
    token = thing.issue_credential()
    thing.full_clean()
    thing.save()
    return thing, token


@transaction.atomic
def thing_register(
    *,
    territory,
    key: str,
    kind: str,
    name: str,
    latitude: float,
    longitude: float,
    operator: str,
    purpose: str,
    meter_gateway: bool = False,
    is_public: bool = True,
    **fields,
) -> tuple[Thing, str]:
    """Register a device of a catalogued kind with its datastreams; returns it and its token.

    A `meter_gateway` relays individual meters: its one datastream is pseudonymised at the
    source and never public as raw values.
    """
    spec = METER_GATEWAY if meter_gateway else KINDS[DeviceKind(kind)]
    thing, token = thing_create(
        territory=territory,
        key=key,
        kind=kind,
        name=name,
        latitude=latitude,
        longitude=longitude,
        operator=operator,
        purpose=purpose,
        is_public=is_public,
        **fields,
    )
    sensor, _ = Sensor.objects.get_or_create(name=spec.sensor)
    for code in spec.properties:
        prop = PROPERTIES[code]
        observed, _ = ObservedProperty.objects.get_or_create(
            code=code, defaults={"name": prop.name, "definition": prop.definition}
        )
        datastream_create(
            thing=thing,
            sensor=sensor,
            observed_property=observed,
            name=f"{prop.name} — {name}",
            senml_name=code,
            unit=prop.unit,
            unit_symbol=prop.symbol,
            unit_name=prop.unit_name,
            sampling_interval=spec.sampling_interval,
            valid_min=prop.valid[0],
            valid_max=prop.valid[1],
            expected_min=prop.expected[0],
            expected_max=prop.expected[1],
            privacy_class=spec.privacy,
            is_public=is_public,
        )
    return thing, token


@transaction.atomic
def thing_credential_reset(*, thing: Thing, actor) -> str:
    """Issue a new token to a device. The old one stops at once over HTTP, and within the
    consumer's device directory TTL (30 s) over MQTT."""
    token = thing.issue_credential()
    thing.save(update_fields=["credential_hash", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="device credential reset",
        target=thing,
        territory=thing.territory,
    )
    return token


@transaction.atomic
def datastream_create(*, thing: Thing, **fields) -> Datastream:
    """Add a datastream to a device, in its territory."""
    datastream = Datastream(thing=thing, territory=thing.territory, **fields)
    datastream.full_clean()
    datastream.save()
    return datastream


@transaction.atomic
def dead_letter_replay(*, letter: DeadLetter, actor) -> IngestResult:
    """Ingest a dead letter's payload again, after staff fixed its cause.

    The replay is trusted (no device credential: the staff member vouches for it) and
    idempotent. When it still fails, the letter stays pending with the new reason; the
    failures of a replay never create new letters.
    """
    result = messages_ingest(
        messages=[
            Message(
                channel=letter.channel,
                payload=letter.payload,
                topic=letter.topic,
                device_key=letter.device_key,
                received_at=letter.created_at,
            )
        ],
        trusted=True,
        record_failures=False,
    )
    letter.attempts += 1
    if result.dead_letters:
        failure = result.dead_letters[0]
        letter.reason, letter.detail = failure.reason, failure.detail
    else:
        letter.status = DeadLetterStatus.REPLAYED
        letter.resolved_at = timezone.now()
    letter.save()
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb=f"dead letter replayed: {letter.status}",
        target=letter,
        territory=letter.territory,
    )
    return result


@transaction.atomic
def dead_letter_discard(*, letter: DeadLetter, actor) -> None:
    """Close a dead letter without storing it (staff judged it worthless)."""
    letter.status = DeadLetterStatus.DISCARDED
    letter.resolved_at = timezone.now()
    letter.save(update_fields=["status", "resolved_at", "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="dead letter discarded",
        target=letter,
        territory=letter.territory,
    )


# Dead letters are kept this long once resolved, and twice as long while pending.
DEAD_LETTER_RETENTION_DAYS = 30


def observations_purge_expired(*, now=None) -> int:
    """Delete raw observations and meter readings older than their datastream's retention.

    Rollups stay: the hourly and daily history outlives the raw values. Returns rows deleted.
    """
    from datetime import timedelta

    from parvis.sensors.models import MeterReading, Observation

    now = now or timezone.now()
    deleted = 0
    for datastream in Datastream.objects.only("pk", "privacy_class", "retention_days"):
        cutoff = now - timedelta(days=datastream.retention)
        model = MeterReading if datastream.is_personal else Observation
        with transaction.atomic():
            count, _ = model.objects.filter(
                datastream_id=datastream.pk, phenomenon_time__lt=cutoff
            ).delete()
        deleted += count
    return deleted


def dead_letters_purge(*, now=None) -> int:
    """Delete dead letters past retention (they may hold raw payloads)."""
    from datetime import timedelta

    now = now or timezone.now()
    resolved = DeadLetter.objects.exclude(status=DeadLetterStatus.PENDING).filter(
        updated_at__lt=now - timedelta(days=DEAD_LETTER_RETENTION_DAYS)
    )
    pending = DeadLetter.objects.filter(
        status=DeadLetterStatus.PENDING,
        created_at__lt=now - timedelta(days=2 * DEAD_LETTER_RETENTION_DAYS),
    )
    return resolved.delete()[0] + pending.delete()[0]


def pseudonym_keys_rotate() -> int:
    """Start a new pseudonym key on every personal flow (monthly). Returns flows rotated."""
    from parvis.sensors.choices import PrivacyClass
    from parvis.sensors.ingest import pseudonym_key_rotate

    flows = Datastream.objects.filter(privacy_class=PrivacyClass.PERSONAL_METER)
    for datastream in flows:
        pseudonym_key_rotate(datastream=datastream)
    return len(flows)
