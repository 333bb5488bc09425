"""What-if patches: the fixes proposed in results.md, measured without editing the application.

The benchmark must not change the code it measures, so the candidate fixes live here as
monkeypatches applied at start-up of a benchmark process only:

- `defer-boundary`: the public territory selectors stop loading `Territory.boundary`, a GeoJSON
  column that no page or list endpoint shows but that Django decodes (json.loads) for every row.
- `locate-cache`: `district_locate` keys its cache of prepared Shapely geometries by
  (district id, updated_at) only and loads a district's area only on a cache miss, instead of
  loading, decoding and re-encoding (json.dumps, for the cache key) the area of every candidate
  district on every request.

Used by `run.py --what-if NAME[,NAME]` (through whatif_wsgi.py) and by
`profile_target.py --what-if NAME[,NAME]`. Nothing here is imported by the application.
"""

from __future__ import annotations

import sys
from functools import lru_cache

NAMES = ("defer-boundary", "locate-cache")


def _replace_everywhere(name: str, original, replacement) -> None:
    """Rebind `name` in every loaded parvis/config module that imported `original`."""
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(("parvis.", "config.")) or module is None:
            continue
        if getattr(module, name, None) is original:
            setattr(module, name, replacement)


def _defer_boundary() -> None:
    from django.http import Http404

    from parvis.territories import selectors
    from parvis.territories.models import Territory

    original_list, original_get = selectors.territory_list_public, selectors.territory_get_public

    def territory_list_public():
        return original_list().defer("boundary", "parent__boundary")

    def territory_get_public(*, slug: str):
        try:
            return (
                Territory.objects.select_related("parent")
                .defer("boundary", "parent__boundary")
                .get(slug=slug, is_active=True)
            )
        except Territory.DoesNotExist:
            raise Http404 from None

    _replace_everywhere("territory_list_public", original_list, territory_list_public)
    _replace_everywhere("territory_get_public", original_get, territory_get_public)


def _locate_cache() -> None:
    import json

    from shapely import prepared
    from shapely.geometry import Point, shape

    from parvis.territories import selectors
    from parvis.territories.models import District

    original = selectors.district_locate

    @lru_cache(maxsize=4096)
    def prepared_area(district_pk: int, updated_at: float):
        area = District.objects.values_list("area", flat=True).get(pk=district_pk)
        if isinstance(area, str):  # pragma: no cover - JSONField already decodes
            area = json.loads(area)
        return prepared.prep(shape(area))

    def district_locate(*, territory, latitude: float, longitude: float):
        point = Point(longitude, latitude)
        ids = selectors.territory_scope_ids(territory=territory)
        candidates = (
            District.objects.for_territories(ids).order_by("name").values_list("pk", "updated_at")
        )
        for pk, updated_at in candidates:
            if prepared_area(pk, updated_at.timestamp()).covers(point):
                return District.objects.get(pk=pk)
        return None

    _replace_everywhere("district_locate", original, district_locate)


PATCHES = {"defer-boundary": _defer_boundary, "locate-cache": _locate_cache}


def apply(names: str | list[str] | None) -> list[str]:
    """Apply the named patches (comma-separated string or list) after django.setup()."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",")]
    names = [n for n in (names or []) if n]
    unknown = set(names) - set(PATCHES)
    if unknown:
        raise SystemExit(f"unknown --what-if: {', '.join(sorted(unknown))} (know {NAMES})")
    # Import every module that binds the selectors by name before rebinding them.
    import config.api
    import config.urls  # noqa: F401
    import parvis.privacy.views
    import parvis.territories.api
    import parvis.territories.views  # noqa: F401

    for name in names:
        PATCHES[name]()
    return names
