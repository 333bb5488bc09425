"""The Method of Equal Shares (MES) with cost utilities, exact and fast.

The rule (equalshares.net; pabutools' `method_of_equal_shares`): the budget is split equally
among the voters. Round after round, among the projects its supporters can still pay for
together, the rule funds the one that asks the least of each of them: the project with the
smallest `rho`, where the supporters pay `min(their money, rho x their satisfaction)` and
these payments add up to the project's cost. It stops when no project can be paid for.

Decisions copied from pabutools 1.2.3 (`pabutools.rules.mes.mes_rule`), read in its source:

- ties on `rho` go to the project whose id comes first in lexicographic (Python string) order,
  pabutools' default `lexico_tie_breaking` (so "10" comes before "9");
- a project nobody supports, or that costs nothing (its cost satisfaction is 0), never enters
  the rule;
- a project whose supporters hold less money than its cost is out for good (money only ever
  decreases), and one they hold exactly enough for is still affordable;
- voters with identical ballots are not merged in the result: every voter counts for one, and
  the per-voter budget is `budget / number of ballots`, empty ballots included.

How it is fast (on 90,000 ballots and 160 projects pabutools takes 17 to 50 s depending on the
machine, this a few tenths of a second: bench/budgets). Three ideas, all exact:

1. Voters are grouped by the money they have left, not by ballot (a city's 90,000 ballots hold
   some 50,000 distinct ones: merging them would save little). A voter has either nothing left
   or the initial share minus the payments of the projects it paid part of, so a project's
   supporters fall into far fewer classes of equal money than they are voters. Its `rho` needs
   only how many supporters each class holds: one C-level `Counter` over their class ids, then a
   sweep over the classes (hundreds, for thousands of supporters).
2. Money is an integer numerator over a common denominator that gets finer when a payment needs
   it, so sorting and summing are integer operations; `Fraction` appears only for each
   project's `rho`, which is compared between projects.
3. Projects are re-evaluated lazily (as pabutools does with its sorted affordabilities, here with
   a heap): payments only lower the voters' money, so a project's `rho` only grows, and a value
   computed in an earlier round is a lower bound. Only the project at the top of the heap is
   recomputed; it is funded when its fresh value still beats every other project's bound.
"""

from __future__ import annotations

from collections import Counter, deque
from fractions import Fraction
from heapq import heapify, heappop, heappush
from math import gcd, lcm

from .utilities import Support


def equal_shares_run(*, support: Support, per_voter_budget: Fraction) -> list[int]:
    """The projects MES funds when each voter starts with `per_voter_budget` (in the units of
    `support`), in the order it funds them (indices into `support.names`)."""
    if support.voters == 0:
        return []
    run = _Run(support, per_voter_budget)
    return run.select()


def equal_shares_add1(*, support: Support) -> tuple[list[int], int]:
    """MES completed by raising each voter's share by one unit of currency at a time.

    This is pabutools' `exhaustion_by_budget_increase` around `method_of_equal_shares` with
    `budget_step` = the number of voters, the "add1" completion: MES is run with the budget
    `B + k x voters` (a share of `B / voters + k`) for k = 0, 1, 2, ... and the first outcome
    that uses the budget up (no other project fits in what is left of `B`) is kept; as soon as an
    outcome costs more than `B`, the previous one is kept instead. k stops at `B` (pabutools'
    `budget_bound`, `B x (voters + 1)`). Unlike equalshares.net, which first rounds the share
    down to a whole unit, pabutools starts from the exact share `B / voters`: so do we.

    Returns the outcome and its k. The outcome may still leave money that a project would fit
    in: the caller completes it greedily.

    One shortcut, exact: once a share covers the cost of all the projects MES can fund, MES
    funds them all, for that share and every larger one. If that outcome fits in `B` but is not
    exhaustive, pabutools goes on raising the share up to its bound and returns the outcome of
    the last share; we compute that last one directly instead of every share in between.
    """
    voters, budget = support.voters, support.budget
    if voters == 0:
        return [], 0
    last_k = budget // support.scale
    fundable = sum(
        cost
        for cost, weight in zip(support.costs, support.total_weight, strict=True)
        if cost and weight
    )
    previous: list[int] = []
    previous_k = 0
    k = 0
    while k <= last_k:
        share = Fraction(budget, voters) + k * support.scale
        outcome = equal_shares_run(support=support, per_voter_budget=share)
        spent = sum(support.costs[project] for project in outcome)
        if spent > budget:
            return previous, previous_k
        if is_exhaustive(support=support, selected=outcome):
            return outcome, k
        previous, previous_k = outcome, k
        k = last_k if share >= fundable and k < last_k else k + 1
    return previous, previous_k


def is_exhaustive(*, support: Support, selected: list[int]) -> bool:
    """True when no project left out (any project, supported or not) fits in the money the
    selection leaves: pabutools' `Instance.is_exhaustive`."""
    chosen = set(selected)
    left = support.budget - sum(support.costs[project] for project in chosen)
    return all(cost > left for project, cost in enumerate(support.costs) if project not in chosen)


class _Run:
    """One run of MES: the voters' money by class, the heap of projects, the outcome so far.

    Class 0 holds the voters with nothing left; it is never swept (an empty purse pays nothing,
    and pabutools' sweep passes over it the same way). Every other class is created by a
    payment and never changes afterwards: its money is `purse[c] x scale[era[c]]` over the
    current `unit`. A payment that needs a finer unit multiplies `unit` and the few `scale`
    entries of the past eras (one per such payment) instead of every class's money.
    """

    def __init__(self, support: Support, share: Fraction) -> None:
        self.support = support
        self.unit = share.denominator
        self.purse: list[int] = [0, share.numerator]
        self.era: list[int] = [0, 0]
        self.scale: list[int] = [1]
        self.voter_class = [1] * support.voters
        self.selected: list[int] = []

    def select(self) -> list[int]:
        support = self.support
        heap = [
            (Fraction(1, support.total_weight[project]), support.name_rank[project], project)
            for project, cost in enumerate(support.costs)
            if cost and support.total_weight[project]
        ]
        heapify(heap)
        fresh_round = [-1] * len(support.costs)
        fresh: dict[int, tuple[Counter, int, int]] = {}
        round_number = 0
        while heap:
            _, rank, project = heappop(heap)
            if fresh_round[project] == round_number:
                self._fund(project, *fresh.pop(project))
                fresh.clear()
                round_number += 1
                continue
            evaluation = self._evaluate(project)
            if evaluation is None:
                continue  # cannot be paid for, now or later
            rho, classes, numerator, denominator = evaluation
            fresh[project] = (classes, numerator, denominator)
            fresh_round[project] = round_number
            heappush(heap, (rho, rank, project))
        return self.selected

    def _evaluate(self, project: int) -> tuple[Fraction, Counter, int, int] | None:
        """The project's `rho` for the current money, or None when its supporters cannot pay.

        Also returns the supporters per class (per class and weight for weighted ballots) and
        the payment per unit of weight of those who pay in part, `numerator / denominator` in
        money units, which `_fund` needs.
        """
        support = self.support
        purses, eras, scale = self.purse, self.era, self.scale
        class_of = self.voter_class.__getitem__
        supporters = support.supporters[project]
        need = support.costs[project] * self.unit
        if support.weights is None:
            classes = Counter(map(class_of, supporters))
            entries = [(purses[c] * scale[eras[c]], count) for c, count in classes.items() if c]
            if sum([purse * count for purse, count in entries]) < need:
                return None
            entries.sort()
            remaining = sum([count for _, count in entries])
            paid = 0
            for purse, count in entries:
                if need - paid <= purse * remaining:
                    break  # this class and the richer ones pay (need - paid) / remaining each
                paid += purse * count
                remaining -= count
        else:
            classes = Counter(zip(map(class_of, supporters), support.weights[project], strict=True))
            present = [
                (purses[c] * scale[eras[c]], weight, count)
                for (c, weight), count in classes.items()
                if c
            ]
            if sum(purse * count for purse, _, count in present) < need:
                return None
            common = lcm(*{weight for _, weight, _ in present})
            present.sort(key=lambda entry: entry[0] * (common // entry[1]))  # money / weight
            remaining = sum(weight * count for _, weight, count in present)
            paid = 0
            for purse, weight, count in present:
                if (need - paid) * weight <= purse * remaining:
                    break
                paid += purse * count
                remaining -= weight * count
        numerator, denominator = need - paid, remaining
        rho = Fraction(numerator, denominator * self.unit * support.costs[project])
        return rho, classes, numerator, denominator

    def _fund(self, project: int, classes: Counter, numerator: int, denominator: int) -> None:
        """Select `project`: its supporters pay `numerator / denominator` per unit of weight,
        or all they have when that is less; they move to a new class with what they have
        left (class 0 when nothing)."""
        self.selected.append(project)
        common = gcd(numerator, denominator)
        numerator, denominator = numerator // common, denominator // common
        if denominator != 1:
            self.unit *= denominator
            self.scale = [factor * denominator for factor in self.scale]
            self.scale.append(1)
        era = len(self.scale) - 1
        purses, eras, scale = self.purse, self.era, self.scale
        weighted = self.support.weights is not None
        move: dict = {}
        for key in classes:
            c, weight = key if weighted else (key, 1)
            left = purses[c] * scale[eras[c]] - numerator * weight if c else 0
            if left <= 0:
                move[key] = 0
            else:
                move[key] = len(purses)
                purses.append(left)
                eras.append(era)
        supporters = self.support.supporters[project]
        class_of = self.voter_class.__getitem__
        if weighted:
            keys = zip(map(class_of, supporters), self.support.weights[project], strict=True)
        else:
            keys = map(class_of, supporters)
        deque(map(self.voter_class.__setitem__, supporters, map(move.__getitem__, keys)), 0)
