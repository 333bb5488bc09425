"""Demo incident reports for the Val de Brune: categories, templates and a few months of reports."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from parvis.reports.choices import Priority, ReportStatus
from parvis.reports.models import Category, Report, ReportEvent, ResponseTemplate
from parvis.reports.services import report_create, report_transition
from parvis.territories.models import Department, District, Territory

# (territory slug, group, name, service code, department code, SLA hours, priority)
CATEGORIES = [
    ("brune-les-moulins", "Voirie", "Nid-de-poule", "nid-de-poule", "voirie", 72, Priority.HIGH),
    ("brune-les-moulins", "Voirie", "Trottoir dégradé", "trottoir", "voirie", 240, Priority.NORMAL),
    (
        "brune-les-moulins",
        "Éclairage",
        "Lampadaire en panne",
        "lampadaire",
        "eclairage-public",
        120,
        Priority.NORMAL,
    ),
    (
        "brune-les-moulins",
        "Propreté",
        "Dépôt sauvage",
        "depot-sauvage",
        "proprete-urbaine",
        48,
        Priority.NORMAL,
    ),
    (
        "brune-les-moulins",
        "Propreté",
        "Graffiti",
        "graffiti",
        "proprete-urbaine",
        336,
        Priority.LOW,
    ),
    (
        "brune-les-moulins",
        "Espaces verts",
        "Arbre dangereux",
        "arbre",
        "espaces-verts",
        24,
        Priority.URGENT,
    ),
    (
        "saint-eloi-sur-brune",
        "Voirie",
        "Voirie endommagée",
        "voirie",
        "services-techniques",
        120,
        Priority.NORMAL,
    ),
    (
        "saint-eloi-sur-brune",
        "Éclairage",
        "Lampadaire en panne",
        "lampadaire",
        "services-techniques",
        168,
        Priority.NORMAL,
    ),
    (
        "vaucelles-la-foret",
        "Voirie",
        "Voirie endommagée",
        "voirie",
        "services-techniques",
        168,
        Priority.NORMAL,
    ),
    (
        "val-de-brune",
        "Eau",
        "Fuite d'eau",
        "fuite-eau",
        "eau-et-assainissement",
        24,
        Priority.URGENT,
    ),
    (
        "val-de-brune",
        "Déchets",
        "Bac non collecté",
        "bac-non-collecte",
        "collecte-des-dechets",
        48,
        Priority.NORMAL,
    ),
]

TITLES = {
    "nid-de-poule": ["Nid-de-poule profond", "Trou dans la chaussée", "Affaissement de la route"],
    "trottoir": ["Dalle de trottoir soulevée", "Bordure cassée"],
    "lampadaire": ["Lampadaire éteint", "Éclairage qui clignote", "Rue plongée dans le noir"],
    "depot-sauvage": ["Encombrants sur le trottoir", "Sacs abandonnés", "Dépôt de gravats"],
    "graffiti": ["Tag sur un mur", "Graffiti sur l'abribus"],
    "arbre": ["Branche prête à tomber", "Arbre penché sur la route"],
    "voirie": ["Route abîmée", "Chaussée fissurée"],
    "fuite-eau": ["Fuite d'eau sur la chaussée", "Eau qui jaillit du trottoir"],
    "bac-non-collecte": ["Poubelles non ramassées", "Bac jaune oublié"],
}

TEMPLATES = [
    (
        ReportStatus.ACKNOWLEDGED,
        "Prise en compte",
        "Merci pour votre signalement. Il a été transmis au service compétent.",
    ),
    (
        ReportStatus.SCHEDULED,
        "Intervention programmée",
        "Une intervention est programmée dans les prochains jours.",
    ),
    (
        ReportStatus.RESOLVED,
        "Réparation effectuée",
        "L'intervention a été réalisée. Merci de nous dire si le problème persiste.",
    ),
    (
        ReportStatus.TRANSFERRED,
        "Transmis au Département",
        "Cette voie relève du Conseil départemental, à qui nous avons transmis votre signalement.",
    ),
]

PATHS = {
    ReportStatus.NEW: [],
    ReportStatus.ACKNOWLEDGED: [ReportStatus.ACKNOWLEDGED],
    ReportStatus.SCHEDULED: [ReportStatus.ACKNOWLEDGED, ReportStatus.SCHEDULED],
    ReportStatus.IN_PROGRESS: [ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS],
    ReportStatus.RESOLVED: [
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.SCHEDULED,
        ReportStatus.RESOLVED,
    ],
    ReportStatus.REJECTED: [ReportStatus.REJECTED],
}


def seed_reports(*, residents, agents_by_commune) -> None:
    """Categories, response templates and about 60 reports spread over four months."""
    rng = random.Random(2026)
    territories = {t.slug: t for t in Territory.objects.all()}
    categories = []
    for slug, group, name, code, department, sla, priority in CATEGORIES:
        territory = territories[slug]
        categories.append(
            Category.objects.create(
                territory=territory,
                group=group,
                name=name,
                service_code=code,
                department=Department.objects.get(territory=territory, code=department),
                sla_hours=sla,
                default_priority=priority,
            )
        )
    for slug in ("brune-les-moulins", "saint-eloi-sur-brune", "vaucelles-la-foret"):
        for status, title, text in TEMPLATES:
            ResponseTemplate.objects.create(
                territory=territories[slug], status=status, title=title, text=text
            )
    districts = list(District.objects.select_related("territory"))
    now = timezone.now()
    statuses = (
        [ReportStatus.NEW] * 8
        + [ReportStatus.ACKNOWLEDGED] * 8
        + [ReportStatus.SCHEDULED] * 6
        + [ReportStatus.IN_PROGRESS] * 5
        + [ReportStatus.RESOLVED] * 28
        + [ReportStatus.REJECTED] * 3
    )
    for number, status in enumerate(statuses):
        category = rng.choice(categories)
        candidates = [
            d
            for d in districts
            if d.territory_id == category.territory_id
            or d.territory.parent_id == category.territory_id
        ]
        district = rng.choice(candidates)
        (west, south), (east, north) = (
            district.area["coordinates"][0][0],
            district.area["coordinates"][0][2],
        )
        latitude = round(rng.uniform(south, north), 6)
        longitude = round(rng.uniform(west, east), 6)
        reporter = rng.choice(residents)
        report = report_create(
            category=category,
            title=rng.choice(TITLES[category.service_code]),
            description="Signalement de démonstration : " + category.name.lower() + ".",
            latitude=latitude,
            longitude=longitude,
            place=f"{district.name}, {district.territory.name}",
            reporter=reporter,
        )
        agent = (
            agents_by_commune.get(report.territory.slug) or agents_by_commune["brune-les-moulins"]
        )
        for step in PATHS[status]:
            report = report_transition(
                report=report,
                to=step,
                actor=agent,
                public_note="" if step != ReportStatus.RESOLVED else TEMPLATES[2][2],
            )
        _backdate(report, now - timedelta(days=120 - number * 2, hours=rng.randint(0, 12)), rng)


def _backdate(report: Report, created, rng) -> None:
    """Spread the demo over past months, keeping each report's own durations plausible."""
    events = list(report.events.order_by("at", "pk"))
    moments = [created]
    for _event in events[1:]:
        moments.append(moments[-1] + timedelta(hours=rng.randint(2, 60)))
    for event, moment in zip(events, moments, strict=False):
        ReportEvent.objects.filter(pk=event.pk).update(at=moment)
    fields = {"created_at": created, "due_at": created + timedelta(hours=report.category.sla_hours)}
    if report.acknowledged_at:
        fields["acknowledged_at"] = moments[1] if len(moments) > 1 else created
    if report.resolved_at or report.closed_at:
        fields["closed_at"] = moments[-1]
        if report.resolved_at:
            fields["resolved_at"] = moments[-1]
    Report.objects.filter(pk=report.pk).update(**fields)
