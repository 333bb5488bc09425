"""Public API of territories: who is served, their districts, and which district a point is in."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query, Router, Schema

from parvis.core.api import ErrorOut, ValidationErrorOut
from parvis.territories.selectors import (
    district_list,
    district_locate,
    territory_get_public,
    territory_list_public,
)

router = Router(tags=["territories"])


class TerritoryOut(Schema):
    slug: str
    name: str
    kind: str
    insee_code: str
    siren: str
    parent: str | None
    latitude: float
    longitude: float

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class DistrictOut(Schema):
    code: str
    name: str
    area: dict


class LocateOut(Schema):
    territory: str
    district: DistrictOut | None


# A territory slug as the model stores it (a SlugField of 80): anything else cannot name a
# territory and is turned away before it reaches the database (PostgreSQL refuses NUL bytes).
Slug = Annotated[
    str,
    Path(
        max_length=80,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="Short name of the territory in addresses, e.g. `val`.",
    ),
]
Latitude = Annotated[float, Query(ge=-90, le=90, description="WGS84 latitude, in degrees.")]
Longitude = Annotated[float, Query(ge=-180, le=180, description="WGS84 longitude, in degrees.")]


@router.get("/territories", response=list[TerritoryOut])
def list_territories(request):
    return territory_list_public()


@router.get(
    "/territories/{slug}", response={200: TerritoryOut, 404: ErrorOut, 422: ValidationErrorOut}
)
def get_territory(request, slug: Slug):
    return territory_get_public(slug=slug)


@router.get(
    "/territories/{slug}/districts",
    response={200: list[DistrictOut], 404: ErrorOut, 422: ValidationErrorOut},
)
def list_districts(request, slug: Slug):
    return list(district_list(territory=territory_get_public(slug=slug)))


@router.get(
    "/territories/{slug}/locate",
    response={200: LocateOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def locate(request, slug: Slug, lat: Latitude, lon: Longitude):
    """The district of the territory containing the WGS84 point, if any.

    A malformed slug, or a missing, non-numeric or out-of-range coordinate, is a 422 naming
    the parameter.
    """
    territory = territory_get_public(slug=slug)
    district = district_locate(territory=territory, latitude=lat, longitude=lon)
    return {"territory": territory.slug, "district": district}
