"""Reads over territories, districts and departments."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max, QuerySet
from django.http import Http404
from shapely import STRtree
from shapely.geometry import Point, shape

from parvis.core.caching import generation_cached
from parvis.territories.choices import TerritoryKind
from parvis.territories.models import Department, District, Territory

# The cache generation moved by every write to a territory, district or department.
TERRITORIES = "territories"
TERRITORY_CACHE_SECONDS = 60


def territory_list_public() -> QuerySet[Territory]:
    """Territories served by the platform, intercommunalités first.

    Boundaries (large GeoJSON) are not loaded: pages and lists never show them.
    """
    return (
        Territory.objects.filter(is_active=True)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .order_by("kind", "name")
    )


def territory_get_public(*, slug: str) -> Territory:
    """An active territory by its slug, or 404.

    Every page under /t/<slug>/ starts here: the row is kept in the cache until a territory
    is saved or deleted (the "territories" generation; at most TERRITORY_CACHE_SECONDS in the
    other processes of a per-process cache).
    """

    def load() -> Territory:
        try:
            return (
                Territory.objects.select_related("parent")
                .defer("boundary", "parent__boundary")
                .get(slug=slug, is_active=True)
            )
        except Territory.DoesNotExist:
            raise Http404 from None

    return generation_cached(
        f"parvis:territory:{slug}",
        load,
        generations=(TERRITORIES,),
        seconds=TERRITORY_CACHE_SECONDS,
    )


def territory_operator() -> Territory | None:
    """The collectivité that runs the platform: the intercommunalité if there is one.

    The legal pages (mentions légales, accessibility, privacy policy) speak in its name.
    """
    return territory_list_public().filter(parent__isnull=True).order_by("kind", "pk").first()


def territory_scope_ids(*, territory: Territory) -> set[int]:
    """Ids of the territories a role held on `territory` reaches: itself and its members."""
    ids = {territory.pk}
    if territory.kind == TerritoryKind.EPCI:
        ids |= set(territory.members.values_list("pk", flat=True))
    return ids


def district_list(*, territory: Territory, with_area: bool = True) -> QuerySet[District]:
    districts = District.objects.for_territory(territory).order_by("name")
    return districts if with_area else districts.defer("area")


def department_list(*, territory: Territory) -> QuerySet[Department]:
    return Department.objects.for_territory(territory).filter(is_active=True).order_by("name")


def district_list_in(*, territory_ids) -> QuerySet[District]:
    """Districts of several territories (an EPCI and its communes), by name."""
    return District.objects.for_territories(territory_ids).defer("area").order_by("name")


def department_list_in(*, territory_ids) -> QuerySet[Department]:
    """Active departments of several territories, by name."""
    return Department.objects.for_territories(territory_ids).filter(is_active=True).order_by("name")


@dataclass(frozen=True)
class _Area:
    district_id: int
    territory_id: int
    geometry: object  # a Shapely geometry, prepared in place


_index_lock = threading.Lock()
_index: tuple[tuple, STRtree, list[_Area]] | None = None


def _area_index() -> tuple[STRtree, list[_Area]]:
    """A spatial index of every active district, rebuilt only when districts change.

    One aggregate query per call checks the index is current (count and latest change); the
    GeoJSON is decoded only when it is not. Each process keeps its own copy.
    """
    global _index
    districts = District.objects.filter(territory__is_active=True)
    fingerprint = tuple(districts.aggregate(n=Count("pk"), latest=Max("updated_at")).values())
    current = _index
    if current is None or current[0] != fingerprint:
        with _index_lock:
            rows = districts.values_list("pk", "territory_id", "area").order_by("pk")
            areas = [_Area(pk, territory_id, shape(area)) for pk, territory_id, area in rows]
            tree = STRtree([area.geometry for area in areas])
            shapely.prepare([area.geometry for area in areas])  # in place: faster covers()
            current = _index = (fingerprint, tree, areas)
    return current[1], current[2]


def _areas_covering(latitude: float, longitude: float) -> list[_Area]:
    tree, areas = _area_index()
    point = Point(longitude, latitude)
    candidates = sorted(tree.query(point))
    return [areas[i] for i in candidates if areas[i].geometry.covers(point)]


def district_locate(*, territory: Territory, latitude: float, longitude: float) -> District | None:
    """The district of `territory` (or of its member communes) containing the point, or None.

    Districts of a commune do not overlap; on a shared border the first by name wins so the
    answer is stable.
    """
    scope = territory_scope_ids(territory=territory)
    ids = [a.district_id for a in _areas_covering(latitude, longitude) if a.territory_id in scope]
    if not ids:
        return None
    return District.objects.filter(pk__in=ids).defer("area").order_by("name").first()


def territory_locate(*, latitude: float, longitude: float) -> Territory | None:
    """The commune whose districts (or boundary) contain the point, or None.

    Used to route anything placed on a map to the right commune; a point outside every
    territory returns None so callers can say so clearly.
    """
    covering = _areas_covering(latitude, longitude)
    if covering:
        return territory_list_public().get(pk=min(a.territory_id for a in covering))
    point = Point(longitude, latitude)
    communes = Territory.objects.filter(
        is_active=True, kind=TerritoryKind.COMMUNE, boundary__isnull=False
    ).exclude(pk__in=District.objects.values("territory_id"))
    for commune in communes:
        if shape(commune.boundary).covers(point):
            return commune
    return None
