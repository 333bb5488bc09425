"""How ballots become the satisfaction the rules count: one definition for every ballot format.

A voter's satisfaction from a funded project is `weight x cost`, the "cost utility" of the
Method of Equal Shares (equalshares.net; pabutools' `Cost_Sat`): a voter who backs a project
values it at what it costs, so an expensive project needs more support, in money terms, than a
cheap one. The weight is what the ballot says about the project:

- approval and choose-1: 1 for each chosen project (this is exactly `Cost_Sat`);
- ordinal: 1 for each ranked project, whatever its rank, which is what `Cost_Sat` gives ordinal
  ballots (it asks only whether the project is on the ballot). pabutools' positional measure
  (`Additive_Borda_Sat`) was not chosen: it gives the last-ranked project nothing, so a voter
  who ranks a single project would not support it at all;
- cumulative: the points given to the project. `Cost_Sat` would ignore the points (any project
  on the ballot counts 1), making them meaningless; `points x cost` keeps the cost utility and
  lets approval be the special case of one point. In pabutools terms this is an
  `AdditiveSatisfaction` whose function is `ballot.get(project, 0) * project.cost`; the tests
  run pabutools with that measure as the oracle.

A project with zero weight (no support, or zero points) has no supporter; a zero-cost project
gives no satisfaction (pabutools: `Cost_Sat` of a free project is 0), so the Method of Equal
Shares never selects it and greedy ranks it with the unsupported projects.

For speed the rules compute on integers: amounts are multiplied by the least common
denominator of the costs and the budget, and points by that of the points. Both scalings
multiply every satisfaction, cost and budget alike, which leaves every comparison the rules make
(and so every outcome) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from .election import Election


@dataclass(frozen=True, slots=True)
class Support:
    """An election as integer arrays, per project (indices follow `election.projects`).

    `costs` and `budget` are in units of `1 / scale` of the election's currency. For each
    project, `supporters` lists the indices of the ballots (voters) with a positive weight for
    it, and `weights` their weights aligned with it, or is None when every weight is 1
    (approval, choose-1, ordinal). `total_weight` is the sum of a project's weights and
    `name_rank` the position of its id in the lexicographic order of ids (the tie-break).
    """

    names: tuple[str, ...]
    costs: tuple[int, ...]
    budget: int
    scale: int
    voters: int
    supporters: tuple[list[int], ...]
    weights: tuple[list[int], ...] | None
    total_weight: tuple[int, ...]
    name_rank: tuple[int, ...]


def support_from_election(*, election: Election) -> Support:
    """The integer view of `election` the rules compute on (see the module docstring)."""
    names = tuple(project.project_id for project in election.projects)
    index = {name: position for position, name in enumerate(names)}
    amounts = [project.cost for project in election.projects] + [election.budget]
    scale = lcm(*(amount.denominator for amount in amounts))
    costs = tuple(int(project.cost * scale) for project in election.projects)
    supporters: tuple[list[int], ...] = tuple([] for _ in names)
    weights: tuple[list[int], ...] | None = None
    if election.vote_type == "cumulative":
        weights = tuple([] for _ in names)
        unit = lcm(1, *{points.denominator for b in election.ballots for points in b.points or ()})
        for voter, ballot in enumerate(election.ballots):
            for name, points in zip(ballot.projects, ballot.points or (), strict=True):
                if points:
                    project = index[name]
                    supporters[project].append(voter)
                    weights[project].append(int(points * unit))
        total_weight = tuple(sum(project_weights) for project_weights in weights)
    else:
        for voter, ballot in enumerate(election.ballots):
            for name in ballot.projects:
                supporters[index[name]].append(voter)
        total_weight = tuple(len(project_supporters) for project_supporters in supporters)
    by_name = sorted(range(len(names)), key=names.__getitem__)
    name_rank = [0] * len(names)
    for rank, project in enumerate(by_name):
        name_rank[project] = rank
    return Support(
        names=names,
        costs=costs,
        budget=int(election.budget * scale),
        scale=scale,
        voters=len(election.ballots),
        supporters=supporters,
        weights=weights,
        total_weight=total_weight,
        name_rank=tuple(name_rank),
    )


def density_order(*, support: Support) -> list[int]:
    """Projects in greedy order: most satisfaction per unit of cost first, ties by id.

    With cost utilities the satisfaction per unit of cost of a project is its total weight:
    its number of votes (approval, choose-1, ordinal) or of points (cumulative). A free project
    counts 0, as in pabutools (its cost satisfaction is 0).
    """
    return sorted(
        range(len(support.names)),
        key=lambda project: (
            -(support.total_weight[project] if support.costs[project] else 0),
            support.name_rank[project],
        ),
    )


def fraction_of(*, support: Support, amount: int) -> Fraction:
    """An integer amount of `support` back in the election's currency."""
    return Fraction(amount, support.scale)
