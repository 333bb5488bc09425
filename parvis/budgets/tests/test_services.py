"""Voting in a participatory budget: verified voters, secret and changeable ballots, paper
ballots with a two-agent check, tallies that pabutools reproduces from the Pabulib export."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from parvis.accounts.choices import Role
from parvis.budgets.models import (
    Ballot,
    BallotType,
    Budget,
    CensusEntry,
    Envelope,
    PaperBallot,
    Project,
    ProjectStatus,
    VoterRecord,
)
from parvis.budgets.services import (
    BallotError,
    VerificationError,
    ballot_cast,
    ballot_of,
    census_upload,
    envelope_election,
    envelope_tally,
    paper_ballot_enter,
    paper_voter_register,
    resident_verify_by_census,
    resident_verify_in_person,
)
from parvis.budgets.tally.pabulib import pabulib_format
from parvis.core.privacy_registry import activities
from parvis.participation.services import process_create
from parvis.testing.factories import UserFactory

BIRTH = dt.date(1980, 5, 17)


def make_budget(territory, *, actions=("vote",), ballot_type=BallotType.APPROVAL, **fields):
    now = timezone.now()
    process = process_create(
        territory=territory,
        slug=f"bp-{territory.slug}",
        title="Budget participatif 2027",
        summary="Vos projets pour la ville",
        phases=[
            {
                "name": "Vote",
                "starts_at": now - dt.timedelta(days=1),
                "ends_at": now + dt.timedelta(days=1),
                "actions": list(actions),
            }
        ],
    )
    return Budget.objects.create(
        territory=territory, process=process, ballot_type=ballot_type, **fields
    )


@pytest.fixture
def envelope(commune_a):
    budget = make_budget(commune_a, max_projects=3)
    envelope = Envelope.objects.create(budget=budget, name="Toute la ville", amount=100_000)
    for title, cost in [
        ("Jardin partagé", 40_000),
        ("Pistes cyclables", 70_000),
        ("Bancs", 10_000),
        ("Fontaine", 30_000),
    ]:
        Project.objects.create(
            territory=commune_a, envelope=envelope, title=title, description="…", cost=cost,
            status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    return envelope


def projects(envelope):
    return {project.title: project.pk for project in envelope.projects.all()}


@pytest.fixture
def voter(commune_a, envelope):
    user = UserFactory()
    census_upload(
        territory=commune_a, rows=[("Martin", "Camille", BIRTH), ("Durand", "Léa", BIRTH)],
        actor=None,
    )  # fmt: skip
    resident_verify_by_census(
        user=user, territory=commune_a, family_name="MARTIN", first_name="camille",
        birth_date=BIRTH,
    )  # fmt: skip
    return user


def test_a_verified_resident_votes_and_changes_the_ballot_until_the_end(envelope, voter):
    ids = projects(envelope)
    ballot_cast(user=voter, envelope=envelope, choices={ids["Jardin partagé"]: 1, ids["Bancs"]: 1})
    ballot_cast(user=voter, envelope=envelope, choices={ids["Pistes cyclables"]: 1})
    assert Ballot.objects.count() == 1 and VoterRecord.objects.count() == 1
    assert ballot_of(user=voter, envelope=envelope).choices == {str(ids["Pistes cyclables"]): 1}


def test_a_ballot_carries_nothing_that_links_it_to_its_voter(envelope, voter):
    ids = projects(envelope)
    ballot_cast(user=voter, envelope=envelope, choices={ids["Bancs"]: 1})
    fields = {field.name: field for field in Ballot._meta.get_fields()}
    assert set(fields) == {"id", "envelope", "key", "choices"}
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in fields.values())
    assert isinstance(fields["id"], models.UUIDField)  # no insertion order to line up
    # The register says who voted and when (a day), with no way to the ballot.
    register_fields = {field.name for field in VoterRecord._meta.get_fields()}
    assert "ballot" not in register_fields and "key" not in register_fields
    ballot = Ballot.objects.get()
    record = VoterRecord.objects.get()
    # Staff holding the database but not the key outside it cannot recompute the link: the key
    # is no plain hash of anything the database holds.
    plain = {hashlib.sha256(f"{envelope.pk}|{value}".encode()).hexdigest()
             for value in (voter.pk, voter.email, record.identity)}  # fmt: skip
    assert ballot.key not in plain | {record.identity}


def test_only_verified_adults_vote_while_the_vote_is_open(commune_a, envelope, voter):
    ids = projects(envelope)
    stranger = UserFactory()
    with pytest.raises(BallotError):
        ballot_cast(user=stranger, envelope=envelope, choices={ids["Bancs"]: 1})
    young = UserFactory()
    resident_verify_in_person(
        agent=None, territory=commune_a, family_name="Petit", first_name="Jo",
        birth_date=timezone.now().date() - dt.timedelta(days=365 * 12), user=young,
    )  # fmt: skip
    with pytest.raises(BallotError):
        ballot_cast(user=young, envelope=envelope, choices={ids["Bancs"]: 1})
    envelope.budget.process.phases.update(actions=["results"])
    with pytest.raises(BallotError):
        ballot_cast(user=voter, envelope=envelope, choices={ids["Bancs"]: 1})
    assert Ballot.objects.count() == 0


def test_a_ballot_follows_the_ballot_rules(envelope, voter):
    ids = projects(envelope)
    over_budget = {ids["Pistes cyclables"]: 1, ids["Jardin partagé"]: 1}
    with pytest.raises(BallotError, match="100000"):
        ballot_cast(user=voter, envelope=envelope, choices=over_budget)
    with pytest.raises(BallotError):
        ballot_cast(user=voter, envelope=envelope, choices={})
    with pytest.raises(BallotError):
        ballot_cast(user=voter, envelope=envelope, choices={999_999: 1})


def test_census_verification_refuses_unknown_people(commune_a, envelope, voter):
    with pytest.raises(VerificationError):
        resident_verify_by_census(
            user=UserFactory(), territory=commune_a, family_name="Inconnu", first_name="X",
            birth_date=BIRTH,
        )  # fmt: skip
    with pytest.raises(VerificationError):  # the same person, another account
        resident_verify_by_census(
            user=UserFactory(), territory=commune_a, family_name="Martin", first_name="Camille",
            birth_date=BIRTH,
        )  # fmt: skip


def test_paper_ballots_count_once_two_agents_typed_the_same(commune_a, envelope, make_staff):
    first, second = make_staff(commune_a, Role.AGENT), make_staff(commune_a, Role.AGENT)
    ids = projects(envelope)
    choice = {ids["Fontaine"]: 1, ids["Bancs"]: 1}
    paper_ballot_enter(agent=first, envelope=envelope, batch="urne-1", number=1, choices=choice)
    assert Ballot.objects.count() == 0
    with pytest.raises(BallotError):
        paper_ballot_enter(agent=first, envelope=envelope, batch="urne-1", number=1, choices=choice)
    paper_ballot_enter(agent=second, envelope=envelope, batch="urne-1", number=1, choices=choice)
    assert Ballot.objects.get().choices == {str(ids["Bancs"]): 1, str(ids["Fontaine"]): 1}

    paper_ballot_enter(agent=first, envelope=envelope, batch="urne-1", number=2, choices=choice)
    with pytest.raises(BallotError):
        paper_ballot_enter(
            agent=second, envelope=envelope, batch="urne-1", number=2,
            choices={ids["Bancs"]: 1},
        )  # fmt: skip
    assert Ballot.objects.count() == 1
    assert PaperBallot.objects.get(number=2).mismatch  # flagged for a supervisor


def test_a_paper_voter_cannot_vote_again_online(commune_a, envelope, voter, make_staff):
    agent = make_staff(commune_a, Role.AGENT)
    verification = resident_verify_in_person(
        agent=agent, territory=commune_a, family_name="Martin", first_name="Camille",
        birth_date=BIRTH,
    )  # fmt: skip
    paper_voter_register(agent=agent, envelope=envelope, verification=verification)
    with pytest.raises(BallotError):
        ballot_cast(user=voter, envelope=envelope, choices={projects(envelope)["Bancs"]: 1})


def test_the_tally_is_what_pabutools_computes_from_the_export(envelope, tmp_path: Path):
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    ids = projects(envelope)
    patterns = [["Jardin partagé", "Bancs"], ["Pistes cyclables"], ["Fontaine", "Bancs"],
                ["Jardin partagé", "Fontaine"], ["Pistes cyclables", "Bancs"]]  # fmt: skip
    for index, titles in enumerate(patterns * 3):
        Ballot.objects.create(
            envelope=envelope, key=f"k{index}", choices={str(ids[t]): 1 for t in titles}
        )
    path = tmp_path / "vote.pb"
    path.write_text(pabulib_format(election=envelope_election(envelope=envelope)))
    instance, profile = parse_pabulib(str(path))
    expected = completion_by_rule_combination(
        instance, profile,
        [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
        [{"rule": method_of_equal_shares, "rule_params": {"sat_class": Cost_Sat},
          "budget_step": profile.num_ballots()}, {"sat_class": Cost_Sat}],
    )  # fmt: skip
    outcome = envelope_tally(envelope=envelope, rule="equal-shares", completion="add1")
    assert sorted(outcome.selected) == sorted(project.name for project in expected)
    selected = set(
        envelope.projects.filter(status=ProjectStatus.SELECTED).values_list("pk", flat=True)
    )
    assert selected == {int(pk) for pk in outcome.selected}


def test_erasing_a_voter_never_changes_a_counted_ballot(envelope, voter):
    ids = projects(envelope)
    ballot_cast(user=voter, envelope=envelope, choices={ids["Bancs"]: 1})
    before = list(Ballot.objects.values_list("id", "choices"))
    activity = next(a for a in activities() if a.key == "budgets.participatory_budgets")
    assert activity.export(voter)["voted_in"] == [str(envelope)]
    activity.erase(voter)
    assert list(Ballot.objects.values_list("id", "choices")) == before
    assert VoterRecord.objects.get().user is None  # still counted as having voted


def test_cumulative_ballots_share_the_points(commune_a):
    budget = make_budget(commune_a, ballot_type=BallotType.CUMULATIVE, points=5, max_projects=4)
    envelope = Envelope.objects.create(budget=budget, name="Ville", amount=50_000)
    first = Project.objects.create(
        territory=commune_a, envelope=envelope, title="A", description="…", cost=20_000,
        status=ProjectStatus.FEASIBLE,
    )  # fmt: skip
    user = UserFactory()
    resident_verify_in_person(
        agent=None, territory=commune_a, family_name="A", first_name="B", birth_date=BIRTH,
        user=user,
    )  # fmt: skip
    with pytest.raises(BallotError):
        ballot_cast(user=user, envelope=envelope, choices={first.pk: 6})
    ballot_cast(user=user, envelope=envelope, choices={first.pk: 5})
    assert Ballot.objects.get().choices == {str(first.pk): 5}


def test_the_register_of_voters_is_deleted_after_the_appeal_period(envelope, voter):
    from parvis.budgets.services import voter_register_purge

    ballot_cast(user=voter, envelope=envelope, choices={projects(envelope)["Bancs"]: 1})
    vote = envelope.budget.process.phases.get()
    assert voter_register_purge() == 0  # the vote is open
    assert voter_register_purge(now=vote.ends_at + dt.timedelta(days=30)) == 0  # appeal period
    assert voter_register_purge(now=vote.ends_at + dt.timedelta(days=70)) == 1
    assert Ballot.objects.count() == 1  # the ballots stay: results remain recountable


def test_followers_hear_of_each_realisation_step(
    envelope, voter, make_staff, commune_a, mailoutbox, django_capture_on_commit_callbacks
):
    from parvis.budgets.services import project_follow, project_update_add

    project = envelope.projects.get(title="Bancs")
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.SELECTED)
    project.refresh_from_db()
    project_follow(project=project, user=voter)
    agent = make_staff(commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        project_update_add(
            project=project, actor=agent, realisation="works", progress=40, spent=4_000,
            text="Les bancs sont commandés.",
        )  # fmt: skip
    assert [message.to for message in mailoutbox] == [[voter.email]]
    assert "Les bancs sont commandés." in mailoutbox[0].body


def test_a_district_envelope_is_voted_by_the_residents_the_census_places_there(commune_a, envelope):
    from parvis.territories.models import District
    from parvis.testing.factories import DistrictFactory

    centre = District.objects.get(territory=commune_a, code="centre")
    gare = DistrictFactory(territory=commune_a, name="Gare", code="gare")
    budget = envelope.budget
    envelopes = {
        district: Envelope.objects.create(
            budget=budget, name=f"Quartier {district.name}", amount=20_000, district=district
        )
        for district in (centre, gare)
    }
    for district_envelope in envelopes.values():
        Project.objects.create(
            territory=commune_a, envelope=district_envelope, title="Bancs", description="…",
            cost=10_000, status=ProjectStatus.FEASIBLE,
        )  # fmt: skip
    census_upload(
        territory=commune_a,
        rows=[("Martin", "Camille", BIRTH, "centre"), ("Durand", "Léa", BIRTH, "")],
        actor=None,
    )
    camille, lea = UserFactory(), UserFactory()
    for user, family, first in [(camille, "Martin", "Camille"), (lea, "Durand", "Léa")]:
        resident_verify_by_census(
            user=user, territory=commune_a, family_name=family, first_name=first,
            birth_date=BIRTH,
        )  # fmt: skip

    def vote(user, district_envelope):
        choice = {district_envelope.projects.get().pk: 1}
        return ballot_cast(user=user, envelope=district_envelope, choices=choice)

    vote(camille, envelopes[centre])
    with pytest.raises(BallotError, match="Gare"):
        vote(camille, envelopes[gare])
    ballot_cast(user=camille, envelope=envelope, choices={projects(envelope)["Bancs"]: 1})
    vote(lea, envelopes[gare])  # a census line without district: free to choose, as before
    assert Ballot.objects.filter(envelope=envelopes[gare]).count() == 1


def test_a_census_list_naming_an_unknown_district_is_refused_whole(commune_a):
    census_upload(territory=commune_a, rows=[("Martin", "Camille", BIRTH)], actor=None)
    with pytest.raises(ValidationError, match="nowhere"):
        census_upload(
            territory=commune_a,
            rows=[("Durand", "Léa", BIRTH, "centre"), ("Petit", "Jules", BIRTH, "nowhere")],
            actor=None,
        )
    assert CensusEntry.objects.filter(territory=commune_a).count() == 1, "the old list stays"
