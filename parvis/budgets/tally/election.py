"""A participatory-budgeting election as the tally sees it: projects, a budget, ballots.

The shapes follow the Pabulib format (https://pabulib.org), the open data standard of
participatory budgeting votes, so that an election read from a `.pb` file and one exported from
Parvis are the same object. Amounts (costs, budget, points) are exact `Fraction`s: a tally must
be reproducible to the last unit, and floats are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

#: Ballot formats the tally understands, as spelled in a Pabulib file's `vote_type`.
#: `choose-1` is an approval ballot with a single project.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")


@dataclass(frozen=True, slots=True)
class Project:
    """A project submitted to the vote: its identifier, its cost, and the other columns of its
    row (name, category, district, ...), kept as the raw strings of the file."""

    project_id: str
    cost: Fraction
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot.

    `projects` lists the project ids the voter chose, in the order of the file: for an ordinal
    ballot the first is the preferred one. `points` is set for cumulative ballots only, one
    number per project of `projects`. `fields` keeps the other columns of the vote row
    (`voter_id`, and e.g. `age`, `sex`, `voting_method`) as raw strings; an anonymised export
    simply leaves them out.
    """

    projects: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BallotLimits:
    """The ballot rules announced in a Pabulib file's META section (all optional).

    They describe what a valid ballot was at the polls; the tally does not enforce them (neither
    does pabutools): a published result counts the ballots as published.
    """

    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: Fraction | None = None
    max_sum_cost: Fraction | None = None
    min_points: Fraction | None = None
    max_points: Fraction | None = None
    min_sum_points: Fraction | None = None
    max_sum_points: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Election:
    """A participatory-budgeting vote: `budget` to share among `projects`, chosen by `ballots`.

    `meta` keeps every META key of the file in order, raw, `budget` and `vote_type` included.
    `project_columns` and `vote_columns` are the header rows of the PROJECTS and VOTES sections,
    so that writing the election back gives the same columns.
    """

    vote_type: str
    budget: Fraction
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    meta: Mapping[str, str] = field(default_factory=dict)
    limits: BallotLimits = field(default_factory=BallotLimits)
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
