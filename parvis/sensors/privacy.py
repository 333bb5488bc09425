"""Personal data of the sensors app: individual meter readings, pseudonymised at the source.

Sensors of public space (air, noise, lighting, parking occupancy, counters) record no person:
counters send counts only and parking sensors occupancy only, anything else is refused at the
source (see `ingest`). Individual water and energy meters do describe a household: their
readings are stored under keyed pseudonyms, rotated monthly, and published only as aggregates
of at least ten meters.
"""

from django.utils.translation import gettext_lazy as _

from parvis.core.privacy_registry import LegalBasis, ProcessingActivity, register


def export(user) -> dict:
    """Meter readings are not linked to accounts: the platform cannot find a person's readings.

    GDPR art. 11: the controller need not re-identify pseudonymised data to answer a request;
    the meter's operator (the water or energy utility) answers with the meter id.
    """
    return {}


def erase(user) -> None:
    """Nothing links an account to meter readings (see `export`)."""


register(
    ProcessingActivity(
        key="sensors.individual_meters",
        name=_("Individual water and energy meter readings"),
        purpose=_(
            "Detect leaks and follow the consumption of the territory's networks; publish "
            "aggregate consumption of at least ten meters."
        ),
        legal_basis=LegalBasis.PUBLIC_TASK,
        data_subjects=(_("Households and organisations with an individual meter"),),
        data_categories=(
            _("Meter readings (volume or energy) with their time, under a keyed pseudonym"),
        ),
        recipients=(
            _("Network operations agents (aggregates)"),
            _("Public (aggregates of 10 meters or more)"),
        ),
        retention=_(
            "Individual readings 90 days (per flow, configurable), hourly and daily aggregates "
            "kept; pseudonym keys rotated every month; undelivered messages 60 days at most."
        ),
        models=("sensors.MeterReading", "sensors.PseudonymKey", "sensors.DeadLetter"),
        export=export,
        erase=erase,
        security_measures=(
            _("HMAC-SHA256 pseudonyms, a key per flow, derived from a secret outside the database"),
            _("Aggregates published only with 10 meters or more"),
            _("Images and free text refused at the source from counters and parking sensors"),
        ),
    )
)
