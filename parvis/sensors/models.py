"""The territory's sensors, following the OGC SensorThings data model.

Thing (a device, with its location) -> Datastreams (one observed property each, in one UCUM unit,
measured by a Sensor) -> Observations. Observations are narrow rows unique on (datastream, time),
so redelivered MQTT messages are idempotent; hourly and daily rollups are maintained by ingestion.
Invalid input lands in the dead-letter store, never nowhere.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TerritorialModel, TerritorialQuerySet, TimeStampedModel
from parvis.sensors.choices import (
    DEFAULT_RETENTION_DAYS,
    Channel,
    DeadLetterReason,
    DeadLetterStatus,
    DeviceKind,
    PrivacyClass,
    Quality,
    Resolution,
)


class ObservedProperty(models.Model):
    """A phenomenon that can be observed (NO2 concentration, occupancy, water volume...).

    `code` is the FIWARE Smart Data Models attribute name (`no2`, `occupancy`, `waterConsumption`).
    Shared by every territory.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    definition = models.URLField(_("definition"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("observed property")
        verbose_name_plural = _("observed properties")

    def __str__(self) -> str:
        return self.name


class Sensor(models.Model):
    """A model of instrument (SensorThings `Sensor`): what measures, with its data sheet."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=100, default="text/html")
    metadata = models.CharField(_("metadata"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sensor model")
        verbose_name_plural = _("sensor models")

    def __str__(self) -> str:
        return self.name


class ThingQuerySet(TerritorialQuerySet):
    def public(self):
        return self.filter(is_public=True, is_active=True)


class Thing(TerritorialModel):
    """A device installed in the territory (SensorThings `Thing`), with its location.

    `key` names the device in its MQTT topic and HTTP credential; only a hash of its secret is
    kept (`credential_hash`), the secret is shown once when issued. The operator, purpose and
    retention are what the public sensor register shows.
    """

    key = models.SlugField(_("device key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=DeviceKind.choices)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    operator = models.CharField(_("operated by"), max_length=200)
    purpose = models.TextField(_("why it measures"))
    is_public = models.BooleanField(_("shown to the public"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    credential_hash = models.CharField(max_length=64, editable=False)
    last_seen_at = models.DateTimeField(_("last message"), null=True, blank=True)
    properties = models.JSONField(_("properties"), default=dict, blank=True)

    objects = ThingQuerySet.as_manager()

    class Meta:
        ordering = ["territory", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.name

    @property
    def topic(self) -> str:
        return f"parvis/devices/{self.key}/senml"

    def issue_credential(self) -> str:
        """Give the device a new secret; returns the token `<key>.<secret>` (shown once)."""
        secret = secrets.token_urlsafe(24)
        self.credential_hash = hashlib.sha256(secret.encode()).hexdigest()
        return f"{self.key}.{secret}"

    def check_secret(self, secret: str) -> bool:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        return bool(self.credential_hash) and secrets.compare_digest(digest, self.credential_hash)


class Datastream(TerritorialModel):
    """One series of observations of one property by one device, in one UCUM unit.

    `senml_name` is the name of the device's SenML records that feed it. Values outside
    `valid_min`..`valid_max` are physically impossible (dead-lettered); values outside
    `expected_min`..`expected_max` may be real and are stored with the SUSPECT flag.
    `latest_time`/`latest_value` are kept by ingestion so the latest values of a whole territory
    are one indexed read.
    """

    thing = models.ForeignKey(
        Thing, on_delete=models.CASCADE, related_name="datastreams", verbose_name=_("device")
    )
    sensor = models.ForeignKey(
        Sensor, on_delete=models.PROTECT, related_name="datastreams", verbose_name=_("sensor")
    )
    observed_property = models.ForeignKey(
        ObservedProperty,
        on_delete=models.PROTECT,
        related_name="datastreams",
        verbose_name=_("observed property"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    senml_name = models.CharField(_("SenML record name"), max_length=64)
    unit = models.CharField(_("unit (UCUM code)"), max_length=32)
    unit_symbol = models.CharField(_("unit symbol"), max_length=32, blank=True)
    unit_name = models.CharField(_("unit name"), max_length=64)
    sampling_interval = models.PositiveIntegerField(_("sampling interval (s)"), default=600)
    valid_min = models.FloatField(_("plausible minimum"), null=True, blank=True)
    valid_max = models.FloatField(_("plausible maximum"), null=True, blank=True)
    expected_min = models.FloatField(_("expected minimum"), null=True, blank=True)
    expected_max = models.FloatField(_("expected maximum"), null=True, blank=True)
    privacy_class = models.CharField(
        _("privacy class"), max_length=20, choices=PrivacyClass.choices, default=PrivacyClass.OPEN
    )
    retention_days = models.PositiveIntegerField(_("raw retention (days)"), null=True, blank=True)
    is_public = models.BooleanField(_("shown to the public"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    latest_time = models.DateTimeField(_("latest observation"), null=True, blank=True)
    latest_value = models.FloatField(_("latest value"), null=True, blank=True)

    class Meta:
        ordering = ["thing", "name"]
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")
        constraints = [
            models.UniqueConstraint(
                fields=["thing", "senml_name"],
                name="sensors_datastream_unique_senml_name",
                violation_error_message=_("This device already has a datastream of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def retention(self) -> int:
        """Days raw observations are kept: the datastream's own setting or its class default."""
        return self.retention_days or DEFAULT_RETENTION_DAYS[PrivacyClass(self.privacy_class)]

    @property
    def is_personal(self) -> bool:
        return self.privacy_class == PrivacyClass.PERSONAL_METER


class Observation(models.Model):
    """One value of a datastream at one time. Unique on (datastream, time): writes are idempotent.

    On PostgreSQL the table is partitioned by month of `phenomenon_time` (migration 0002).
    """

    pk = models.CompositePrimaryKey("datastream", "phenomenon_time")
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="+")
    phenomenon_time = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))
    quality = models.SmallIntegerField(_("quality"), choices=Quality.choices, default=Quality.GOOD)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.datastream_id} @ {self.phenomenon_time:%Y-%m-%d %H:%M:%S}: {self.value:g}"


class MeterReading(models.Model):
    """A reading of an individual meter, stored under a keyed pseudonym, never the meter's id.

    `pseudonym` is HMAC(key of the flow, meter id) with the key of `key_version`; keys rotate, so
    readings of different periods cannot be linked. Only aggregates of at least
    MIN_METERS_PUBLISHED meters leave the platform (see the rollups' `subjects`).
    """

    pk = models.CompositePrimaryKey("datastream", "pseudonym", "phenomenon_time")
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="+")
    pseudonym = models.CharField(max_length=64)
    key_version = models.PositiveIntegerField()
    phenomenon_time = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        indexes = [models.Index(fields=["datastream", "phenomenon_time"])]

    def __str__(self) -> str:
        return f"{self.pseudonym[:8]} @ {self.phenomenon_time:%Y-%m-%d %H:%M}: {self.value:g}"


class PseudonymKey(models.Model):
    """A versioned key of a personal flow's pseudonyms, derived from the platform secret.

    The key is HMAC(PARVIS_PSEUDONYM_SECRET, salt): the database alone cannot recompute it.
    """

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="keys")
    version = models.PositiveIntegerField()
    salt = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["datastream", "version"], name="sensors_pseudonymkey_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id} v{self.version}"


class Rollup(models.Model):
    """Count, sum, min and max of a datastream over an hour or a day, kept by ingestion.

    For personal meter flows, `subjects` counts the distinct meters of the bucket: the bucket
    is published only when it reaches MIN_METERS_PUBLISHED.
    """

    pk = models.CompositePrimaryKey("datastream", "resolution", "bucket")
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="+")
    resolution = models.CharField(max_length=4, choices=Resolution.choices)
    bucket = models.DateTimeField(_("period start"))
    count = models.PositiveIntegerField(_("count"))
    sum = models.FloatField(_("sum"))
    min = models.FloatField(_("minimum"))
    max = models.FloatField(_("maximum"))
    subjects = models.PositiveIntegerField(_("distinct meters"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")

    def __str__(self) -> str:
        return f"{self.datastream_id} {self.resolution} {self.bucket:%Y-%m-%d %H:%M}"


class DeadLetter(TimeStampedModel):
    """A message or record that was not stored, with its reason and raw payload, replayable.

    `territory` and `thing` are known when the device was identified. For payloads refused to
    protect privacy (an image from a counter, a plate from a parking sensor) the offending
    content is not kept: `payload` holds the pack with it removed and `redacted` is set.
    """

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    thing = models.ForeignKey(
        Thing, on_delete=models.SET_NULL, null=True, blank=True, related_name="dead_letters"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("topic or path"), max_length=300, blank=True)
    device_key = models.CharField(_("device key"), max_length=64, blank=True)
    payload = models.TextField(_("payload"))
    record_index = models.PositiveIntegerField(_("record in the pack"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=24, choices=DeadLetterReason.choices)
    detail = models.TextField(_("detail"))
    redacted = models.BooleanField(_("content removed for privacy"), default=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeadLetterStatus.choices,
        default=DeadLetterStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("replays"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        indexes = [models.Index(fields=["territory", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.device_key or '?'})"


__all__ = [
    "Datastream",
    "DeadLetter",
    "MeterReading",
    "Observation",
    "ObservedProperty",
    "PseudonymKey",
    "Rollup",
    "Sensor",
    "Thing",
]
