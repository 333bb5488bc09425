"""Forms of the sensors pages: a series' period and resolution, staff filters and actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from parvis.sensors.choices import DeadLetterReason, DeadLetterStatus, DeviceKind, Resolution
from parvis.sensors.selectors import Health

PERIODS = {
    "24h": (dt.timedelta(hours=24), _("24 hours")),
    "7d": (dt.timedelta(days=7), _("7 days")),
    "30d": (dt.timedelta(days=30), _("30 days")),
    "1y": (dt.timedelta(days=365), _("1 year")),
}
# The resolution shown when none is asked: about a hundred to a thousand points.
DEFAULT_RESOLUTION = {
    "24h": Resolution.RAW,
    "7d": Resolution.HOUR,
    "30d": Resolution.HOUR,
    "1y": Resolution.DAY,
}
# Finer resolutions than these would make pages (and their table twin) of many thousand rows.
FINEST_RESOLUTION = {
    "24h": Resolution.RAW,
    "7d": Resolution.RAW,
    "30d": Resolution.HOUR,
    "1y": Resolution.DAY,
}
_FINENESS = [Resolution.DAY, Resolution.HOUR, Resolution.RAW]


class SeriesForm(forms.Form):
    """The period (ending now) and resolution of a series, from the query string.

    Always bound: missing values take their defaults, so the page without parameters and the
    form as displayed agree. Individual meter flows have no raw resolution.
    """

    period = forms.ChoiceField(
        label=_("Period"), choices=[(key, label) for key, (_delta, label) in PERIODS.items()]
    )
    resolution = forms.ChoiceField(label=_("Values"))

    def __init__(self, data: QueryDict | None = None, *, personal: bool = False) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("period"):
            data["period"] = "24h"
        if not data.get("resolution"):
            default = DEFAULT_RESOLUTION.get(data["period"], Resolution.HOUR)
            data["resolution"] = Resolution.HOUR if personal and default == "raw" else default
        super().__init__(data)
        self.personal = personal
        choices = [
            (Resolution.RAW, _("each measurement")),
            (Resolution.HOUR, _("hourly averages")),
            (Resolution.DAY, _("daily averages")),
        ]
        self.fields["resolution"].choices = choices[1:] if personal else choices

    def clean(self) -> dict:
        data = super().clean()
        period, resolution = data.get("period"), data.get("resolution")
        if period and resolution:
            finest = FINEST_RESOLUTION[period]
            if _FINENESS.index(resolution) > _FINENESS.index(finest):
                self.add_error(
                    "resolution",
                    _("Over %(period)s, choose %(resolution)s or coarser values.")
                    % {
                        "period": PERIODS[period][1],
                        "resolution": Resolution(finest).label,
                    },
                )
        return data

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of the chosen period, ending now."""
        return now - PERIODS[self.cleaned_data["period"]][0], now


class ThingFilterForm(forms.Form):
    """Staff filters of the device list: kind and health."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *DeviceKind.choices]
    )
    health = forms.ChoiceField(
        label=_("Health"),
        required=False,
        choices=[
            ("", _("All")),
            (Health.ONLINE, _("online")),
            (Health.STALE, _("stale")),
            (Health.SILENT, _("silent")),
        ],
    )

    def apply(self, things: list) -> list:
        """The devices matching the filters (all of them when the form is invalid)."""
        if not self.is_valid():
            return things
        kind, health = self.cleaned_data["kind"], self.cleaned_data["health"]
        return [
            thing
            for thing in things
            if (not kind or thing.kind == kind) and (not health or thing.health == health)
        ]


class DeadLetterFilterForm(forms.Form):
    """Filters of the dead-letter screen; pending letters are shown by default."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*DeadLetterStatus.choices, ("all", _("All statuses"))],
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("All reasons")), *DeadLetterReason.choices],
    )

    def selection(self) -> dict:
        """Keyword arguments of `dead_letter_list_for_staff`."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or DeadLetterStatus.PENDING
        return {"status": "" if status == "all" else status, "reason": data.get("reason", "")}


class DeadLetterBulkForm(forms.Form):
    """Replay or discard the selected letters of the screen."""

    ACTIONS = {"replay": _("Replay"), "discard": _("Discard")}

    letters = forms.ModelMultipleChoiceField(queryset=None, label=_("Letters"))
    action = forms.ChoiceField(label=_("Action on the selected messages"), choices=ACTIONS.items())

    def __init__(self, *args, letters, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letters"].queryset = letters
