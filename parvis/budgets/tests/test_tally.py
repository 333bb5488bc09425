"""The tally: Pabulib files read and written, and outcomes identical to pabutools'.

pabutools (the reference implementation of participatory-budgeting rules) is the oracle: random
elections of every ballot format, with many ties, are written as Pabulib files, read by both,
and must give the same winners in the same order for greedy, equal shares and equal shares +
add1. The satisfaction measures given to pabutools are those `tally.utilities` documents.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.satisfaction import AdditiveSatisfaction, Cost_Sat
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from parvis.budgets.tally import (
    Ballot,
    Election,
    PabulibError,
    Project,
    TallyError,
    pabulib_format,
    pabulib_parse,
    pabulib_read,
    tally,
)
from parvis.budgets.tally.pabulib import format_number

DATA = Path(__file__).parent / "data"
BRUNE = DATA / "brune-2026.pb"
RULES = [("greedy", "none"), ("equal-shares", "none"), ("equal-shares", "add1")]


def _points_times_cost(instance, profile, ballot, project, precomputed_values):
    return ballot.get(project, 0) * project.cost


class CostPointsSat(AdditiveSatisfaction):
    """`points x cost`: pabutools' measure for what `tally.utilities` does with cumulative
    ballots."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, _points_times_cost)


def pabutools_outcome(text: str, rule: str, completion: str) -> list[str]:
    instance, profile = parse_pabulib_from_string(text)
    sat = CostPointsSat if instance.meta["vote_type"] == "cumulative" else Cost_Sat
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    elif completion == "none":
        outcome = method_of_equal_shares(instance, profile, sat_class=sat)
    else:
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
            [
                {
                    "rule": method_of_equal_shares,
                    "rule_params": {"sat_class": sat},
                    "budget_step": profile.num_ballots(),
                },
                {"sat_class": sat},
            ],
        )
    return [project.name for project in outcome]


def election_of(
    vote_type: str,
    budget,
    costs: dict[str, object],
    votes: list,
) -> Election:
    """An election from plain values; for cumulative ballots a vote is {project: points}."""
    ballots = []
    for position, vote in enumerate(votes, start=1):
        fields = {"voter_id": str(position)}
        if vote_type == "cumulative":
            ballot = Ballot(
                projects=tuple(vote),
                points=tuple(Fraction(points) for points in vote.values()),
                fields=fields,
            )
        else:
            ballot = Ballot(projects=tuple(vote), fields=fields)
        ballots.append(ballot)
    columns = ("voter_id", "vote", "points") if vote_type == "cumulative" else ("voter_id", "vote")
    return Election(
        vote_type=vote_type,
        budget=Fraction(budget),
        projects=tuple(
            Project(project_id=name, cost=Fraction(cost)) for name, cost in costs.items()
        ),
        ballots=tuple(ballots),
        vote_columns=columns,
    )


def random_election(rng: random.Random, vote_type: str) -> Election:
    """A small election made for ties: few distinct costs, often few distinct ballots (voters
    copy a handful of them; otherwise each has its own, for many voters left with different
    amounts), ids whose lexicographic order is not the numeric one ("10" < "9"), sometimes a
    half-unit cost or budget, a free project, fractional points, unsupported projects."""
    names = [str(number) for number in rng.sample(range(1, 16), rng.randint(1, 9))]
    costs = {name: Fraction(rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 8, 10])) for name in names}
    if rng.random() < 0.2:
        costs[rng.choice(names)] = Fraction(rng.choice([5, 7, 15]), 2)
    if rng.random() < 0.1:
        costs[rng.choice(names)] = Fraction(0)
    budget = Fraction(rng.randint(1, max(1, int(sum(costs.values())))))
    if rng.random() < 0.2:
        budget += Fraction(1, 2)
    longest = 1 if vote_type == "choose-1" else len(names)
    kinds = []
    for _ in range(rng.randint(1, 6) if rng.random() < 0.6 else 40):
        chosen = rng.sample(names, rng.randint(0, longest))
        if vote_type == "cumulative":
            kinds.append(
                {name: Fraction(rng.randint(0, 8), rng.choice([1, 1, 2])) for name in chosen}
            )
        else:
            kinds.append(chosen)
    votes = [rng.choice(kinds) for _ in range(rng.randint(1, 40))]
    return election_of(vote_type, budget, costs, votes)


def assert_same_as_pabutools(election: Election) -> None:
    text = pabulib_format(election=election)
    ours = pabulib_parse(text=text)
    for rule, completion in RULES:
        selected = list(tally(election=ours, rule=rule, completion=completion).selected)
        assert selected == pabutools_outcome(text, rule, completion), (rule, completion, text)


# -- the rules against pabutools ----------------------------------------------------------------


@pytest.mark.parametrize("vote_type", ["approval", "choose-1", "cumulative", "ordinal"])
def test_random_elections_have_the_winners_pabutools_finds(vote_type):
    rng = random.Random(f"parvis-{vote_type}")
    for _ in range(120):
        assert_same_as_pabutools(random_election(rng, vote_type))


def test_the_projects_of_a_published_file_are_those_pabutools_finds():
    text = BRUNE.read_text(encoding="utf-8-sig")
    election = pabulib_read(path=BRUNE)
    expected = {
        ("greedy", "none"): ["3", "1"],
        ("equal-shares", "none"): ["3", "9"],
        ("equal-shares", "add1"): ["3", "10", "9"],
    }
    for (rule, completion), selected in expected.items():
        assert list(tally(election=election, rule=rule, completion=completion).selected) == selected
        assert pabutools_outcome(text, rule, completion) == selected


def test_ties_go_to_the_first_id_in_lexicographic_order():
    # "10" and "9" cost the same and have the same supporters: "10" < "9" as strings.
    election = election_of("approval", 2, {"9": 2, "10": 2}, [["9", "10"]] * 4)
    for rule, completion in RULES:
        assert tally(election=election, rule=rule, completion=completion).selected == ("10",)
    assert_same_as_pabutools(election)


def test_cumulative_points_weigh_in_and_ordinal_ranks_count_as_approval():
    # 3 voters give all their points to "a", 4 give one point to "b": greedy counts points, not
    # voters.
    cumulative = election_of("cumulative", 5, {"a": 5, "b": 5}, [{"a": 5}] * 3 + [{"b": 1}] * 4)
    assert tally(election=cumulative, rule="greedy").selected == ("a",)
    # Ranked first or last, a project counts one vote.
    ordinal = election_of("ordinal", 5, {"a": 5, "b": 5}, [["a", "b"]] * 3 + [["b", "a"]] * 2)
    assert tally(election=ordinal, rule="greedy").selected == ("a",)
    for election in (cumulative, ordinal):
        assert_same_as_pabutools(election)


def test_add1_keeps_the_last_share_when_more_money_changes_nothing():
    # Equal shares funds "a" at once; "b" (nobody's choice) would fit, so no outcome is ever
    # exhaustive: pabutools raises the share up to its bound (budget x (voters + 1)) and the
    # greedy completion adds "b".
    election = election_of("approval", 10, {"a": 2, "b": 1}, [["a"]] * 3)
    outcome = tally(election=election, rule="equal-shares", completion="add1")
    assert outcome.selected == ("a", "b")
    assert outcome.budget_increments == 10
    assert outcome.per_voter_budget == Fraction(10, 3) + 10
    assert_same_as_pabutools(election)


def test_free_and_unsupported_projects():
    # A free project gives no cost satisfaction: equal shares never funds it, greedy ranks it
    # with the unsupported projects and funds it since it fits.
    election = election_of("approval", 4, {"free": 0, "a": 3, "lonely": 1}, [["free", "a"]] * 2)
    assert tally(election=election, rule="equal-shares").selected == ("a",)
    assert tally(election=election, rule="greedy").selected == ("a", "free", "lonely")
    assert_same_as_pabutools(election)


def test_an_election_without_ballots_funds_by_id_order():
    election = election_of("approval", 3, {"b": 1, "a": 2, "c": 1}, [])
    assert tally(election=election, rule="equal-shares").selected == ()
    assert tally(election=election, rule="greedy").selected == ("a", "b")
    assert tally(election=election, rule="equal-shares", completion="add1").selected == ("a", "b")


def test_the_outcome_reports_money_and_voters():
    outcome = tally(election=pabulib_read(path=BRUNE), rule="equal-shares")
    assert outcome.budget == 100_000 and outcome.spent == 50_000 and outcome.voters == 7
    assert outcome.per_voter_budget == Fraction(100_000, 7) and outcome.budget_increments == 0


def test_unknown_rules_and_completions_are_refused():
    election = pabulib_read(path=BRUNE)
    with pytest.raises(TallyError, match="unknown rule"):
        tally(election=election, rule="phragmen")
    with pytest.raises(TallyError, match="unknown completion"):
        tally(election=election, rule="equal-shares", completion="add2")
    with pytest.raises(TallyError, match="no completion"):
        tally(election=election, rule="greedy", completion="add1")


# -- reading and writing Pabulib files ----------------------------------------------------------


def test_a_file_is_read_with_its_columns_and_limits():
    election = pabulib_read(path=BRUNE)
    assert election.vote_type == "approval" and election.budget == 100_000
    gardens = election.projects[1]
    assert gardens.cost == Fraction(80_001, 2)  # 40000,5: decimal comma
    assert gardens.fields == {
        "name": "Jardins partagés; rue Haute",
        "category": "environment,urbanism",
    }
    assert election.projects[3].fields == {"name": "Fontaine à eau"}  # None is no value
    assert [ballot.projects for ballot in election.ballots[:3]] == [
        ("1", "3"),
        ("1",),
        ("2", "3", "10"),
    ]
    assert election.ballots[1].fields == {"voter_id": "v2"}
    assert election.ballots[6].projects == ()
    assert election.limits.max_length == 3 and election.limits.max_sum_cost == 100_000
    assert election.meta["description"].endswith("2026; a fictional vote")  # unquoted ";"


@pytest.mark.parametrize("vote_type", ["approval", "choose-1", "cumulative", "ordinal"])
def test_what_is_written_reads_back_the_same_here_and_in_pabutools(vote_type):
    rng = random.Random(f"round-trip-{vote_type}")
    for _ in range(20):
        election = random_election(rng, vote_type)
        text = pabulib_format(election=election)
        again = pabulib_parse(text=text)
        assert again.budget == election.budget and again.vote_type == vote_type
        assert [(p.project_id, p.cost) for p in again.projects] == [
            (p.project_id, p.cost) for p in election.projects
        ]
        assert [(b.projects, b.points) for b in again.ballots] == [
            (b.projects, b.points) for b in election.ballots
        ]
        assert pabulib_format(election=again) == text
        instance, profile = parse_pabulib_from_string(text)
        assert instance.budget_limit == election.budget
        assert {p.name: p.cost for p in instance} == {
            p.project_id: p.cost for p in election.projects
        }
        assert profile.num_ballots() == len(election.ballots)


def test_the_published_file_round_trips_with_its_columns():
    election = pabulib_read(path=BRUNE)
    again = pabulib_parse(text=pabulib_format(election=election))
    assert again == election


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Fraction(1200), "1200"),
        (Fraction(25, 2), "12.5"),
        (Fraction(1, 8), "0.125"),
        (Fraction(1, 3), "1/3"),
    ],
)
def test_amounts_are_written_exactly(value, written):
    assert format_number(value) == written
    assert Fraction(written) == value


HEAD = (
    "META\nkey;value\nbudget;10\nvote_type;approval\n"
    "PROJECTS\nproject_id;cost\na;5\nb;5\n"
    "VOTES\nvoter_id;vote\n"
)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (HEAD + "1;a,c\n", 11, "unknown project 'c'"),
        (HEAD + "1;a\n2;a,a\n", 12, "names the same project twice"),
        (HEAD.replace("b;5", "b;five"), 8, "cost of project 'b' is not a number"),
        (HEAD.replace("b;5", "b;-5"), 8, "negative"),
        (HEAD.replace("a;5", "a;5\na;6"), 8, "project 'a' appears twice"),
        (HEAD.replace("budget;10\n", ""), 8, "META has no budget"),
        (HEAD.replace("approval", "scoring"), 4, "unsupported vote_type 'scoring'"),
        (HEAD.replace("approval", "choose-1") + "1;a,b\n", 11, "more than one project"),
        (HEAD.replace("project_id;cost", "project_id;price"), 6, "no cost column"),
        ("hello\n" + HEAD, 1, "before any section"),
        (HEAD.replace("budget;10", "budget;10;11"), 3, "budget is not a number: '10;11'"),
        (HEAD.replace("budget;10", "budget"), 3, "a META row is key;value"),
        (HEAD + "1;a;b\n", 11, "3 cells for a header of 2 columns"),
        (HEAD + "1;a\n2\n", 12, "the row ends before its vote"),
        (
            HEAD.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
            + "1;a,b;3\n",
            11,
            "2 projects in vote but 1 numbers in points",
        ),
        (HEAD.split("VOTES")[0], None, "no VOTES section"),
        (HEAD.replace("PROJECTS", "VOTES\nvoter_id;vote\nPROJECTS", 1), 5, "VOTES before PROJECTS"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line(text, line, reason):
    with pytest.raises(PabulibError, match=reason) as caught:
        pabulib_parse(text=text)
    assert caught.value.line == line


# -- the command ----------------------------------------------------------------------------------


def run_command(*args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("budgets", "tally", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_the_outcome_as_json():
    result = run_command(str(BRUNE), "--rule", "equal-shares", "--completion", "add1")
    assert result == {
        "rule": "equal-shares",
        "completion": "add1",
        "vote_type": "approval",
        "voters": 7,
        "projects": 5,
        "budget": "100000",
        "spent": "70000",
        "selected": ["3", "10", "9"],
        "per_voter_budget": "140005/7",
        "budget_increments": 5715,
    }
    greedy = run_command(str(BRUNE), "--rule", "greedy")
    assert greedy["selected"] == ["3", "1"] and greedy["spent"] == "90000"
    assert "per_voter_budget" not in greedy


def test_the_command_names_the_line_of_a_malformed_file(tmp_path):
    broken = tmp_path / "broken.pb"
    broken.write_text(HEAD + "1;a\n2;z\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.pb, line 12: vote for unknown project 'z'"):
        run_command(str(broken), "--rule", "greedy")
    with pytest.raises(CommandError, match="cannot read the file"):
        run_command(str(tmp_path / "missing.pb"), "--rule", "greedy")
    with pytest.raises(CommandError, match="takes no completion"):
        run_command(str(BRUNE), "--rule", "greedy", "--completion", "add1")
