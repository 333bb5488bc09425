"""The staff area's sections, declared by each app, so the staff area lists them without
knowing the apps above it (as `privacy_registry` does for personal data).

An app calls `register()` in its `AppConfig.ready()` with the permission that opens the
section (checked against the territory), the URL name (taking `territory_slug`) and its title.
The staff area of a territory shows, in `order`, the sections the person may open there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StaffArea:
    permission: str
    url_name: str
    title: Any  # a lazy translation
    order: int = 100


_areas: dict[str, StaffArea] = {}


def register(*areas: StaffArea) -> None:
    """Declare sections of the staff area (idempotent: keyed by URL name)."""
    for area in areas:
        _areas[area.url_name] = area


def staff_areas() -> list[StaffArea]:
    return sorted(_areas.values(), key=lambda area: (area.order, area.url_name))
