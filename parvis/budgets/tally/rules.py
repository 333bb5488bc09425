"""Which projects win: the tally rules of a participatory budget.

Two rules, as computed by pabutools 1.2.3 (the tests check outcome for outcome against it):

- `greedy`: the usual rule of city budgets ("greedy by votes"). Projects are ranked by votes
  (points for cumulative ballots), most first, ties by id in lexicographic order; each in turn
  is funded if it fits in the money left, skipped otherwise, and the ranking goes on. pabutools:
  `greedy_utilitarian_welfare(sat_class=Cost_Sat)`, whose ratio "cost satisfaction / cost" is
  the number of votes.
- `equal-shares`: the Method of Equal Shares with cost utilities (see `equal_shares`), pabutools'
  `method_of_equal_shares(sat_class=Cost_Sat)`. Alone (`completion="none"`) it may leave money
  unspent; `completion="add1"` raises the voters' equal share one unit of currency at a time
  while the outcome fits the budget, then fills what is left greedily: pabutools'
  `completion_by_rule_combination` of `exhaustion_by_budget_increase(rule=method_of_equal_shares,
  budget_step=number of voters)` and `greedy_utilitarian_welfare`, both with `Cost_Sat`.

How each ballot format counts (approval, choose-1, ordinal, cumulative) is in `utilities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .election import Election
from .equal_shares import equal_shares_add1, equal_shares_run
from .utilities import Support, density_order, fraction_of, support_from_election

Rule = Literal["greedy", "equal-shares"]
Completion = Literal["none", "add1"]
RULES: tuple[str, ...] = ("greedy", "equal-shares")
COMPLETIONS: tuple[str, ...] = ("none", "add1")


@dataclass(frozen=True, slots=True)
class TallyOutcome:
    """The result of a tally.

    `selected` lists the winning project ids in the order the rule funded them (for add1, the
    projects of equal shares first, then those of the greedy completion). `spent` is their total
    cost, `voters` the number of ballots counted. For equal shares, `per_voter_budget` is each
    voter's starting share in the retained run (None when there are no ballots) and
    `budget_increments` the number of one-unit raises it took (0 without completion).
    """

    rule: str
    completion: str
    selected: tuple[str, ...]
    budget: Fraction
    spent: Fraction
    voters: int
    per_voter_budget: Fraction | None = None
    budget_increments: int | None = None


class TallyError(ValueError):
    """A rule or completion that does not exist, or does not apply to the rule."""


def tally(*, election: Election, rule: Rule, completion: Completion = "none") -> TallyOutcome:
    """Count `election` with `rule` (and, for equal shares, `completion`).

    Raises TallyError for an unknown rule or completion, or a completion asked of greedy (it
    spends all it can already).
    """
    if rule not in RULES:
        raise TallyError(f"unknown rule {rule!r} (choose among {', '.join(RULES)})")
    if completion not in COMPLETIONS:
        raise TallyError(
            f"unknown completion {completion!r} (choose among {', '.join(COMPLETIONS)})"
        )
    if rule == "greedy" and completion != "none":
        raise TallyError("greedy spends all it can: it takes no completion")
    support = support_from_election(election=election)
    if rule == "greedy":
        return _outcome(support, rule, completion, greedy_fill(support=support, selected=[]))
    if support.voters == 0:  # nobody to share the budget among: equal shares funds nothing
        selected = [] if completion == "none" else greedy_fill(support=support, selected=[])
        return _outcome(support, rule, completion, selected, increments=0)
    if completion == "none":
        share = Fraction(support.budget, support.voters)
        selected = equal_shares_run(support=support, per_voter_budget=share)
        return _outcome(support, rule, completion, selected, share=share, increments=0)
    selected, increments = equal_shares_add1(support=support)
    share = Fraction(support.budget, support.voters) + increments * support.scale
    selected = greedy_fill(support=support, selected=selected)
    return _outcome(support, rule, completion, selected, share=share, increments=increments)


def greedy_fill(*, support: Support, selected: list[int]) -> list[int]:
    """`selected`, then the projects greedy funds with the money it leaves.

    Greedy by votes: in `density_order` (most votes first, ties by id), each project that fits
    in what is left is funded, the others skipped; unsupported projects come last and are funded
    too when they fit, as pabutools does.
    """
    result = list(selected)
    chosen = set(selected)
    left = support.budget - sum(support.costs[project] for project in chosen)
    for project in density_order(support=support):
        if project not in chosen and support.costs[project] <= left:
            result.append(project)
            left -= support.costs[project]
    return result


def _outcome(
    support: Support,
    rule: str,
    completion: str,
    selected: list[int],
    *,
    share: Fraction | None = None,
    increments: int | None = None,
) -> TallyOutcome:
    return TallyOutcome(
        rule=rule,
        completion=completion,
        selected=tuple(support.names[project] for project in selected),
        budget=fraction_of(support=support, amount=support.budget),
        spent=fraction_of(support=support, amount=sum(support.costs[p] for p in selected)),
        voters=support.voters,
        per_voter_budget=None if share is None else share / support.scale,
        budget_increments=increments,
    )
