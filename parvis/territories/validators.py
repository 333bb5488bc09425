"""Identifiers of French collectivités and GeoJSON areas."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def validate_insee_code(value: str) -> None:
    """Code officiel géographique: five characters, Corsica as 2A/2B."""
    if not INSEE_CODE.match(value or ""):
        raise ValidationError(
            _("An INSEE code has five characters, for example 75056 or 2A004."), code="insee"
        )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def validate_siren(value: str) -> None:
    """SIREN: nine digits with a Luhn check digit."""
    if not (value and len(value) == 9 and value.isdigit() and luhn_valid(value)):
        raise ValidationError(
            _("A SIREN number has nine digits and a valid check digit."), code="siren"
        )


def validate_area_geojson(value) -> None:
    """A GeoJSON Polygon or MultiPolygon geometry in WGS84 (lon, lat), valid per OGC rules."""
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("Expected a GeoJSON Polygon or MultiPolygon."), code="geojson")
    try:
        geometry = shape(value)
    except Exception as exc:
        raise ValidationError(
            _("Unreadable GeoJSON geometry: %(error)s"), params={"error": exc}, code="geojson"
        ) from exc
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError(_("The area is empty or self-intersecting."), code="geojson")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(_("Coordinates must be WGS84 longitude, latitude."), code="geojson")
