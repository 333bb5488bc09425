"""The demo territory: the fictional Communauté de communes du Val de Brune.

Deterministic: the same names, places, people and second-factor secrets on every machine, so
the README, tests and screenshots can rely on them. Identifiers are fictional: INSEE codes in the
non-existent département 00, SIREN numbers with a valid check digit in an unused range.
"""

from __future__ import annotations

import base64
import hashlib

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.db import transaction

from parvis.accounts.choices import Role
from parvis.accounts.models import User
from parvis.accounts.services import membership_grant, user_create
from parvis.demo.budgets import seed_budgets
from parvis.demo.reports import seed_reports
from parvis.demo.sensors import seed_sensors
from parvis.privacy.services import consent_give
from parvis.territories.choices import TerritoryKind
from parvis.territories.models import Territory
from parvis.territories.services import department_create, district_create, territory_create

DEMO_PASSWORD = "parvis-demo-2026"  # noqa: S105 - public demo credential, demo mode only
DEMO_DOMAIN = "parvis.example"

HOST = {
    "host_name": "Val de Brune Numérique (régie intercommunale)",
    "host_address": "2 rue des Serveurs\n00100 Brune-les-Moulins",
}

EPCI = {
    "name": "Communauté de communes du Val de Brune",
    "slug": "val-de-brune",
    "siren": "200099901",
    "population": 23810,
    "latitude": 47.090,
    "longitude": 4.880,
    "legal_name": "Communauté de communes du Val de Brune",
    "address": "1 place de l'Intercommunalité\n00100 Brune-les-Moulins",
    "phone": "03 00 00 00 00",
    "contact_email": "contact@val-de-brune.parvis.example",
    "publication_director": "Mme la Présidente de la Communauté de communes",
    "dpo_email": "dpo@val-de-brune.parvis.example",
    "accessibility_contact": "accessibilite@val-de-brune.parvis.example",
}

# (slug, name, INSEE, SIREN, population, (south, west, north, east), districts, departments)
COMMUNES = [
    (
        "brune-les-moulins",
        "Brune-les-Moulins",
        "00101",
        "210099917",
        14210,
        (47.080, 4.860, 47.110, 4.910),
        ["Centre-ville", "Les Tanneries", "La Gare", "Le Plateau"],
        ["Voirie", "Espaces verts", "Éclairage public", "Propreté urbaine"],
    ),
    (
        "saint-eloi-sur-brune",
        "Saint-Éloi-sur-Brune",
        "00102",
        "210099925",
        6120,
        (47.060, 4.910, 47.080, 4.950),
        ["Le Bourg", "Les Prés Saint-Éloi"],
        ["Services techniques"],
    ),
    (
        "vaucelles-la-foret",
        "Vaucelles-la-Forêt",
        "00103",
        "210099933",
        3480,
        (47.110, 4.840, 47.130, 4.880),
        ["Le Village", "La Lisière"],
        ["Services techniques"],
    ),
]

EPCI_DEPARTMENTS = ["Eau et assainissement", "Collecte des déchets", "Mobilités"]

STAFF = [
    # (local part, territory slug, role, display name)
    ("admin.brune", "brune-les-moulins", Role.TERRITORY_ADMIN, "Nadia Ferrand"),
    ("superviseur.brune", "brune-les-moulins", Role.SUPERVISOR, "Julien Marchal"),
    ("agent.brune", "brune-les-moulins", Role.AGENT, "Sofiane Benali"),
    ("moderation.brune", "brune-les-moulins", Role.MODERATOR, "Claire Dumoulin"),
    ("donnees.brune", "brune-les-moulins", Role.DATA_OFFICER, "Thomas Girard"),
    ("elu.brune", "brune-les-moulins", Role.ELECTED, "Martine Roux"),
    ("admin.saint-eloi", "saint-eloi-sur-brune", Role.TERRITORY_ADMIN, "Paul Lefèvre"),
    ("agent.saint-eloi", "saint-eloi-sur-brune", Role.AGENT, "Inès Moreau"),
    ("admin.vaucelles", "vaucelles-la-foret", Role.TERRITORY_ADMIN, "Hugo Perrin"),
    ("admin.interco", "val-de-brune", Role.TERRITORY_ADMIN, "Élise Vasseur"),
    ("donnees.interco", "val-de-brune", Role.DATA_OFFICER, "Karim Haddad"),
]

RESIDENTS = [
    ("camille.martin", "Camille Martin", True),
    ("louis.bernard", "Louis Bernard", False),
    ("amina.diallo", "Amina Diallo", True),
    ("lucas.petit", "Lucas Petit", False),
    ("chloe.robert", "Chloé Robert", False),
]


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, derived from the address (demo mode only)."""
    digest = hashlib.sha256(f"parvis-demo-totp:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def current_totp_code(email: str) -> str:
    import time

    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(demo_totp_secret(email), counter))


def _grid(bounds: tuple[float, float, float, float], count: int) -> list[dict]:
    """Split a bounding box into `count` side-by-side GeoJSON rectangles (2 columns)."""
    south, west, north, east = bounds
    columns = 2 if count > 1 else 1
    rows = (count + columns - 1) // columns
    width, height = (east - west) / columns, (north - south) / rows
    areas = []
    for index in range(count):
        row, column = divmod(index, columns)
        w, s = west + column * width, south + row * height
        e, n = w + width, s + height
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        areas.append(
            {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}
        )
    return areas


def _slugify(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


def _user(local: str, name: str, *, staff: bool) -> User:
    email = demo_email(local)
    user = user_create(email=email, password=DEMO_PASSWORD, display_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if staff:
        TOTP.activate(user, demo_totp_secret(email))
        RecoveryCodes.activate(user)
    return user


@transaction.atomic
def seed_demo() -> bool:
    """Create the demo territory, its people and their roles. Returns False if already there."""
    if not settings.PARVIS_DEMO:
        raise RuntimeError("Demo data exists only in demo mode")
    if Territory.objects.filter(slug=EPCI["slug"]).exists():
        return False
    epci = territory_create(kind=TerritoryKind.EPCI, **EPCI, **HOST)
    territories = {epci.slug: epci}
    for department in EPCI_DEPARTMENTS:
        department_create(
            territory=epci,
            name=department,
            code=_slugify(department),
            email=f"{_slugify(department)}@val-de-brune.{DEMO_DOMAIN}",
        )
    for slug, name, insee, siren, population, bounds, districts, departments in COMMUNES:
        south, west, north, east = bounds
        commune = territory_create(
            kind=TerritoryKind.COMMUNE,
            name=name,
            slug=slug,
            insee_code=insee,
            siren=siren,
            parent=epci,
            population=population,
            latitude=round((south + north) / 2, 6),
            longitude=round((west + east) / 2, 6),
            legal_name=f"Mairie de {name}",
            address=f"Hôtel de ville\n{insee} {name}",
            contact_email=f"mairie@{slug}.{DEMO_DOMAIN}",
            publication_director=f"M. ou Mme le Maire de {name}",
            dpo_email=f"dpo@val-de-brune.{DEMO_DOMAIN}",
            accessibility_contact=f"accessibilite@{slug}.{DEMO_DOMAIN}",
            **HOST,
        )
        territories[slug] = commune
        for district, area in zip(districts, _grid(bounds, len(districts)), strict=True):
            district_create(territory=commune, name=district, code=_slugify(district), area=area)
        for department in departments:
            department_create(
                territory=commune,
                name=department,
                code=_slugify(department),
                email=f"{_slugify(department)}@{slug}.{DEMO_DOMAIN}",
            )

    operator = _user("admin", "Administration Parvis", staff=True)
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    for local, territory_slug, role, name in STAFF:
        user = _user(local, name, staff=True)
        membership_grant(user=user, territory=territories[territory_slug], role=role, actor=None)
    residents = []
    for local, name, bulletin in RESIDENTS:
        user = _user(local, name, staff=False)
        residents.append(user)
        if bulletin:
            consent_give(subject=user, territory=epci, purpose="privacy.data_bulletin")
    agents = {
        territory_slug: User.objects.get(email=demo_email(local))
        for local, territory_slug, role, _name in STAFF
        if role == Role.AGENT
    }
    seed_reports(residents=residents, agents_by_commune=agents)
    seed_sensors(territories=territories)
    brune_agents = [
        User.objects.get(email=demo_email(local)) for local in ("agent.brune", "superviseur.brune")
    ]
    seed_budgets(territories=territories, residents=residents, agents=brune_agents)
    return True


def accounts_summary(*, created: bool) -> str:
    """What `make run` prints: where to log in, with whom, and how to pass the second factor."""
    url = settings.PARVIS_SITE_URL
    lines = [
        "",
        "Parvis demo: Communauté de communes du Val de Brune (fictional)"
        + ("" if created else " (already seeded)"),
        f"  Home page:  {url}/",
        f"  Log in:     {url}/accounts/login/",
        f"  Password of every demo account: {DEMO_PASSWORD}",
        "",
        "  Staff accounts need a second factor (TOTP). Either add the secret below to an",
        "  authenticator app, or print the current code with:  uv run parvis demo --code EMAIL",
        "",
        f"  {'account':<40} {'role':<48} TOTP secret",
        f"  {demo_email('admin'):<40} {'platform operator (admin site)':<48} "
        f"{demo_totp_secret(demo_email('admin'))}",
    ]
    for local, territory_slug, role, _name in STAFF:
        email = demo_email(local)
        lines.append(
            f"  {email:<40} {str(role.label) + ' @ ' + territory_slug:<48} "
            f"{demo_totp_secret(email)}"
        )
    lines.append("")
    lines.append("  Residents (no second factor needed):")
    lines.extend(f"  {demo_email(local)}" for local, _name, _bulletin in RESIDENTS)
    lines.append("")
    return "\n".join(str(line) for line in lines)


def staff_authenticator_exists(email: str) -> bool:
    return Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()
