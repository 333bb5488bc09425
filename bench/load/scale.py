"""Scale the demo data up for the load benchmark: a large fictional intercommunality.

Adds the *Communauté d'agglomération des Hauts de Brune* (fictional) next to the demo's Val de
Brune: COMMUNES communes (60 by default) laid out on a grid, each split into DISTRICTS districts
(8 by default) whose GeoJSON polygons have wavy, realistic-looking borders (VERTICES points per
edge, so ~4 x VERTICES vertices per district), a commune boundary (the union of its districts),
and municipal departments. Neighbouring districts share exactly the same border points, so the
areas tile the territory without gaps or overlaps, like real IRIS / quartier boundaries.

Everything goes through the project's services (`territory_create`, `district_create`,
`department_create`), which run the models' full validation. Deterministic and idempotent:
running it twice does nothing the second time.

Run from the repository root, against the scratch database chosen by PARVIS_DATABASE_URL:

    PARVIS_DATABASE_URL=sqlite:///$PWD/var/bench-load/bench.sqlite3 \
        uv run python bench/load/scale.py [--communes 60] [--districts 8] [--vertices 32]

`bench/load/run.py` calls it for you. Prints a JSON summary (the slugs and sample points used by
the load targets) on its last line.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

EPCI_SLUG = "hauts-de-brune"
EPCI_SIREN_PREFIX = "20009980"  # + Luhn check digit; the demo uses 20009990x
COMMUNE_SIREN_PREFIX = "210098"  # + 2-digit index + Luhn check digit; the demo uses 2100999xx
INSEE_START = 201  # INSEE codes 00201, 00202... in the fictional département 00

# South-west corner and size of the whole intercommunality (north of the demo's Val de Brune).
ORIGIN_LAT, ORIGIN_LON = 47.20, 4.60
COMMUNE_HEIGHT, COMMUNE_WIDTH = 0.040, 0.055  # degrees; ~4.4 km x 4.2 km at this latitude

BASES = [
    "Aubigny",
    "Bellecombe",
    "Chassagne",
    "Dommartin",
    "Échenon",
    "Fontaine",
    "Gevrey",
    "Jallanges",
    "Lanthes",
    "Magny",
    "Montmain",
    "Noiron",
    "Pagny",
    "Quincey",
    "Rouvres",
    "Savigny",
    "Tailly",
    "Villers",
    "Corberon",
    "Meursanges",
]
QUALIFIERS = ["-sur-Brune", "-le-Haut", "-en-Plaine", "-la-Côte", "-les-Vignes", "-sous-Bois"]
DISTRICT_NAMES = [
    "Centre-bourg",
    "La Gare",
    "Le Moulin",
    "Les Vignes",
    "Le Château",
    "La Prairie",
    "Les Fontaines",
    "Le Port",
    "La Croix",
    "Les Bruyères",
    "Le Champ de Foire",
    "Les Tilleuls",
]
COMMUNE_DEPARTMENTS = ["Voirie", "Espaces verts", "Éclairage public", "Propreté urbaine"]
EPCI_DEPARTMENTS = [
    "Eau et assainissement",
    "Collecte des déchets",
    "Mobilités",
    "Habitat",
    "Développement économique",
    "Tourisme",
]
HOST = {
    "host_name": "Hauts de Brune Numérique (régie intercommunale)",
    "host_address": "12 avenue du Numérique\n00200 Savigny-sur-Brune",
}
DOMAIN = "parvis.example"


def with_luhn(prefix: str) -> str:
    """`prefix` followed by the digit that makes the whole number pass the Luhn check."""
    from parvis.territories.validators import luhn_valid

    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable")


def commune_names(count: int) -> list[str]:
    names = [base + qualifier for qualifier in QUALIFIERS for base in BASES]
    if count > len(names):
        raise SystemExit(f"at most {len(names)} communes")
    return names[:count]


def _wave(key: tuple[int, int, int], t: float) -> float:
    """A deterministic wiggle in [-1, 1] that is 0 at both ends of an edge (t = 0 and t = 1)."""
    kind, i, j = key
    phase = (kind * 7.31 + i * 3.17 + j * 1.93) % (2 * math.pi)
    return math.sin(math.pi * t) * (
        0.6 * math.sin(5 * math.pi * t + phase) + 0.4 * math.sin(13 * math.pi * t + 2 * phase)
    )


def district_grid(columns: int, rows: int, cell_w: float, cell_h: float, vertices: int):
    """Polygons of a columns x rows grid of cells with shared wavy borders.

    Returns {(column, row): GeoJSON Polygon}. Vertical border (i, j) runs from grid node (i, j)
    to (i, j+1); horizontal border (i, j) from (i, j) to (i+1, j). Each border is computed once
    and used (forwards or backwards) by both cells that share it, so they match exactly.
    Borders on the outside of the grid stay straight.
    """
    amplitude_x, amplitude_y = 0.12 * cell_w, 0.12 * cell_h

    def node(i: int, j: int) -> tuple[float, float]:
        return (ORIGIN_LON + i * cell_w, ORIGIN_LAT + j * cell_h)

    vertical: dict[tuple[int, int], list[tuple[float, float]]] = {}
    horizontal: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for i in range(columns + 1):
        for j in range(rows):
            x0, y0 = node(i, j)
            inner = 0 < i < columns
            vertical[i, j] = [
                (
                    round(x0 + (amplitude_x * _wave((0, i, j), k / vertices) if inner else 0), 6),
                    round(y0 + cell_h * k / vertices, 6),
                )
                for k in range(vertices + 1)
            ]
    for i in range(columns):
        for j in range(rows + 1):
            x0, y0 = node(i, j)
            inner = 0 < j < rows
            horizontal[i, j] = [
                (
                    round(x0 + cell_w * k / vertices, 6),
                    round(y0 + (amplitude_y * _wave((1, i, j), k / vertices) if inner else 0), 6),
                )
                for k in range(vertices + 1)
            ]
    polygons = {}
    for i in range(columns):
        for j in range(rows):
            ring = (
                horizontal[i, j][:-1]
                + vertical[i + 1, j][:-1]
                + horizontal[i, j + 1][::-1][:-1]
                + vertical[i, j][::-1]
            )
            polygons[i, j] = {
                "type": "Polygon",
                "coordinates": [[[x, y] for x, y in ring]],
            }
    return polygons


def _layout(districts: int) -> tuple[int, int]:
    """Columns x rows of the districts inside one commune (8 -> 2 x 4)."""
    columns = 2 if districts > 1 else 1
    return columns, math.ceil(districts / columns)


def _commune_layout(communes: int) -> tuple[int, int]:
    columns = math.ceil(math.sqrt(communes * 1.6))
    return columns, math.ceil(communes / columns)


def plan(communes: int, districts: int, vertices: int) -> dict:
    """Names, identifiers and geometries of everything to create (no database access)."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    d_cols, d_rows = _layout(districts)
    c_cols, c_rows = _commune_layout(communes)
    cell_w, cell_h = COMMUNE_WIDTH / d_cols, COMMUNE_HEIGHT / d_rows
    grid = district_grid(c_cols * d_cols, c_rows * d_rows, cell_w, cell_h, vertices)
    result = []
    for index, name in enumerate(commune_names(communes)):
        c_row, c_col = divmod(index, c_cols)
        cells = [
            (c_col * d_cols + dx, c_row * d_rows + dy)
            for dy in range(d_rows)
            for dx in range(d_cols)
        ][:districts]
        areas = [grid[cell] for cell in cells]
        boundary = unary_union([shape(area) for area in areas])
        boundary = mapping(boundary.simplify(0))  # drop collinear points, keep the shape
        boundary = json.loads(json.dumps(boundary))  # tuples -> lists
        south = ORIGIN_LAT + c_row * COMMUNE_HEIGHT
        west = ORIGIN_LON + c_col * COMMUNE_WIDTH
        result.append(
            {
                "index": index,
                "name": name,
                "areas": areas,
                "boundary": boundary,
                "latitude": round(south + COMMUNE_HEIGHT / 2, 6),
                "longitude": round(west + COMMUNE_WIDTH / 2, 6),
                "bounds": (south, west, south + COMMUNE_HEIGHT, west + COMMUNE_WIDTH),
            }
        )
    return {"communes": result, "columns": c_cols, "rows": c_rows}


def sample_points(layout: dict, count: int = 200) -> list[tuple[float, float]]:
    """Deterministic points spread over the intercommunality, ~10% of them outside it."""
    import random

    rng = random.Random(2026)  # benchmark sampling, not security
    south, west = ORIGIN_LAT, ORIGIN_LON
    north = south + layout["rows"] * COMMUNE_HEIGHT
    east = west + layout["columns"] * COMMUNE_WIDTH
    points = []
    for index in range(count):
        if index % 10 == 9:  # outside: a little further north
            latitude = north + rng.uniform(0.01, 0.05)
            points.append((round(latitude, 6), round(rng.uniform(west, east), 6)))
        else:
            commune = layout["communes"][rng.randrange(len(layout["communes"]))]
            s, w, n, e = commune["bounds"]
            points.append((round(rng.uniform(s, n), 6), round(rng.uniform(w, e), 6)))
    return points


def scale(*, communes: int, districts: int, vertices: int, boundaries: bool) -> dict:
    from django.db import transaction
    from django.utils.text import slugify

    from parvis.territories.choices import TerritoryKind
    from parvis.territories.models import District, Territory
    from parvis.territories.services import department_create, district_create, territory_create

    layout = plan(communes, districts, vertices)
    slugs = [slugify(c["name"]) for c in layout["communes"]]
    summary = {
        "epci": EPCI_SLUG,
        "communes": slugs,
        "largest_commune": slugs[0],
        "points": sample_points(layout),
    }
    if Territory.objects.filter(slug=EPCI_SLUG).exists():
        summary["created"] = False
    else:
        with transaction.atomic():
            epci = territory_create(
                kind=TerritoryKind.EPCI,
                name="Communauté d'agglomération des Hauts de Brune",
                slug=EPCI_SLUG,
                siren=with_luhn(EPCI_SIREN_PREFIX),
                population=0,
                latitude=round(ORIGIN_LAT + layout["rows"] * COMMUNE_HEIGHT / 2, 6),
                longitude=round(ORIGIN_LON + layout["columns"] * COMMUNE_WIDTH / 2, 6),
                legal_name="Communauté d'agglomération des Hauts de Brune",
                address="1 place de l'Agglomération\n00200 Savigny-sur-Brune",
                phone="03 00 00 02 00",
                contact_email=f"contact@{EPCI_SLUG}.{DOMAIN}",
                publication_director="M. le Président de la Communauté d'agglomération",
                dpo_email=f"dpo@{EPCI_SLUG}.{DOMAIN}",
                accessibility_contact=f"accessibilite@{EPCI_SLUG}.{DOMAIN}",
                **HOST,
            )
            for department in EPCI_DEPARTMENTS:
                department_create(
                    territory=epci,
                    name=department,
                    code=slugify(department),
                    email=f"{slugify(department)}@{EPCI_SLUG}.{DOMAIN}",
                )
            total_population = 0
            for commune, slug in zip(layout["communes"], slugs, strict=True):
                index, name = commune["index"], commune["name"]
                # One town of ~45,000 residents, then smaller and smaller villages.
                population = int(45000 / (1 + index) ** 0.9) + 150
                total_population += population
                insee = f"00{INSEE_START + index:03d}"
                territory = territory_create(
                    kind=TerritoryKind.COMMUNE,
                    name=name,
                    slug=slug,
                    insee_code=insee,
                    siren=with_luhn(f"{COMMUNE_SIREN_PREFIX}{index:02d}"),
                    parent=epci,
                    population=population,
                    latitude=commune["latitude"],
                    longitude=commune["longitude"],
                    boundary=commune["boundary"] if boundaries else None,
                    legal_name=f"Mairie de {name}",
                    address=f"Hôtel de ville\n{insee} {name}",
                    contact_email=f"mairie@{slug}.{DOMAIN}",
                    publication_director=f"M. ou Mme le Maire de {name}",
                    dpo_email=f"dpo@{EPCI_SLUG}.{DOMAIN}",
                    accessibility_contact=f"accessibilite@{slug}.{DOMAIN}",
                    **HOST,
                )
                for number, area in enumerate(commune["areas"]):
                    district_name = DISTRICT_NAMES[number % len(DISTRICT_NAMES)]
                    if number >= len(DISTRICT_NAMES):
                        district_name += f" {number // len(DISTRICT_NAMES) + 1}"
                    district_create(
                        territory=territory,
                        name=district_name,
                        code=slugify(district_name),
                        area=area,
                    )
                for department in COMMUNE_DEPARTMENTS:
                    department_create(
                        territory=territory,
                        name=department,
                        code=slugify(department),
                        email=f"{slugify(department)}@{slug}.{DOMAIN}",
                    )
            epci.population = total_population
            epci.save(update_fields=["population", "updated_at"])
        summary["created"] = True
    summary["territories"] = Territory.objects.count()
    summary["districts"] = District.objects.count()
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=60)
    parser.add_argument("--districts", type=int, default=8, help="districts per commune")
    parser.add_argument("--vertices", type=int, default=32, help="points per district border")
    parser.add_argument(
        "--no-boundaries", action="store_true", help="leave Territory.boundary empty"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())  # the code under test: run from its root (run.py does)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    summary = scale(
        communes=args.communes,
        districts=args.districts,
        vertices=args.vertices,
        boundaries=not args.no_boundaries,
    )
    print(
        f"scale: {'created' if summary['created'] else 'already there'}: "
        f"{summary['territories']} territories, {summary['districts']} districts",
        file=sys.stderr,
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
