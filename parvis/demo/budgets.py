"""The demo territory's participatory budgets, run through the services from proposal to works.

Brune-les-Moulins' 2026 budget went through all its phases: residents proposed, staff reviewed
feasibility and costs, residents voted online and on paper (two agents typing each paper
ballot), the Method of Equal Shares chose the winners and their works are followed. Saint-Éloi's
2027 budget is open to the vote now, so the ballot can be tried.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from parvis.budgets.models import (
    Budget,
    Envelope,
    Project,
    ProjectStatus,
    ProjectUpdate,
    RealisationStatus,
)
from parvis.budgets.services import (
    ballot_cast,
    census_upload,
    envelope_tally,
    paper_ballot_enter,
    paper_voter_register,
    resident_verify_by_census,
    resident_verify_in_person,
)
from parvis.participation.models import Phase
from parvis.participation.services import comment_post, process_create
from parvis.territories.models import District

# (envelope: None = city-wide, else a district name), title, cost, feasible?, public note
BRUNE_PROJECTS = [
    (None, "Des arbres fruitiers dans les cours d'école", 45_000, True, ""),
    (None, "Une piste cyclable continue de la gare au centre", 120_000, True, ""),
    (None, "Des bancs et des ombrières au bord de la Brune", 38_000, True, ""),
    (None, "Une boîte à livres dans chaque quartier", 6_000, True, ""),
    (None, "Un skatepark couvert", 250_000, False, "Coût supérieur à l'enveloppe de la ville."),
    (None, "Des toilettes publiques accessibles au parc", 60_000, True, ""),
    ("Centre-ville", "Végétaliser la place du Marché", 22_000, True, ""),
    ("Centre-ville", "Un composteur collectif rue des Halles", 4_000, True, ""),
    ("Les Tanneries", "Éclairer le passage des Tanneries", 18_000, True, ""),
    ("Les Tanneries", "Une aire de jeux pour les tout-petits", 21_000, True, ""),
    ("La Gare", "Un abri vélos sécurisé à la gare", 24_000, True, ""),
    ("Le Plateau", "Un jardin partagé au Plateau", 15_000, True, ""),
]
ONLINE_VOTERS = [
    ("Martin", "Camille", dt.date(1986, 3, 14)),
    ("Diallo", "Amina", dt.date(1992, 9, 2)),
]
SAINT_ELOI_PROJECTS = [
    ("Un terrain multisport", 55_000),
    ("Rénover le lavoir du Bourg", 30_000),
    ("Des nichoirs et un hôtel à insectes", 3_500),
    ("Un parcours de santé aux Prés", 22_000),
]


def _family(rng: random.Random, index: int) -> tuple[str, str, dt.date]:
    families = ["Martin", "Bernard", "Petit", "Robert", "Richard", "Durand", "Moreau", "Laurent"]
    firsts = ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Jules", "Manon", "Adam", "Zoé", "Nathan"]
    birth = dt.date(1940 + rng.randrange(65), rng.randrange(1, 13), rng.randrange(1, 29))
    return f"{rng.choice(families)}-{index}", rng.choice(firsts), birth


def seed_budgets(*, territories, residents, agents) -> None:
    rng = random.Random(2026)
    brune = territories["brune-les-moulins"]
    now = timezone.now()
    day = dt.timedelta(days=1)
    process = process_create(
        territory=brune,
        slug="budget-participatif-brune-2026",
        title="Budget participatif 2026 de Brune-les-Moulins",
        summary="300 000 € pour les projets des habitantes et des habitants : 200 000 € pour "
        "toute la ville et 25 000 € par quartier.",
        phases=[
            {"name": "Dépôt des projets", "starts_at": now - 200 * day, "ends_at": now - 150 * day,
             "actions": ["submit", "comment", "support"]},
            {"name": "Étude de faisabilité", "starts_at": now - 150 * day,
             "ends_at": now - 90 * day, "actions": ["comment"]},
            {"name": "Vote", "starts_at": now - 90 * day, "ends_at": now + 10 * day,
             "actions": ["vote"]},
        ],
    )  # fmt: skip
    budget = Budget.objects.create(territory=brune, process=process, max_projects=6, min_age=16)
    envelopes = {
        None: Envelope.objects.create(budget=budget, name="Toute la ville", amount=200_000)
    }
    for district in District.objects.filter(territory=brune).order_by("name"):
        envelopes[district.name] = Envelope.objects.create(
            budget=budget, district=district, name=f"Quartier {district.name}", amount=25_000
        )
    for index, (where, title, cost, feasible, note) in enumerate(BRUNE_PROJECTS):
        Project.objects.create(
            territory=brune,
            envelope=envelopes[where],
            title=title,
            description=f"{title}. Proposé par des habitants lors du dépôt des projets.",
            proposer=residents[index % len(residents)],
            cost=cost,
            status=ProjectStatus.FEASIBLE if feasible else ProjectStatus.UNFEASIBLE,
            review_note=note,
        )

    # The census list (the demo residents who vote online are on it too).
    people = [_family(rng, index) for index in range(160)]
    census_upload(territory=brune, rows=people + ONLINE_VOTERS, actor=None)
    agent, second_agent = agents
    # Paper ballots at the town hall: each voter signed in, each ballot typed by two agents.
    for number, (family, first, birth) in enumerate(people, start=1):
        verification = resident_verify_in_person(
            agent=agent, territory=brune, family_name=family, first_name=first, birth_date=birth
        )
        for where, envelope in envelopes.items():
            if where is not None and rng.random() < 0.6:
                continue  # a district envelope for some of them
            paper_voter_register(agent=agent, envelope=envelope, verification=verification)
            choices = _random_ballot(rng, envelope)
            for typist in (agent, second_agent):
                paper_ballot_enter(
                    agent=typist, envelope=envelope, batch="mairie", number=number,
                    choices=choices,
                )  # fmt: skip
    # Camille Martin and Amina Diallo check their residence online and vote online.
    for resident, (family, first, birth) in zip(
        (residents[0], residents[2]), ONLINE_VOTERS, strict=True
    ):
        resident_verify_by_census(
            user=resident, territory=brune, family_name=family, first_name=first, birth_date=birth
        )
        city = envelopes[None]
        ballot_cast(user=resident, envelope=city, choices=_random_ballot(rng, city))

    # The vote closes, results are published, works begin.
    Phase.objects.filter(process=process, name="Vote").update(ends_at=now - 30 * day)
    Phase.objects.create(
        process=process, name="Résultats et réalisation", starts_at=now - 30 * day,
        ends_at=now + 700 * day, actions=["results", "follow_up"],
    )  # fmt: skip
    for envelope in envelopes.values():
        envelope_tally(envelope=envelope, rule="equal-shares", completion="add1")
    winners = Project.objects.filter(
        envelope__budget=budget, status=ProjectStatus.SELECTED
    ).order_by("cost")
    stages = [
        (RealisationStatus.DELIVERED, 100),
        (RealisationStatus.WORKS, 60),
        (RealisationStatus.STUDIES, 15),
    ]
    for project, (stage, progress) in zip(winners, stages, strict=False):
        ProjectUpdate.objects.create(
            project=project, realisation=stage, progress=progress,
            spent=project.cost * progress // 100, author=agent,
            text="Point d'étape publié par le service en charge du projet.",
        )  # fmt: skip
        Project.objects.filter(pk=project.pk).update(
            realisation=stage, progress=progress, spent=project.cost * progress // 100
        )

    _saint_eloi(territories["saint-eloi-sur-brune"], residents=residents, now=now, day=day)


def _random_ballot(rng: random.Random, envelope: Envelope) -> dict[int, int]:
    """An approval ballot within the envelope, favouring the cheaper and popular projects."""
    projects = list(envelope.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk"))
    rng.shuffle(projects)
    chosen, total = {}, 0
    for project in projects:
        if rng.random() < 0.55 and total + project.cost <= envelope.amount:
            chosen[project.pk] = 1
            total += project.cost
    if not chosen:
        cheapest = min(projects, key=lambda project: project.cost)
        chosen[cheapest.pk] = 1
    return chosen


def _saint_eloi(territory, *, residents, now, day) -> None:
    process = process_create(
        territory=territory,
        slug="budget-participatif-saint-eloi-2027",
        title="Budget participatif 2027 de Saint-Éloi-sur-Brune",
        summary="80 000 € pour des projets choisis par les habitantes et les habitants.",
        phases=[
            {"name": "Dépôt des projets", "starts_at": now - 60 * day, "ends_at": now - 30 * day,
             "actions": ["submit", "support"]},
            {"name": "Vote", "starts_at": now - 30 * day, "ends_at": now + 30 * day,
             "actions": ["vote", "comment"]},
        ],
    )  # fmt: skip
    budget = Budget.objects.create(territory=territory, process=process, max_projects=3)
    envelope = Envelope.objects.create(budget=budget, name="Toute la commune", amount=80_000)
    for title, cost in SAINT_ELOI_PROJECTS:
        Project.objects.create(
            territory=territory, envelope=envelope, title=title, cost=cost,
            description=f"{title}.", status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    terrain = Project.objects.get(envelope=envelope, title="Un terrain multisport")
    for author, text in [
        (residents[3], "Enfin un équipement pour les ados du Bourg !"),
        (residents[4], "Pourquoi pas près de l'école, pour les récréations aussi ?"),
    ]:
        comment_post(process=process, target=terrain, author=author, text=text)
    # Lucas Petit and Chloé Robert (demo residents) are on the census list: they can vote.
    census_upload(
        territory=territory,
        rows=[("Petit", "Lucas", dt.date(1979, 1, 8)), ("Robert", "Chloé", dt.date(2001, 6, 21))],
        actor=None,
    )
