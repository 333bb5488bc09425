"""Vocabularies of sensors: device kinds, privacy classes, quality flags, dead-letter reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    """What a device observes, named after the FIWARE Smart Data Models entity it feeds."""

    AIR_QUALITY = "AirQualityObserved", _("Air quality station")
    NOISE = "NoiseLevelObserved", _("Noise level meter")
    PARKING = "ParkingSpot", _("Parking sensor")
    WATER = "WaterConsumptionObserved", _("Water meter or network flow meter")
    ENERGY = "EnergyConsumptionObserved", _("Energy meter of a public building")
    STREETLIGHT = "Streetlight", _("Street light")
    WASTE = "WasteContainer", _("Waste container fill level")
    TRAFFIC = "TrafficFlowObserved", _("Traffic counter")


class PrivacyClass(models.TextChoices):
    """How a flow is protected at the source (the seed's table of sensor types).

    - OPEN: environmental measurements with no person behind them (air, noise, lighting energy).
    - COUNTS_ONLY: camera-based counters may send counts, never images or strings.
    - OCCUPANCY: parking sensors send occupancy, never plates; raw values are kept a short time.
    - PERSONAL_METER: individual water or energy meters; each meter's readings are stored under a
      keyed pseudonym and published only as aggregates of at least `MIN_METERS_PUBLISHED` meters.
    """

    OPEN = "open", _("Open environmental measurement")
    COUNTS_ONLY = "counts_only", _("Counts only (camera-based counter)")
    OCCUPANCY = "occupancy", _("Occupancy only (no plates)")
    PERSONAL_METER = "personal_meter", _("Individual meters (pseudonymised, aggregated)")


# Aggregates of individual meters are published only above this many meters.
MIN_METERS_PUBLISHED = 10

# Retention of raw observations per privacy class, in days (rollups are kept).
DEFAULT_RETENTION_DAYS = {
    PrivacyClass.OPEN: 5 * 365,
    PrivacyClass.COUNTS_ONLY: 365,
    PrivacyClass.OCCUPANCY: 7,
    PrivacyClass.PERSONAL_METER: 90,
}


class Quality(models.IntegerChoices):
    """Quality flag of a stored observation."""

    GOOD = 0, _("good")
    SUSPECT = 1, _("outside the expected range (may be real)")


class Resolution(models.TextChoices):
    RAW = "raw", _("raw")
    HOUR = "hour", _("hourly")
    DAY = "day", _("daily")


class Channel(models.TextChoices):
    MQTT = "mqtt", _("MQTT")
    HTTP = "http", _("HTTP")


class DeadLetterReason(models.TextChoices):
    """Why a message or a record was not stored. Each is fixable, then replayable."""

    UNKNOWN_DEVICE = "unknown_device", _("unknown device")
    BAD_CREDENTIAL = "bad_credential", _("bad or missing device credential")
    MALFORMED = "malformed", _("malformed SenML pack")
    UNKNOWN_DATASTREAM = "unknown_datastream", _("no datastream of the device has this name")
    UNKNOWN_UNIT = "unknown_unit", _("unknown unit")
    UNIT_MISMATCH = "unit_mismatch", _("unit not convertible to the datastream's unit")
    FUTURE_TIME = "future_time", _("timestamp in the future")
    OUT_OF_RANGE = "out_of_range", _("value outside the plausible range")
    PRIVACY_REFUSED = "privacy_refused", _("refused at the source to protect privacy")
    INACTIVE_DEVICE = "inactive_device", _("device or datastream retired")
    INTERNAL_ERROR = "internal_error", _("the platform failed on this message (a bug)")


class DeadLetterStatus(models.TextChoices):
    PENDING = "pending", _("to examine")
    REPLAYED = "replayed", _("replayed and stored")
    DISCARDED = "discarded", _("discarded")
