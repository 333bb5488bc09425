"""How every app declares the personal data it holds (GDPR art. 30), without being imported.

Each app that stores personal data has a `privacy.py` that calls `register()` with one or more
`ProcessingActivity`. The `privacy` app reads the registry to build the register of processing,
the privacy policy, "download my data" and "delete my account". Apps never import `privacy`
for this: the registry lives here, in `core`, below every app.

An activity lists the models holding the data (`models`, as "app_label.ModelName"); a test
checks that every model holding personal data is covered by some activity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class LegalBasis:
    """GDPR art. 6(1) legal bases, with the wording used in French registers."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    LABELS = {
        CONSENT: _("Consent (GDPR art. 6-1-a)"),
        CONTRACT: _("Contract (GDPR art. 6-1-b)"),
        LEGAL_OBLIGATION: _("Legal obligation (GDPR art. 6-1-c)"),
        VITAL_INTERESTS: _("Vital interests (GDPR art. 6-1-d)"),
        PUBLIC_TASK: _("Public interest task (GDPR art. 6-1-e)"),
        LEGITIMATE_INTERESTS: _("Legitimate interests (GDPR art. 6-1-f)"),
    }


Exporter = Callable[[Any], dict[str, Any]]
Eraser = Callable[[Any], None]


@dataclass(frozen=True)
class ProcessingActivity:
    """One entry of the register of processing activities (GDPR art. 30-1).

    `export(user)` returns the person's data as JSON-serialisable values; `erase(user)` deletes
    or anonymises it, keeping what the law or the public record requires. Both run inside the
    rights-request transaction.
    """

    key: str
    name: Any
    purpose: Any
    legal_basis: str
    data_subjects: tuple[Any, ...]
    data_categories: tuple[Any, ...]
    recipients: tuple[Any, ...]
    retention: Any
    models: tuple[str, ...]
    export: Exporter
    erase: Eraser
    sensitive_data: bool = False
    transfers_outside_eu: bool = False
    security_measures: tuple[Any, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.legal_basis not in LegalBasis.LABELS:
            raise ValueError(f"Unknown legal basis {self.legal_basis!r} for {self.key}")

    @property
    def legal_basis_label(self) -> Any:
        return LegalBasis.LABELS[self.legal_basis]


_activities: dict[str, ProcessingActivity] = {}


def register(activity: ProcessingActivity) -> ProcessingActivity:
    """Add an activity to the register; keys are unique across the platform."""
    existing = _activities.get(activity.key)
    if existing is not None and existing != activity:
        raise ValueError(f"Processing activity {activity.key!r} registered twice")
    _activities[activity.key] = activity
    return activity


def activities() -> list[ProcessingActivity]:
    """Every registered activity, in a stable order."""
    return sorted(_activities.values(), key=lambda activity: activity.key)


def covered_models() -> set[str]:
    """Labels ("app_label.ModelName") of every model some activity declares."""
    return {label for activity in _activities.values() for label in activity.models}


def autodiscover() -> None:
    """Import every installed app's `privacy` module so it can register."""
    autodiscover_modules("privacy")


@dataclass(frozen=True)
class ConsentPurpose:
    """Something a person may consent to, and withdraw from, at any time.

    `notice_version` changes whenever the text shown to the person changes; consents given on an
    older notice remain valid evidence of what was shown then.
    """

    key: str
    label: Any
    description: Any
    processing_activity: str
    notice_version: str
    # False for consents only an agent collects (for someone who is not online).
    offered_online: bool = True


_purposes: dict[str, ConsentPurpose] = {}


def register_consent_purpose(purpose: ConsentPurpose) -> ConsentPurpose:
    _purposes[purpose.key] = purpose
    return purpose


def consent_purposes() -> list[ConsentPurpose]:
    return sorted(_purposes.values(), key=lambda purpose: purpose.key)


def consent_purpose(key: str) -> ConsentPurpose:
    try:
        return _purposes[key]
    except KeyError:
        raise LookupError(f"Unknown consent purpose {key!r}") from None
