"""Seed 100,000 incident reports into the scratch database of the reports benchmark.

Runs after `parvis demo` (the fictional Val de Brune: an intercommunalité, three communes, eight
districts, eleven categories, staff with roles and TOTP). Adds, deterministically:

- 2,000 resident accounts (`habitant.0001@parvis.example`...), through `user_create` (no
  password: they never log in), and one Open311 application through `open311_client_create`;
- REPORTS reports (100,000 by default) created over the last two years (a little more recent
  than old), spread over the communes by population and over each commune's categories and its
  intercommunalité's; each report is placed at a point inside one of its commune's districts;
- 2 to 4 timeline events per report (`ReportEvent`): "created", the status changes with their
  from/to statuses, public updates, internal notes, assignments; a duplicate also adds the
  internal "merged" step to the report it duplicates, as `report_merge` does;
- the followers `report_create` and `report_merge` add (a web reporter follows their report).

The rows are built with `bulk_create` (the services take ~20 ms per report: 100,000 would take
an hour) but hold what the services would have written, and keep their invariants:
`report_create` (territory = the commune where the point is, district = the district containing
it, department = the category's, priority = the category's default, due_at = created_at + SLA,
reporter fields from the account or the counter/Open311 contact, a unique token from
`new_token`), `report_transition` (only moves allowed by `TRANSITIONS`; acknowledged_at at the
first move out of "new", resolved_at and closed_at at the move that set them), `report_assign`,
`report_add_update`, `report_merge`, and the two periodic jobs as if they had run every night /
hour: `reports_ask_if_fixed` (fix_check_sent_at 28 days after resolution) and
`report_purge_expired_contacts` (contact details emptied a year after closing). Identifiers
grow with time, as they would in production (reports from #1001, events after the demo's).

Not produced: photos (the benchmark serves no files), notifications, the audit entries and
consent records of counter filing (no page measured here reads them).

A random sample of the rows (`--validate`, 300 by default) is read back and checked with
`full_clean()` and against the project's own selectors (`territory_locate`, `district_locate`)
and the workflow's rules. The seed fails if any check does.

Deterministic (`--seed`): the same rows on every run, except tokens (`new_token` is random) and
dates, which are relative to the hour the seed ran. Idempotent: if the database already holds
exactly REPORTS benchmark reports (ids from 1001), nothing is written; another count replaces
them.

Run from the repository root against the scratch database (bench/reports/run.py does it):

    PARVIS_DATABASE_URL=sqlite:///$PWD/var/bench-reports/bench.sqlite3 PARVIS_DEMO=true \\
        DJANGO_SETTINGS_MODULE=config.settings.dev uv run python bench/reports/seed.py

Prints progress on stderr and a JSON summary (counts, ids and codes the load targets use) on the
last line of stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIRST_PK = 1001  # benchmark reports are #1001 onwards; the demo's are far below
RESIDENTS = 2000
RESIDENT_EMAIL = "habitant.{:04d}@parvis.example"
OPEN311_APP = "Brune Signale (application mobile)"
YEARS = 2
BATCH = 2000

FIRST_NAMES = [
    "Camille", "Louis", "Amina", "Lucas", "Chloé", "Hugo", "Léa", "Nathan", "Manon", "Karim",
    "Inès", "Thomas", "Sarah", "Julien", "Emma", "Mehdi", "Clara", "Antoine", "Yasmine",
    "Pierre", "Zoé", "Maxime", "Fatou", "Nicolas", "Jeanne", "Romain", "Lina", "Paul", "Alice",
    "Rayan", "Margaux", "Bernard", "Odile", "Gérard", "Monique", "Sylvie", "Alain", "Nadia",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Benali", "Diallo", "Nguyen", "Haddad", "Perrin", "Chevalier",
]  # fmt: skip
STREETS = [
    "rue de la République", "rue Victor Hugo", "avenue de la Gare", "rue des Écoles",
    "place du Marché", "rue du Moulin", "chemin des Vignes", "rue Pasteur", "allée des Tilleuls",
    "rue Jean Jaurès", "boulevard de la Brune", "rue des Tanneurs", "impasse des Lilas",
    "route de Dijon", "rue du Stade", "rue de l'Église", "quai de la Brune", "rue des Prés",
    "avenue du Général de Gaulle", "rue des Jardins", "rue du Lavoir", "chemin de la Forêt",
]  # fmt: skip
DETAILS = [
    "Depuis plusieurs jours.",
    "Dangereux pour les piétons, surtout le soir.",
    "Signalé par plusieurs voisins.",
    "Près de l'arrêt de bus.",
    "Devant l'école, les enfants passent par là.",
    "C'est la deuxième fois cette année.",
    "Visible depuis la rue, côté pair.",
    "Les vélos doivent faire un écart.",
    "",
]
PUBLIC_UPDATES = [
    "Une équipe est passée sur place pour évaluer l'intervention.",
    "Le matériel nécessaire a été commandé.",
    "Merci pour votre patience : l'intervention est prévue dans la semaine.",
    "Un balisage provisoire a été installé.",
    "Le prestataire a été relancé.",
]
INTERNAL_NOTES = [
    "Vu avec le chef d'équipe, à grouper avec la tournée du secteur.",
    "Appel du riverain : le problème persiste.",
    "Attente du devis du prestataire.",
    "Secteur déjà signalé, vérifier les doublons.",
    "Intervention nécessitant une nacelle.",
]


def log(message: str) -> None:
    print(f"[bench/reports seed] {message}", file=sys.stderr, flush=True)


# --- Time -------------------------------------------------------------------------------------


def _next_at(moment: datetime, *, minute: int, hour: int | None = None) -> datetime:
    """The first time at or after `moment` when a huey crontab(minute[, hour]) fires (UTC)."""
    candidate = moment.astimezone(UTC).replace(minute=minute, second=0, microsecond=0)
    if hour is None:
        return candidate if candidate >= moment else candidate + timedelta(hours=1)
    candidate = candidate.replace(hour=hour)
    return candidate if candidate >= moment else candidate + timedelta(days=1)


def _ages(rng: random.Random, count: int, span_days: float) -> list[float]:
    """Ages in days in [1 h, span), oldest first; the density grows by half towards today."""
    ages = []
    while len(ages) < count:
        age = rng.uniform(1 / 24, span_days)
        if rng.random() < (1 + 0.5 * (1 - age / span_days)) / 1.5:
            ages.append(age)
    return sorted(ages, reverse=True)


# --- Places -----------------------------------------------------------------------------------


class Geography:
    """Communes, their districts as prepared Shapely shapes, and points inside them."""

    def __init__(self, rng: random.Random):
        from shapely import prepared
        from shapely.geometry import shape

        from parvis.territories.choices import TerritoryKind
        from parvis.territories.models import District, Territory

        self.rng = rng
        self.communes = list(
            Territory.objects.filter(kind=TerritoryKind.COMMUNE, is_active=True).order_by("pk")
        )
        self.weights = [commune.population or 1 for commune in self.communes]
        districts = District.objects.filter(territory__in=self.communes).order_by("name", "pk")
        self.all_areas = [(d, prepared.prep(shape(d.area)), shape(d.area)) for d in districts]
        self.by_commune = defaultdict(list)
        for district, prepared_area, area in self.all_areas:
            self.by_commune[district.territory_id].append((district, prepared_area, area))
        # A few hot spots per district (a busy street, a square): half the reports cluster there.
        self.hot_spots = {
            district.pk: [self._uniform(area) for _ in range(6)]
            for district, _p, area in self.all_areas
        }

    def _uniform(self, area) -> tuple[float, float]:
        west, south, east, north = area.bounds
        return self.rng.uniform(west, east), self.rng.uniform(south, north)

    def point(self, commune) -> tuple[float, float, object]:
        """(latitude, longitude, district): a point strictly inside one district of `commune`.

        Rounded to 6 decimals like the map form; points on a border between two districts are
        drawn again, so `district_locate` (first district by name covering the point) agrees.
        """
        from shapely.geometry import Point

        areas = self.by_commune[commune.pk]
        # District chosen in proportion to its area, so the density is even across the commune.
        district, _prepared, area = self.rng.choices(
            areas, weights=[a.area for _d, _p, a in areas]
        )[0]
        for _attempt in range(100):
            if self.rng.random() < 0.5:
                lon0, lat0 = self.rng.choice(self.hot_spots[district.pk])
                lon = self.rng.gauss(lon0, 0.0015)
                lat = self.rng.gauss(lat0, 0.001)
            else:
                lon, lat = self._uniform(area)
            lat, lon = round(lat, 6), round(lon, 6)
            point = Point(lon, lat)
            covering = [d for d, prepared_area, _a in self.all_areas if prepared_area.covers(point)]
            if covering == [district] and area.contains(point):
                return lat, lon, district
        raise RuntimeError(f"could not place a point in {district}")


# --- Reports ----------------------------------------------------------------------------------


def _email(person: str) -> str:
    from django.utils.text import slugify

    return ".".join(slugify(part) for part in person.split()) + "@exemple.fr"


def _status_for(rng: random.Random, age_days: float) -> str:
    from parvis.reports.choices import ReportStatus as S

    # Recent reports are mostly open, old ones mostly closed; a backlog of old open ones stays.
    if rng.random() < 0.15 + 0.8 * math.exp(-age_days / 45):
        if age_days < 2:
            return rng.choices([S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS], [70, 25, 5])[0]
        return rng.choices([S.NEW, S.ACKNOWLEDGED, S.SCHEDULED, S.IN_PROGRESS], [15, 35, 25, 25])[0]
    return rng.choices([S.RESOLVED, S.REJECTED, S.DUPLICATE, S.TRANSFERRED], [80, 8, 6, 6])[0]


def _path_to(rng: random.Random, status: str) -> list[str]:
    """The moves from "new" to `status`, as staff make them."""
    from parvis.reports.choices import ReportStatus as S

    options = {
        S.NEW: [([], 1)],
        S.ACKNOWLEDGED: [([S.ACKNOWLEDGED], 1)],
        S.SCHEDULED: [([S.ACKNOWLEDGED, S.SCHEDULED], 1)],
        S.IN_PROGRESS: [
            ([S.ACKNOWLEDGED, S.IN_PROGRESS], 3),
            ([S.ACKNOWLEDGED, S.SCHEDULED, S.IN_PROGRESS], 1),
        ],
        S.RESOLVED: [
            ([S.RESOLVED], 20),
            ([S.ACKNOWLEDGED, S.RESOLVED], 40),
            ([S.ACKNOWLEDGED, S.SCHEDULED, S.RESOLVED], 25),
            ([S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED], 15),
        ],
        S.REJECTED: [([S.REJECTED], 6), ([S.ACKNOWLEDGED, S.REJECTED], 4)],
        S.DUPLICATE: [([S.DUPLICATE], 7), ([S.ACKNOWLEDGED, S.DUPLICATE], 3)],
        S.TRANSFERRED: [([S.TRANSFERRED], 5), ([S.ACKNOWLEDGED, S.TRANSFERRED], 5)],
    }[status]
    paths, weights = zip(*options, strict=True)
    return list(rng.choices(paths, weights)[0])  # fmt: skip


class Builder:
    """Builds the report rows, their events and followers, in creation order."""

    def __init__(self, *, rng, now, categories, handlers, residents, open311_client, geography):
        from django.utils import translation

        from parvis.demo.reports import TEMPLATES, TITLES

        self.rng, self.now, self.geo = rng, now, geography
        self.categories = categories  # commune pk -> [Category] (its own and its EPCI's)
        self.handlers = handlers  # commune pk -> [User] who handle reports there
        self.residents, self.client = residents, open311_client
        self.titles = TITLES
        self.templates = {status: text for status, _title, text in TEMPLATES}
        self.reports: list = []
        self.events: list[tuple] = []  # (at, report pk, kind, from, to, text, public, author pk)
        self.followers: set[tuple[int, int]] = set()
        self.follower_at: dict[tuple[int, int], datetime] = {}
        # Candidates to be duplicated: (territory, category) -> recent public reports.
        self.recent: dict[tuple[int, int], deque] = defaultdict(lambda: deque(maxlen=50))
        self.reporter_of: dict[int, int | None] = {}
        with translation.override("fr"):
            from django.utils.translation import gettext

            self.already_reported = gettext("Already reported as #%(number)s.")

    def _times(self, created: datetime, age_hours: float, sla_hours: int, steps: int, closed: bool):
        """Moments of `steps` status moves after `created`, all before now."""
        if not steps:
            return []
        rng = self.rng
        if closed:
            # Resolution time around the deadline: log-normal, a third of them late.
            total = sla_hours * rng.lognormvariate(math.log(0.7), 0.9)
            total = min(max(total, 0.5), 24 * 200)
        else:
            total = rng.uniform(0.05, 1.0) * age_hours
        total = min(total, age_hours * rng.uniform(0.5, 0.95))
        total = max(total, min(0.02, age_hours / 2))
        first = min(rng.uniform(0.3, 48), total * rng.uniform(0.1, 0.6))
        if steps == 1:
            offsets = [total if closed else first]
        else:
            middle = sorted(rng.uniform(first, total) for _ in range(steps - 2))
            offsets = [first, *middle, total]
        return [created + timedelta(hours=h) for h in offsets]

    def add(self, pk: int, age_days: float) -> None:
        from parvis.reports.choices import (
            CLOSED_STATUSES,
            TRANSITIONS,
            EventKind,
            ReportStatus,
            Source,
            UpdateChannel,
        )
        from parvis.reports.models import Report, new_token
        from parvis.reports.open311_services import open311_title

        rng = self.rng
        commune = rng.choices(self.geo.communes, self.geo.weights)[0]
        category = rng.choice(self.categories[commune.pk])
        latitude, longitude, district = self.geo.point(commune)
        created = self.now - timedelta(days=age_days)
        age_hours = age_days * 24
        status = _status_for(rng, age_days)
        into = None
        if status == ReportStatus.DUPLICATE:
            into = self._duplicate_target(commune.pk, category.pk, created)
            if into is None:
                status = ReportStatus.REJECTED
        path = _path_to(rng, status)
        previous = ReportStatus.NEW
        for step in path:
            assert step in TRANSITIONS[previous], (previous, step)
            previous = step
        closed = status in CLOSED_STATUSES
        moments = self._times(created, age_hours, category.sla_hours, len(path), closed)

        # Who reported, and how.
        source = rng.choices([Source.WEB, Source.COUNTER, Source.OPEN311], [75, 12, 13])[0]
        street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
        title = rng.choice(self.titles.get(category.service_code, [category.name]))
        detail = rng.choice(DETAILS)
        description = f"{title} au {street}. {detail}".strip()
        fields = {
            "reporter": None,
            "reporter_name": "",
            "reporter_email": "",
            "reporter_phone": "",
            "reporter_address": "",
            "update_channel": UpdateChannel.EMAIL,
            "show_name": not category.anonymous_by_default,
            "assisted_by": None,
            "open311_client": None,
        }
        handlers = self.handlers[commune.pk]
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if source == Source.WEB:
            reporter = rng.choice(self.residents)
            fields |= {
                "reporter": reporter,
                "reporter_email": reporter.email,
                "reporter_name": reporter.display_name,
                "show_name": True if rng.random() < 0.1 else fields["show_name"],
            }
        elif source == Source.COUNTER:
            channel = rng.choices(
                [UpdateChannel.SMS, UpdateChannel.POST, UpdateChannel.EMAIL, UpdateChannel.NONE],
                [45, 20, 15, 20],
            )[0]
            fields |= {
                "reporter_name": person,
                "reporter_phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                "reporter_address": f"{rng.randint(1, 90)} {rng.choice(STREETS)}\n"
                f"{commune.insee_code} {commune.name}"
                if channel == UpdateChannel.POST
                else "",
                "reporter_email": _email(person) if channel == UpdateChannel.EMAIL else "",
                "update_channel": channel,
                "assisted_by": rng.choice(handlers),
            }
        else:
            email = _email(person) if rng.random() < 0.6 else ""
            title = open311_title(description)
            fields |= {
                "reporter_name": person if rng.random() < 0.7 else "",
                "reporter_email": email,
                "update_channel": UpdateChannel.EMAIL if email else UpdateChannel.NONE,
                "open311_client": self.client,
            }
        reporter_pk = fields["reporter"].pk if fields["reporter"] else None
        author_created = reporter_pk or (
            fields["assisted_by"].pk if fields["assisted_by"] else None
        )

        # Timeline: created, the moves, then extras (public updates, notes, assignment).
        self.events.append((created, pk, EventKind.CREATED, "", "", "", True, author_created))
        if reporter_pk:
            self._follow(pk, reporter_pk, created)
        milestones = {"acknowledged_at": None, "resolved_at": None, "closed_at": None}
        agent = rng.choice(handlers)
        previous = ReportStatus.NEW
        last_save = created
        for step, moment in zip(path, moments, strict=True):
            text = ""
            if step == ReportStatus.DUPLICATE:
                text = self.already_reported % {"number": into}
            elif step in self.templates and rng.random() < 0.6:
                text = self.templates[step]
            self.events.append((moment, pk, EventKind.STATUS, previous, step, text, True, agent.pk))
            if milestones["acknowledged_at"] is None:
                milestones["acknowledged_at"] = moment
            if step == ReportStatus.RESOLVED:
                milestones["resolved_at"] = moment
            milestones["closed_at"] = moment if step in CLOSED_STATUSES else None
            previous, last_save = step, moment
        if into is not None:
            # report_merge: the duplicate's reporter follows the original, which notes the merge.
            merged_at = moments[-1] + timedelta(milliseconds=5)
            self.events.append(
                (merged_at, into, EventKind.MERGED, "", "", f"#{pk}", False, agent.pk)
            )
            if reporter_pk:
                self._follow(into, reporter_pk, merged_at)
        extras_min = max(0, 1 - len(path))
        extras_max = 3 - len(path)
        window_end = moments[-1] if moments and closed else self.now - timedelta(minutes=1)
        assignee = None
        for _ in range(rng.randint(extras_min, extras_max)):
            moment = created + (window_end - created) * rng.uniform(0.05, 0.98)
            kind = rng.choices(
                [EventKind.PUBLIC_UPDATE, EventKind.INTERNAL_NOTE, EventKind.ASSIGNED], [35, 35, 30]
            )[0]
            if kind == EventKind.PUBLIC_UPDATE:
                event = (moment, pk, kind, "", "", rng.choice(PUBLIC_UPDATES), True, agent.pk)
            elif kind == EventKind.INTERNAL_NOTE:
                event = (moment, pk, kind, "", "", rng.choice(INTERNAL_NOTES), False, agent.pk)
            else:
                assignee = rng.choice(handlers)
                event = (moment, pk, kind, "", "", str(assignee), False, agent.pk)
                last_save = max(last_save, moment)
            self.events.append(event)

        # The periodic jobs, as if they had run all along.
        fix_check_sent_at = None
        if status == ReportStatus.RESOLVED:
            ask = _next_at(milestones["resolved_at"] + timedelta(days=28), minute=5)
            if ask < self.now:
                fix_check_sent_at = ask
                last_save = max(last_save, ask)
        contact_purged_at = None
        if milestones["closed_at"] is not None:
            purge = _next_at(milestones["closed_at"] + timedelta(days=365), minute=40, hour=3)
            if purge < self.now:
                contact_purged_at = purge
                last_save = max(last_save, purge)
                fields |= {
                    "reporter_name": "",
                    "reporter_email": "",
                    "reporter_phone": "",
                    "reporter_address": "",
                }

        place = f"{street}, {district.name}"
        report = Report(
            pk=pk,
            territory_id=commune.pk,
            category=category,
            department_id=category.department_id,
            district=district,
            status=status,
            priority=category.default_priority,
            title=title.strip()[:120],
            description=description,
            latitude=latitude,
            longitude=longitude,
            place=place,
            source=source,
            **fields,
            assignee=assignee,
            duplicate_of_id=into,
            due_at=created + timedelta(hours=category.sla_hours),
            **milestones,
            fix_check_sent_at=fix_check_sent_at,
            contact_purged_at=contact_purged_at,
            token=new_token(),
            created_at=created,
            updated_at=last_save,
        )
        self.reports.append(report)
        if status != ReportStatus.DUPLICATE:
            self.recent[(commune.pk, category.pk)].append((pk, created))

    def _follow(self, report_pk: int, user_pk: int, at: datetime) -> None:
        key = (report_pk, user_pk)
        if key not in self.followers:
            self.followers.add(key)
            self.follower_at[key] = at

    def _duplicate_target(self, territory_pk, category_pk, created) -> int | None:
        """A public report of the same commune and category filed in the previous 30 days."""
        candidates = [
            pk
            for pk, at in self.recent[(territory_pk, category_pk)]
            if created - timedelta(days=30) <= at < created
        ]
        return self.rng.choice(candidates) if candidates else None


# --- Writing ----------------------------------------------------------------------------------


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the given created_at / updated_at / at instead of "now".

    `auto_now` and `auto_now_add` fields overwrite any value on insert; the seed backdates rows,
    so it switches them off for its own process while it writes.
    """
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def residents() -> list:
    """The benchmark's resident accounts, created through `user_create` once."""
    from parvis.accounts.models import User
    from parvis.accounts.services import user_create

    rng = random.Random(7)
    emails = [RESIDENT_EMAIL.format(n) for n in range(1, RESIDENTS + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    for email in emails:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if email not in existing:
            user_create(email=email, display_name=name)
    return list(User.objects.filter(email__in=emails).order_by("email"))


def open311_application():
    from parvis.accounts.models import User
    from parvis.reports.models import Open311Client
    from parvis.reports.services import open311_client_create
    from parvis.territories.models import Territory

    client = Open311Client.objects.filter(name=OPEN311_APP).first()
    if client is None:
        client, _key = open311_client_create(
            territory=Territory.objects.get(slug="val-de-brune"),
            name=OPEN311_APP,
            contact_email="dev@brune-signale.exemple.fr",
            actor=User.objects.get(email="admin.interco@parvis.example"),
        )
    return client


def handlers_by_commune(communes) -> dict[int, list]:
    from parvis.reports.selectors import staff_agents

    handlers = {}
    for commune in communes:
        handlers[commune.pk] = list(staff_agents(territory=commune))
        if not handlers[commune.pk]:
            raise RuntimeError(f"no agent can handle reports in {commune}")
    return handlers


def categories_by_commune(communes) -> dict[int, list]:
    from parvis.reports.selectors import category_list_for_place

    return {c.pk: list(category_list_for_place(territory=c).order_by("pk")) for c in communes}


def reset_sequences(*models) -> None:
    """PostgreSQL: explicit ids do not move the identity sequences; move them past the rows."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def write(count: int, seed: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from parvis.reports.models import Report, ReportEvent, ReportFollower

    rng = random.Random(seed)
    started = time.monotonic()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    people = residents()
    client = open311_application()
    geography = Geography(rng)
    builder = Builder(
        rng=rng,
        now=now,
        categories=categories_by_commune(geography.communes),
        handlers=handlers_by_commune(geography.communes),
        residents=people,
        open311_client=client,
        geography=geography,
    )
    demo_max = Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if demo_max >= FIRST_PK:
        raise RuntimeError(f"report #{demo_max} exists already: the demo grew past {FIRST_PK}")
    ages = _ages(rng, count, 365.25 * YEARS)
    for index, age in enumerate(ages):
        builder.add(FIRST_PK + index, age)
    log(
        f"built {len(builder.reports)} reports, {len(builder.events)} events, "
        f"{len(builder.followers)} followers in {time.monotonic() - started:.1f} s"
    )
    # Events get their ids in time order, as they would have been created.
    builder.events.sort(key=lambda e: (e[0], e[1]))
    first_event = (
        ReportEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    first_follower = (
        ReportFollower.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    with transaction.atomic(), explicit_timestamps(Report, ReportEvent, ReportFollower):
        for start in range(0, len(builder.reports), BATCH):
            Report.objects.bulk_create(builder.reports[start : start + BATCH])
        log(f"reports written ({time.monotonic() - started:.1f} s)")
        for start in range(0, len(builder.events), BATCH * 2):
            chunk = builder.events[start : start + BATCH * 2]
            ReportEvent.objects.bulk_create(
                ReportEvent(
                    pk=first_event + start + offset,
                    at=at,
                    report_id=report,
                    kind=kind,
                    from_status=from_status,
                    to_status=to_status,
                    text=text,
                    is_public=public,
                    author_id=author,
                )
                for offset, (at, report, kind, from_status, to_status, text, public, author) in (
                    enumerate(chunk)
                )
            )
        log(f"events written ({time.monotonic() - started:.1f} s)")
        followers = sorted(builder.followers, key=lambda key: (builder.follower_at[key], key))
        ReportFollower.objects.bulk_create(
            (
                ReportFollower(
                    pk=first_follower + n,
                    report_id=r,
                    user_id=u,
                    created_at=builder.follower_at[(r, u)],
                )
                for n, (r, u) in enumerate(followers)
            ),
            batch_size=BATCH * 2,
        )
        reset_sequences(Report, ReportEvent, ReportFollower)
    log(f"followers written; seeded in {time.monotonic() - started:.1f} s")
    return {"seconds": round(time.monotonic() - started, 1), "anchor": now.isoformat()}


def delete_bench_reports() -> None:
    from django.db import transaction

    from parvis.reports.models import Report, ReportEvent, ReportFollower

    with transaction.atomic():
        bench = Report.objects.filter(pk__gte=FIRST_PK)
        Report.objects.filter(duplicate_of__gte=FIRST_PK).update(duplicate_of=None)
        ReportEvent.objects.filter(report__gte=FIRST_PK).delete()
        ReportFollower.objects.filter(report__gte=FIRST_PK).delete()
        deleted, _detail = bench.delete()
    log(f"removed {deleted} rows of an earlier seed")


# --- Validation -------------------------------------------------------------------------------


def validate(sample_size: int, seed: int) -> int:
    """full_clean() a sample of reports, their events and followers; check the invariants the
    services keep, with the project's selectors. Raises on the first failure."""
    from datetime import timedelta

    from parvis.reports.choices import CLOSED_STATUSES, TRANSITIONS, EventKind, ReportStatus
    from parvis.reports.models import Report
    from parvis.territories.selectors import district_locate, territory_locate

    pks = list(Report.objects.filter(pk__gte=FIRST_PK).values_list("pk", flat=True))
    sample = random.Random(seed + 1).sample(pks, min(sample_size, len(pks)))
    reports = (
        Report.objects.filter(pk__in=sample)
        .select_related("category", "territory", "district")
        .prefetch_related("events", "followers")
    )
    SAVING_KINDS = {EventKind.STATUS, EventKind.ASSIGNED}
    checked = 0
    for report in reports:
        where = f"report #{report.pk}"
        report.full_clean()
        for event in report.events.all():
            event.full_clean()
        for follower in report.followers.all():
            follower.full_clean()
        located = territory_locate(latitude=report.latitude, longitude=report.longitude)
        assert located and located.pk == report.territory_id, f"{where}: territory {located}"
        assert report.category.territory_id in {report.territory_id, report.territory.parent_id}
        district = district_locate(
            territory=report.territory, latitude=report.latitude, longitude=report.longitude
        )
        assert district and district.pk == report.district_id, f"{where}: district {district}"
        assert report.department_id == report.category.department_id, f"{where}: department"
        assert report.priority == report.category.default_priority, f"{where}: priority"
        assert report.due_at == report.created_at + timedelta(hours=report.category.sla_hours)
        if report.reporter_id and not report.contact_purged_at:
            assert report.reporter_email == report.reporter.email, f"{where}: reporter email"
        if report.reporter_id:
            assert any(f.user_id == report.reporter_id for f in report.followers.all()), where
        events = sorted(report.events.all(), key=lambda e: (e.at, e.pk))
        assert [e.pk for e in events] == sorted(e.pk for e in events), f"{where}: event ids"
        assert events[0].kind == EventKind.CREATED and events[0].at == report.created_at, where
        own = [e for e in events if e.kind != EventKind.MERGED]
        assert 2 <= len(own) <= 4, f"{where}: {len(own)} events"
        moves = [e for e in events if e.kind == EventKind.STATUS]
        status = ReportStatus.NEW
        for move in moves:
            assert move.from_status == status and move.to_status in TRANSITIONS[status], where
            status = move.to_status
        assert status == report.status, f"{where}: status {report.status} after {status}"
        assert report.acknowledged_at == (moves[0].at if moves else None), f"{where}: ack"
        resolved = [m.at for m in moves if m.to_status == ReportStatus.RESOLVED]
        assert report.resolved_at == (resolved[-1] if resolved else None), f"{where}: resolved"
        closed = moves[-1].at if moves and report.status in CLOSED_STATUSES else None
        assert report.closed_at == closed, f"{where}: closed_at"
        # Saved by report_create, report_transition, report_assign and the periodic jobs;
        # report_add_update and report_merge (on the original) do not touch the report's row.
        saves = [report.created_at, *(e.at for e in events if e.kind in SAVING_KINDS)]
        saves += [m for m in (report.fix_check_sent_at, report.contact_purged_at) if m]
        assert report.updated_at == max(saves), f"{where}: updated_at"
        if report.status == ReportStatus.DUPLICATE:
            original = Report.objects.get(pk=report.duplicate_of_id)
            assert original.duplicate_of_id is None and original.category_id == report.category_id
            assert original.events.filter(kind=EventKind.MERGED, text=f"#{report.pk}").exists()
        else:
            assert report.duplicate_of_id is None, where
        if report.contact_purged_at:
            assert report.closed_at and not (report.reporter_name or report.reporter_email)
        checked += 1
    return checked


# --- Summary ----------------------------------------------------------------------------------


def summary(count: int, seed: int) -> dict:
    """What run.py needs: counts, the status mix, ids and codes for the targets."""
    from datetime import timedelta

    from django.db.models import Count, Max, Min
    from django.utils import timezone

    from parvis.reports.choices import OPEN_STATUSES
    from parvis.reports.models import Category, Report, ReportEvent, ReportFollower
    from parvis.territories.models import District, Territory

    bench = Report.objects.filter(pk__gte=FIRST_PK)
    statuses = dict(bench.values_list("status").annotate(n=Count("pk")).order_by())
    communes = dict(
        bench.values_list("territory__slug").annotate(n=Count("pk")).order_by("territory__slug")
    )
    events_per = Counter(
        ReportEvent.objects.filter(report__gte=FIRST_PK)
        .values("report")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    public = list(bench.visible_to_public().values_list("pk", flat=True))
    rng = random.Random(seed + 2)
    span = bench.aggregate(first=Min("created_at"), last=Max("created_at"))
    territories = {t.slug: t.pk for t in Territory.objects.all()}
    now = timezone.now()
    return {
        "reports": bench.count(),
        "reports_total": Report.objects.count(),
        "public_reports": Report.objects.visible_to_public().count(),
        "events": ReportEvent.objects.filter(report__gte=FIRST_PK).count(),
        "events_per_report": dict(sorted(events_per.items())),
        "followers": ReportFollower.objects.filter(report__gte=FIRST_PK).count(),
        "statuses": statuses,
        "open_share": round(
            sum(n for s, n in statuses.items() if s in OPEN_STATUSES) / max(1, bench.count()), 3
        ),
        "by_commune": communes,
        "first_created": span["first"].isoformat() if span["first"] else None,
        "last_created": span["last"].isoformat() if span["last"] else None,
        "last_90_days": bench.filter(created_at__gte=now - timedelta(days=90)).count(),
        "territories": territories,
        "commune": "brune-les-moulins",
        "commune_pk": territories["brune-les-moulins"],
        "small_commune_pk": territories["vaucelles-la-foret"],
        "small_category_pk": Category.objects.filter(
            territory__slug="vaucelles-la-foret", service_code="voirie"
        )
        .values_list("pk", flat=True)
        .first(),
        "service_code": "nid-de-poule",
        "districts": District.objects.count(),
        "sample_ids": sorted(rng.sample(public, min(1000, len(public)))),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000, help="reports to seed (100000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    parser.add_argument("--validate", type=int, default=300, help="rows checked (300)")
    parser.add_argument(
        "--force", action="store_true", help="replace the benchmark reports even if complete"
    )
    args = parser.parse_args(argv)

    # The code of the working directory: this checkout, or an export (run.py --source).
    sys.path.insert(0, str(Path.cwd()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from parvis.reports.models import Report

    existing = Report.objects.filter(pk__gte=FIRST_PK).count()
    timing = {}
    if existing == args.reports and not args.force:
        log(f"{existing} benchmark reports already there: nothing to do")
    else:
        if existing:
            delete_bench_reports()
        timing = write(args.reports, args.seed)
    checked = validate(args.validate, args.seed)
    log(f"validated {checked} reports (full_clean, selectors, workflow)")
    result = summary(args.reports, args.seed) | {"seeded": bool(timing), **timing}
    result["validated"] = checked
    import parvis

    result["code"] = str(Path(parvis.__file__).resolve().parents[1])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
