"""Benchmark of the participatory-budget tally (issue 6): Parvis' engine against pabutools.

Not a test: run by hand from the repository root (see bench/budgets/README.md):

    bench/budgets/run.sh                          # 90,000 ballots x 160 projects, all rules
    bench/budgets/run.sh --skip-pabutools-add1    # pabutools' add1 takes minutes
    bench/budgets/run.sh --voters 20000 --projects 60 --pabutools-timeout 120

It generates one seeded instance shaped like Łódź's citywide vote (160 projects, 90,000
approval ballots within the budget, district preferences, a long tail of costs and of
popularity), writes it as a Pabulib file, then, in the same run, counts it with pabutools and
with `parvis.budgets.tally` for greedy, equal shares and equal shares + add1: the same winners
are required, and the table gives the seconds of each and the speed-up. Each pabutools rule
runs in a forked child process, stopped after `--pabutools-timeout` seconds.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from parvis.budgets.tally import (  # noqa: E402 - after the path is set
    Ballot,
    Election,
    Project,
    pabulib_read,
    pabulib_write,
    tally,
)
from parvis.budgets.tally.equal_shares import equal_shares_run, is_exhaustive  # noqa: E402
from parvis.budgets.tally.utilities import support_from_election  # noqa: E402

RULES = (("greedy", "none"), ("equal-shares", "none"), ("equal-shares", "add1"))


def generate(*, voters: int, projects: int, seed: int) -> Election:
    """A citywide participatory budget in the manner of Łódź.

    Projects: lognormal costs (median 250,000, from 20,000 to 4,000,000, rounded to the
    thousand), one of 10 districts each or citywide (a quarter), lognormal popularity (a few
    favourites, a long tail) a little lower for expensive projects. Budget: a quarter of the
    total cost. Each voter lives in a district and favours its projects four to one; ballots
    have 1 to 10 projects (1 + a geometric length, mean ~4) drawn by popularity, a project being
    left out when it would take the ballot over the budget (ballots are within the budget, as
    in Łódź).
    """
    rng = random.Random(seed)
    districts = 10
    costs = [
        max(20_000, min(4_000_000, round(rng.lognormvariate(math.log(250_000), 0.9), -3)))
        for _ in range(projects)
    ]
    district_of = [rng.randrange(districts) if rng.random() < 0.75 else None for _ in costs]
    popularity = [rng.lognormvariate(0, 1.1) * (250_000 / cost) ** 0.25 for cost in costs]
    budget = round(sum(costs) / 4, -5)
    cumulative = []
    for home in range(districts):
        weights = [
            weight * (4 if district_of[p] in (home, None) else 1)
            for p, weight in enumerate(popularity)
        ]
        total, running = 0.0, []
        for weight in weights:
            total += weight
            running.append(total)
        cumulative.append(running)
    names = [str(p + 1) for p in range(projects)]
    ballots = []
    for voter in range(voters):
        length = min(10, 1 + int(rng.expovariate(1 / 3)))
        chosen: list[int] = []
        spent = 0
        for project in rng.choices(
            range(projects), cum_weights=cumulative[voter % districts], k=3 * length
        ):
            if project not in chosen and spent + costs[project] <= budget:
                chosen.append(project)
                spent += costs[project]
                if len(chosen) == length:
                    break
        ballots.append(
            Ballot(projects=tuple(names[p] for p in chosen), fields={"voter_id": str(voter + 1)})
        )
    return Election(
        vote_type="approval",
        budget=Fraction(budget),
        projects=tuple(
            Project(
                project_id=names[p],
                cost=Fraction(costs[p]),
                fields={"district": "citywide" if district_of[p] is None else str(district_of[p])},
            )
            for p in range(projects)
        ),
        ballots=tuple(ballots),
        meta={
            "description": "Synthetic citywide vote shaped like Łódź (bench/budgets)",
            "country": "Poland",
            "unit": "Synthetic",
            "instance": f"seed {seed}",
            "max_length": "10",
            "max_sum_cost": str(budget),
        },
        project_columns=("project_id", "cost", "district"),
        vote_columns=("voter_id", "vote"),
    )


def pabutools_rule(instance, profile, rule: str, completion: str, raises: int = 0) -> list[str]:
    """The outcome pabutools computes, with the calls the tests use as the oracle. `raises`:
    for equal shares alone, the run with each voter's share raised by that many units (one
    step of add1's loop)."""
    from pabutools.election.satisfaction import Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif completion == "none":
        instance.budget_limit += raises * profile.num_ballots()  # in the forked child only
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    else:
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
            [
                {
                    "rule": method_of_equal_shares,
                    "rule_params": {"sat_class": Cost_Sat},
                    "budget_step": profile.num_ballots(),
                },
                {"sat_class": Cost_Sat},
            ],
        )
    return [project.name for project in outcome]


@dataclass
class Timed:
    seconds: float | None  # None: skipped or stopped by the timeout
    selected: list[str] | None
    note: str = ""
    increments: int | None = None  # ours, equal shares: the share raises add1 kept


def _child(connection, instance, profile, rule, completion, raises) -> None:
    started = time.perf_counter()
    selected = pabutools_rule(instance, profile, rule, completion, raises)
    connection.send((time.perf_counter() - started, selected))
    connection.close()


def run_pabutools(
    instance, profile, rule: str, completion: str, timeout: float, raises: int = 0
) -> Timed:
    """One pabutools rule in a forked child (it inherits the parsed profile), stopped after
    `timeout` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, instance, profile, rule, completion, raises)
    )
    child.start()
    sender.close()
    if receiver.poll(timeout):
        seconds, selected = receiver.recv()
        child.join()
        return Timed(seconds, selected)
    child.terminate()
    child.join()
    return Timed(None, None, f"stopped after {timeout:.0f} s")


def run_parvis(election: Election, rule: str, completion: str, repeat: int) -> Timed:
    """Best of `repeat` runs of our tally (conversion of the ballots included, as pabutools
    converts its profile on every call)."""
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = tally(election=election, rule=rule, completion=completion)
        best = min(best, time.perf_counter() - started)
    return Timed(best, list(outcome.selected), increments=outcome.budget_increments)


def run_parvis_raised(election: Election, raises: int, repeat: int) -> Timed:
    """Our equal shares alone with each voter's share raised by `raises` units, best of
    `repeat` runs (the conversion of the ballots included, as in `run_parvis`)."""
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        support = support_from_election(election=election)
        share = Fraction(support.budget, support.voters) + raises * support.scale
        selected = equal_shares_run(support=support, per_voter_budget=share)
        best = min(best, time.perf_counter() - started)
    return Timed(best, [support.names[project] for project in selected])


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores{' (' + model + ')' if model else ''}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=90_000)
    parser.add_argument("--projects", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of ours")
    parser.add_argument(
        "--pabutools-timeout",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="stop a pabutools rule after this (default 1800); a stopped or skipped add1 is "
        "checked step by step instead: equal shares at the share add1 kept, and one unit above",
    )
    parser.add_argument("--skip-pabutools-add1", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the instance here and keep it")
    args = parser.parse_args(argv)

    from pabutools.election import parse_pabulib

    election = generate(voters=args.voters, projects=args.projects, seed=args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "instance.pb"
        pabulib_write(election=election, path=path)
        started = time.perf_counter()
        election = pabulib_read(path=path)
        ours_parse = time.perf_counter() - started
        started = time.perf_counter()
        instance, profile = parse_pabulib(str(path))
        theirs_parse = time.perf_counter() - started

    print(
        f"instance: {len(election.ballots):,} approval ballots, {len(election.projects)} "
        f"projects, budget {float(election.budget):,.0f}, seed {args.seed}"
    )
    print(f"machine: {machine()}")
    print()
    rows = [("parse .pb", Timed(theirs_parse, None), Timed(ours_parse, None), "")]
    all_same = True
    estimate = ""
    for rule, completion in RULES:
        label = rule if completion == "none" else f"{rule} + {completion}"
        ours = run_parvis(election, rule, completion, args.repeat)
        if completion == "add1" and args.skip_pabutools_add1:
            theirs = Timed(None, None, "skipped")
        else:
            theirs = run_pabutools(instance, profile, rule, completion, args.pabutools_timeout)
        same, check = compare(theirs, ours)
        all_same &= same
        rows.append((label, theirs, ours, check))
        if completion == "add1" and theirs.selected is None:
            # Spot check instead: pabutools' equal shares at the share add1 kept and, unless
            # that outcome was exhaustive (where add1 stops), one unit above: the step whose
            # outcome went over the budget.
            raises = ours.increments
            kept = run_parvis_raised(election, raises, 1)
            support = support_from_election(election=election)
            exhaustive = is_exhaustive(
                support=support, selected=[support.names.index(name) for name in kept.selected]
            )
            steps = (raises,) if exhaustive else (raises, raises + 1)
            step_seconds = [rows[2][1].seconds]
            for step in steps:
                ours_step = run_parvis_raised(election, step, args.repeat)
                theirs_step = run_pabutools(
                    instance, profile, rule, "none", args.pabutools_timeout, raises=step
                )
                same, check = compare(theirs_step, ours_step)
                all_same &= same
                role = "kept by add1" if step == raises else "add1's last step, over budget"
                rows.append((f"{rule}, share + {step} ({role})", theirs_step, ours_step, check))
                step_seconds.append(theirs_step.seconds)
            if None not in step_seconds:
                # add1 runs equal shares for every share from + 0 to the last step: interpolate
                # between the plain run and the last one measured.
                runs = steps[-1] + 1
                seconds = runs * (step_seconds[0] + step_seconds[-1]) / 2
                estimate = (
                    f"pabutools add1 estimated at ~{seconds / 60:,.0f} min ({runs} runs of "
                    f"equal shares from {step_seconds[0]:.1f} s to {step_seconds[-1]:.1f} s), "
                    f"~{seconds / ours.seconds:,.0f}x ours"
                )

    print("| step | pabutools (s) | parvis (s) | speed-up | winners |")
    print("|---|---:|---:|---:|---|")
    ratios = []
    for label, theirs, ours, check in rows:
        if theirs.seconds is None:
            timeout = args.pabutools_timeout
            their_cell = "skipped" if theirs.note == "skipped" else f"> {timeout:.0f}"
            ratio = "" if theirs.note == "skipped" else f"> {timeout / ours.seconds:,.0f}x"
        else:
            their_cell = f"{theirs.seconds:.2f}"
            ratio = f"{theirs.seconds / ours.seconds:,.0f}x"
            if check:
                ratios.append(theirs.seconds / ours.seconds)
        print(f"| {label} | {their_cell} | {ours.seconds:.3f} | {ratio} | {check} |")
    print()
    if estimate:
        print(estimate)
    worst = min(ratios) if ratios else float("nan")
    verdict = "identical winners" if all_same else "WINNERS DIFFER"
    target = "met" if ratios and worst >= 10 else "NOT met"
    print(
        f"summary: {verdict}; smallest speed-up over the rules pabutools finished {worst:,.0f}x "
        f"(target >= 10x: {target})"
    )
    return 0 if all_same else 1


def compare(theirs: Timed, ours: Timed) -> tuple[bool, str]:
    if theirs.selected is None:
        return True, f"unchecked ({theirs.note}); {len(ours.selected)} winners"
    if theirs.selected == ours.selected:
        return True, f"same {len(ours.selected)} winners, same order"
    return False, f"DIFFERENT: pabutools {theirs.selected} vs ours {ours.selected}"


if __name__ == "__main__":
    sys.exit(main())
