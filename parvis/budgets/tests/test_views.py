"""A participatory budget through its pages: residents propose, check their residence, vote and
read the results; staff review, sign voters in, type paper ballots, upload the census list,
count and follow the works. Messages are read on the English pages (/en/), whose strings are the
source ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parvis.accounts.choices import Role
from parvis.budgets.events import project_updated
from parvis.budgets.models import (
    Ballot,
    BallotType,
    Budget,
    CensusEntry,
    Envelope,
    PaperBallot,
    Project,
    ProjectStatus,
    ProjectSupport,
    ResidentVerification,
    VoterRecord,
)
from parvis.budgets.services import ballot_cast, census_upload, resident_verify_by_census
from parvis.budgets.tally.pabulib import pabulib_parse
from parvis.participation.services import process_create
from parvis.privacy.models import AuditEntry
from parvis.territories.models import District
from parvis.testing.factories import UserFactory

BIRTH = dt.date(1980, 5, 17)
SLUG = "bp-commune-a-2027"
PAGE = f"/budgets-participatifs/{SLUG}"
EN = f"/en/budgets-participatifs/{SLUG}"


def make_budget(territory, *, actions, slug=SLUG, published=True, **fields) -> Budget:
    """A budget whose current phase allows `actions`, after a finished proposal phase."""
    now = timezone.now()
    process = process_create(
        territory=territory,
        slug=slug,
        title="Budget participatif 2027",
        summary="Vos projets pour la commune",
        is_published=published,
        phases=[
            {"name": "Dépôt des projets", "starts_at": now - dt.timedelta(days=30),
             "ends_at": now - dt.timedelta(days=2), "actions": ["submit"]},
            {"name": "En cours", "starts_at": now - dt.timedelta(days=1),
             "ends_at": now + dt.timedelta(days=6), "actions": list(actions)},
        ],
    )  # fmt: skip
    return Budget.objects.create(territory=territory, process=process, **fields)


def allow(budget: Budget, *actions: str) -> None:
    budget.process.phases.filter(name="En cours").update(actions=list(actions))


@pytest.fixture
def budget(commune_a):
    budget = make_budget(commune_a, actions=["vote"], max_projects=3)
    city = Envelope.objects.create(budget=budget, name="Toute la commune", amount=100_000)
    centre = Envelope.objects.create(
        budget=budget, name="Quartier Centre", amount=20_000,
        district=District.objects.get(territory=commune_a, code="centre"),
    )  # fmt: skip
    for envelope, title, cost in [
        (city, "Jardin partagé", 40_000),
        (city, "Pistes cyclables", 70_000),
        (city, "Bancs", 10_000),
        (city, "Fontaine", 30_000),
        (centre, "Boîte à livres", 5_000),
    ]:
        Project.objects.create(
            territory=commune_a, envelope=envelope, title=title, description=f"{title}, vite.",
            cost=cost, status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    return budget


def city(budget) -> Envelope:
    return budget.envelopes.get(district__isnull=True)


def ids(budget) -> dict[str, int]:
    return dict(Project.objects.filter(envelope__budget=budget).values_list("title", "pk"))


@pytest.fixture
def census(commune_a):
    census_upload(
        territory=commune_a, rows=[("Martin", "Camille", BIRTH), ("Durand", "Léa", BIRTH)],
        actor=None,
    )  # fmt: skip


@pytest.fixture
def voter(commune_a, census):
    user = UserFactory()
    resident_verify_by_census(
        user=user, territory=commune_a, family_name="Martin", first_name="Camille",
        birth_date=BIRTH,
    )  # fmt: skip
    return user


def ballot_url(budget, *, en=False) -> str:
    return f"{EN if en else PAGE}/voter/{city(budget).pk}/"


def staff_url(territory, path: str = "") -> str:
    return f"/en/t/{territory.slug}/budgets-participatifs/{SLUG}/{path}"


# Public pages


def test_the_list_and_the_process_page_show_published_budgets_only(
    client, budget, commune_a, django_assert_max_num_queries
):
    make_budget(commune_a, actions=["vote"], slug="brouillon", published=False)
    listing = client.get("/budgets-participatifs/").content.decode()
    assert PAGE in listing and "/budgets-participatifs/brouillon/" not in listing
    assert client.get("/budgets-participatifs/brouillon/").status_code == 404
    envelope = city(budget)
    for number in range(30):
        Project.objects.create(
            territory=commune_a, envelope=envelope, title=f"Projet {number}", description="…",
            cost=1_000, status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    with django_assert_max_num_queries(6):
        response = client.get(f"{EN}/")
    page = response.content.decode()
    assert "Projet 29" in page and "Boîte à livres" in page
    # The current phase is marked in words, not by colour only; voting is offered per envelope.
    assert 'aria-current="step"' in page and "current phase" in page
    assert f'href="/en/budgets-participatifs/{SLUG}/voter/{envelope.pk}/"' in page
    assert f"{SLUG}/proposer/" not in page


def test_the_process_page_filters_by_envelope_and_status(client, budget, commune_a):
    Project.objects.filter(title="Bancs").update(
        status=ProjectStatus.UNFEASIBLE, review_note="Trop près de la route."
    )
    centre = budget.envelopes.get(district__isnull=False)
    page = client.get(f"{PAGE}/", {"envelope": centre.pk}).content.decode()
    assert "Boîte à livres" in page and "Jardin partagé" not in page
    page = client.get(f"{PAGE}/", {"status": "unfeasible"}).content.decode()
    assert "Bancs" in page and "Jardin partagé" not in page and "Boîte à livres" not in page


def test_a_resident_proposes_a_project_during_the_submit_phase(client, resident, budget):
    client.force_login(resident)
    allow(budget, "vote")
    assert "<form" not in client.get(f"{PAGE}/proposer/").content.decode().split("<main")[1]
    assert client.post(f"{PAGE}/proposer/", {"title": "X"}).status_code == 403
    allow(budget, "submit", "support")
    envelope = city(budget)
    failed = client.post(
        f"{PAGE}/proposer/",
        {
            "envelope": envelope.pk,
            "title": "",
            "description": "Des arbres partout",
            "place": "Parc",
        },
    )
    assert failed.status_code == 400
    assert "Des arbres partout" in failed.content.decode() and 'value="Parc"' in (
        failed.content.decode()
    )
    response = client.post(
        f"{PAGE}/proposer/",
        {"envelope": envelope.pk, "title": "Des arbres", "description": "Des arbres partout",
         "place": "Parc", "latitude": "47.005", "longitude": "4.805"},
    )  # fmt: skip
    project = Project.objects.get(title="Des arbres")
    assert response.status_code == 302 and response["Location"] == f"{PAGE}/projets/{project.pk}/"
    assert project.status == ProjectStatus.SUBMITTED and project.proposer == resident
    assert project.territory == budget.territory and project.latitude == 47.005
    page = client.get(response["Location"]).content.decode()
    assert "Des arbres partout" in page and resident.display_name not in page


def test_residents_support_proposals_during_the_support_phase(client, resident, budget):
    allow(budget, "support")
    project = Project.objects.get(title="Bancs")
    url = f"{EN}/projets/{project.pk}/"
    assert "Log in to support" in client.get(url).content.decode()
    client.force_login(resident)
    client.post(f"{url}soutenir/")
    client.post(f"{url}soutenir/")  # twice: still one support
    assert ProjectSupport.objects.filter(project=project, user=resident).count() == 1
    assert "Withdraw my support" in client.get(url).content.decode()
    client.post(f"{url}soutenir/", {"support": "0"})
    assert not ProjectSupport.objects.exists()
    allow(budget, "vote")
    client.post(f"{url}soutenir/")
    assert not ProjectSupport.objects.exists()


# The residence check and the ballot


def test_an_unverified_resident_is_sent_to_the_residence_check_then_back(
    client, resident, budget, census
):
    client.force_login(resident)
    response = client.get(ballot_url(budget))
    verify = f"{PAGE}/verifier/?next={ballot_url(budget).replace('/', '%2F')}"
    assert response.status_code == 302 and response["Location"] == verify
    wrong = client.post(
        f"{EN}/verifier/",
        {"family_name": "Martin", "first_name": "Camile", "birth_date": "1980-05-17",
         "next": ballot_url(budget)},
    )  # fmt: skip
    page = wrong.content.decode()
    assert wrong.status_code == 400 and "not on the census list" in page
    assert 'value="Camile"' in page and 'value="1980-05-17"' in page
    bad_date = client.post(
        f"{EN}/verifier/", {"family_name": "Martin", "first_name": "Camille", "birth_date": "17"}
    )
    assert "year-month-day" in bad_date.content.decode()
    response = client.post(
        f"{EN}/verifier/",
        {"family_name": "MARTIN", "first_name": "camille", "birth_date": "17/05/1980",
         "next": ballot_url(budget)},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == ballot_url(budget)
    assert ResidentVerification.objects.filter(user=resident).exists()
    assert client.get(ballot_url(budget)).status_code == 200


def test_a_verified_resident_votes_then_changes_the_ballot_shown_prefilled(client, voter, budget):
    client.force_login(voter)
    project = ids(budget)
    page = client.get(ballot_url(budget, en=True)).content.decode()
    assert "nobody, not even the town's staff, can see how you voted" in page
    assert "until the vote closes" in page and "checked" not in page
    response = client.post(
        ballot_url(budget, en=True), {"projects": [project["Jardin partagé"], project["Bancs"]]},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Your ballot is recorded" in page and "already voted" in page
    assert f'value="{project["Jardin partagé"]}" id' in page
    assert page.count(" checked>") == 2
    assert Ballot.objects.get().choices == {
        str(project["Jardin partagé"]): 1, str(project["Bancs"]): 1
    }  # fmt: skip
    response = client.post(
        ballot_url(budget, en=True), {"projects": [project["Pistes cyclables"]]}, follow=True
    )
    page = response.content.decode()
    assert "replaces the previous one" in page and page.count(" checked>") == 1
    assert Ballot.objects.count() == 1 and VoterRecord.objects.count() == 1
    assert Ballot.objects.get().choices == {str(project["Pistes cyclables"]): 1}


def test_a_ballot_over_the_envelope_is_refused_with_the_sum_keeping_the_ticks(
    client, voter, budget
):
    client.force_login(voter)
    project = ids(budget)
    response = client.post(
        ballot_url(budget, en=True),
        {"projects": [project["Pistes cyclables"], project["Jardin partagé"]]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "110000 €, more than the envelope of 100000 €" in page
    assert page.count(" checked>") == 2 and not Ballot.objects.exists()


def test_a_cumulative_ballot_shares_points_and_comes_back_prefilled(client, voter, commune_a):
    budget = make_budget(
        commune_a, actions=["vote"], ballot_type=BallotType.CUMULATIVE, points=5, max_projects=3
    )
    envelope = Envelope.objects.create(budget=budget, name="Ville", amount=50_000)
    first, second = (
        Project.objects.create(
            territory=commune_a,
            envelope=envelope,
            title=title,
            description="…",
            cost=10_000,
            status=ProjectStatus.FEASIBLE,
        )
        for title in ("Lavoir", "Nichoirs")
    )
    client.force_login(voter)
    url = f"{EN}/voter/{envelope.pk}/"
    failed = client.post(url, {f"points_{first.pk}": "4", f"points_{second.pk}": "3"})
    assert failed.status_code == 400 and "5 points to share" in failed.content.decode()
    assert 'value="4"' in failed.content.decode()
    client.post(url, {f"points_{first.pk}": "4", f"points_{second.pk}": "1"})
    assert Ballot.objects.get().choices == {str(first.pk): 4, str(second.pk): 1}
    page = client.get(url).content.decode()
    assert f'name="points_{first.pk}" id="id_points_{first.pk}" value="4"' in page


def test_nobody_votes_outside_the_vote_phase(client, voter, budget):
    allow(budget, "results")
    client.force_login(voter)
    page = client.get(ballot_url(budget, en=True)).content.decode()
    assert "The vote is not open" in page and 'type="checkbox"' not in page
    client.post(ballot_url(budget), {"projects": [ids(budget)["Bancs"]]})
    assert not Ballot.objects.exists()
    client.logout()
    response = client.get(ballot_url(budget))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Results and the open ballots


def cast_ballots(commune_a, budget, patterns: list[list[str]]) -> None:
    project = ids(budget)
    rows = [(f"Votant{index}", "Alex", BIRTH) for index in range(len(patterns))]
    census_upload(territory=commune_a, rows=rows, actor=None)
    for (family, first, birth), titles in zip(rows, patterns, strict=True):
        user = UserFactory()
        resident_verify_by_census(
            user=user, territory=commune_a, family_name=family, first_name=first,
            birth_date=birth,
        )  # fmt: skip
        ballot_cast(user=user, envelope=city(budget), choices={project[t]: 1 for t in titles})


def test_results_list_the_winners_and_the_ballots_download_for_a_recount(
    client, budget, commune_a, make_staff
):
    patterns = [["Jardin partagé", "Bancs"], ["Pistes cyclables"], ["Fontaine", "Bancs"],
                ["Jardin partagé", "Fontaine"], ["Pistes cyclables", "Bancs"]]  # fmt: skip
    cast_ballots(commune_a, budget, patterns)
    assert "are published once the vote is over" in client.get(f"{EN}/resultats/").content.decode()
    assert client.get(f"{PAGE}/resultats/{city(budget).pk}.pb").status_code == 404

    allow(budget, "results", "follow_up")
    client.force_login(make_staff(commune_a, Role.SUPERVISOR))
    response = client.post(staff_url(commune_a, f"depouillement/{city(budget).pk}/"), follow=True)
    assert "5 ballots" in response.content.decode()
    winners = set(
        Project.objects.filter(status=ProjectStatus.SELECTED).values_list("title", flat=True)
    )
    assert winners and AuditEntry.objects.filter(verb__startswith="tally").exists()
    client.logout()
    cache.clear()  # anonymous visitors' pages are cached for 30 seconds

    page = client.get(f"{EN}/resultats/").content.decode()
    assert "Method of Equal Shares" in page and "--completion add1" in page
    winners_list = page.split('class="bp-winners"')[1].split("</ol>")[0]
    assert all(title in winners_list for title in winners)
    losers = set(ids(budget)) - winners - {"Boîte à livres"}
    assert losers and not any(title in winners_list for title in losers)
    assert "gives the same winners" in page
    assert page.count("✓ selected") == len(winners)  # the table twin marks them in words
    download = client.get(f"{PAGE}/resultats/{city(budget).pk}.pb")
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    text = download.content.decode()
    election = pabulib_parse(text=text)
    assert len(election.ballots) == len(patterns)
    assert [ballot.fields["voter_id"] for ballot in election.ballots] == ["1", "2", "3", "4", "5"]
    for record in VoterRecord.objects.all():
        assert record.identity not in text and f"{record.user.email}" not in text
    assert {p.fields["name"] for p in election.projects} >= winners


# Staff pages


def test_staff_pages_answer_404_to_residents_other_territories_and_the_wrong_role(
    client, budget, resident, make_staff, commune_a, commune_b
):
    envelope, project = city(budget), Project.objects.first()
    urls = [
        staff_url(commune_a),
        staff_url(commune_a, "propositions/"),
        staff_url(commune_a, f"bulletins-papier/{envelope.pk}/"),
        staff_url(commune_a, "registre/"),
        staff_url(commune_a, "recensement/"),
        f"/en/t/{commune_a.slug}/budgets-participatifs/",
    ]
    for user in (resident, make_staff(commune_b, Role.TERRITORY_ADMIN)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(staff_url(commune_a, f"depouillement/{envelope.pk}/")).status_code == 404
    # The budget of commune A is not reached through commune B's address either.
    assert client.get(staff_url(commune_b)).status_code == 404
    agent = make_staff(commune_a, Role.AGENT)
    client.force_login(agent)
    assert client.get(staff_url(commune_a)).status_code == 200
    for url in (staff_url(commune_a, "propositions/"), staff_url(commune_a, "recensement/")):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            staff_url(commune_a, f"propositions/{project.pk}/"),
            {f"p{project.pk}-status": "feasible"},
        ).status_code
        == 404
    )
    assert client.post(staff_url(commune_a, f"depouillement/{envelope.pk}/")).status_code == 404
    assert not Project.objects.filter(status=ProjectStatus.SELECTED).exists()


def test_review_sets_feasibility_and_the_public_reason_shows_on_the_project_page(
    client, budget, commune_a, make_staff
):
    envelope = city(budget)
    proposal = Project.objects.create(
        territory=commune_a, envelope=envelope, title="Un skatepark", description="Couvert",
        status=ProjectStatus.SUBMITTED,
    )  # fmt: skip
    client.force_login(make_staff(commune_a, Role.SUPERVISOR))
    listing = client.get(staff_url(commune_a, "propositions/")).content.decode()
    assert "Un skatepark" in listing and "Jardin partagé" not in listing  # submitted ones
    url = staff_url(commune_a, f"propositions/{proposal.pk}/")
    prefix = f"p{proposal.pk}"
    failed = client.post(
        url, {f"{prefix}-status": "unfeasible", f"{prefix}-cost": "", "list_status": "submitted"}
    )
    assert failed.status_code == 400
    assert "Explain to the public why" in failed.content.decode()
    failed = client.post(url, {f"{prefix}-status": "feasible", f"{prefix}-cost": "250000"})
    assert failed.status_code == 400 and "could never be funded" in failed.content.decode()
    assert 'value="250000"' in failed.content.decode()
    response = client.post(
        url,
        {f"{prefix}-status": "unfeasible",
         f"{prefix}-public_reason": "Le terrain est inondable.", "list_status": "submitted"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?status=submitted")
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.UNFEASIBLE
    assert AuditEntry.objects.filter(verb="project reviewed: unfeasible").exists()
    page = client.get(f"{EN}/projets/{proposal.pk}/").content.decode()
    assert "Why this project is not feasible" in page and "Le terrain est inondable." in page

    client.post(url, {f"{prefix}-status": "merged", f"{prefix}-merged_into": "999999"})
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.UNFEASIBLE
    jardin = Project.objects.get(title="Jardin partagé")
    client.post(url, {f"{prefix}-status": "merged", f"{prefix}-merged_into": str(jardin.pk)})
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.MERGED and proposal.merged_into == jardin
    client.post(url, {f"{prefix}-status": "feasible", f"{prefix}-cost": "60000"})
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.FEASIBLE and proposal.cost == 60_000


def test_paper_ballots_are_counted_once_two_agents_typed_the_same(
    client, budget, commune_a, make_staff
):
    first, second = make_staff(commune_a, Role.AGENT), make_staff(commune_a, Role.AGENT)
    project = ids(budget)
    url = staff_url(commune_a, f"bulletins-papier/{city(budget).pk}/")
    ballot = {"batch": "urne-1", "number": "7", "projects": [project["Fontaine"], project["Bancs"]]}
    client.force_login(first)
    response = client.post(url, ballot, follow=True)
    page = response.content.decode()
    assert "First typing of ballot urne-1 #7 recorded" in page
    assert "by you: another agent must type it" in page and not Ballot.objects.exists()
    again = client.post(url, ballot)
    assert again.status_code == 400 and "A second agent must confirm" in again.content.decode()
    client.force_login(second)
    page = client.post(url, ballot, follow=True).content.decode()
    assert "Second typing of ballot urne-1 #7 matches" in page
    assert Ballot.objects.get().choices == {str(project["Bancs"]): 1, str(project["Fontaine"]): 1}
    # A second typing that differs is flagged for a supervisor, not counted.
    client.post(url, {**ballot, "number": "8"})
    client.force_login(first)
    failed = client.post(url, {**ballot, "number": "8", "projects": [project["Bancs"]]})
    assert failed.status_code == 400 and "The two typings differ" in failed.content.decode()
    assert PaperBallot.objects.get(number=8).mismatch and Ballot.objects.count() == 1
    page = client.get(url).content.decode()
    assert "Typings that differ" in page.split("1 ballot for a supervisor")[0]


def test_an_agent_signs_a_voter_in_once_who_then_cannot_vote_online(
    client, budget, commune_a, make_staff, voter
):
    agent = make_staff(commune_a, Role.AGENT)
    client.force_login(agent)
    url = staff_url(commune_a, "registre/")
    person = {"envelope": city(budget).pk, "family_name": "Martin", "first_name": "Camille",
              "birth_date": "1980-05-17"}  # fmt: skip
    unchecked = client.post(url, person)
    assert unchecked.status_code == 400 and "Check the person" in unchecked.content.decode()
    response = client.post(url, {**person, "papers_checked": "on"}, follow=True)
    assert "Signed in the register" in response.content.decode()
    assert VoterRecord.objects.get().channel == "paper"
    again = client.post(url, {**person, "papers_checked": "on"})
    assert again.status_code == 400 and "already voted" in again.content.decode()
    assert 'value="Camille"' in again.content.decode()
    assert VoterRecord.objects.count() == 1
    client.force_login(voter)  # the same person, verified online
    client.post(ballot_url(budget), {"projects": [ids(budget)["Bancs"]]})
    assert not Ballot.objects.exists()


def test_the_census_upload_names_the_wrong_line_and_keeps_no_file(
    client, budget, commune_a, make_staff, resident
):
    client.force_login(make_staff(commune_a, Role.SUPERVISOR))
    url = staff_url(commune_a, "recensement/")
    bad = "nom;prénom;naissance\nMartin;Camille;1980-05-17\nDurand;Léa;17/05/1980\n"
    response = client.post(url, {"file": SimpleUploadedFile("liste.csv", bad.encode())})
    assert response.status_code == 400
    assert "Line 3: the birth date “17/05/1980” is not written YYYY-MM-DD." in (
        response.content.decode()
    )
    assert not CensusEntry.objects.exists()  # nothing imported
    good = "nom;prénom;naissance\nMartin;Camille;1980-05-17\n\nDurand;Léa;1980-05-17\n"
    response = client.post(
        url, {"file": SimpleUploadedFile("liste.csv", good.encode("cp1252"))}, follow=True
    )
    assert "2 people" in response.content.decode()
    resident_verify_by_census(
        user=resident, territory=commune_a, family_name="Durand", first_name="Léa",
        birth_date=BIRTH,
    )  # fmt: skip
    assert AuditEntry.objects.filter(verb="census list uploaded").exists()
    # A district column names the territory's districts: an unknown code refuses the file.
    placed = "Martin;Camille;1980-05-17;centre\nDurand;Léa;1980-05-17;lune\n"
    response = client.post(url, {"file": SimpleUploadedFile("liste.csv", placed.encode())})
    assert response.status_code == 400 and "lune" in response.content.decode()
    assert CensusEntry.objects.filter(district__isnull=False).count() == 0


def test_staff_publish_realisation_updates_that_followers_are_told_of(
    client, budget, commune_a, make_staff, resident, django_capture_on_commit_callbacks
):
    project = Project.objects.get(title="Bancs")
    url = staff_url(commune_a, f"projets/{project.pk}/suivi/")
    client.force_login(make_staff(commune_a, Role.SUPERVISOR))
    assert client.get(url).status_code == 404  # not selected
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.SELECTED)
    client.force_login(resident)
    client.post(f"{PAGE}/projets/{project.pk}/suivre/")
    assert project.followers.filter(user=resident).exists()
    heard = []

    def listener(sender, **payload):
        heard.append(payload)

    project_updated.connect(listener)
    client.force_login(make_staff(commune_a, Role.SUPERVISOR))
    failed = client.post(
        url, {"realisation": "works", "progress": "140", "spent": "4000", "text": "Bancs posés"}
    )
    assert failed.status_code == 400 and "Bancs posés" in failed.content.decode()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {"realisation": "works", "progress": "40", "spent": "4000", "text": "Bancs posés"},
            )
    finally:
        project_updated.disconnect(listener)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.realisation, project.progress, project.spent) == ("works", 40, 4000)
    assert [payload["update"].text for payload in heard] == ["Bancs posés"]
    page = client.get(f"{EN}/projets/{project.pk}/").content.decode()
    assert "Bancs posés" in page and 'value="40"' in page
