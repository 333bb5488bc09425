"""`parvis budgets`: participatory budgets from the command line.

    parvis budgets tally FILE.pb --rule greedy|equal-shares [--completion none|add1]

`tally` counts a vote published as a Pabulib file and prints the outcome as JSON, so that
anyone can check a result from its open data with the code the platform counts with. More
actions (exporting a vote's anonymised ballots, ...) will join `tally` as subcommands.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from parvis.budgets.tally import (
    COMPLETIONS,
    RULES,
    PabulibError,
    TallyError,
    pabulib_read,
    tally,
)
from parvis.budgets.tally.pabulib import format_number

TALLY_HELP = """Count the vote in a Pabulib file and print the outcome as a JSON object:
`selected` (winning project ids as written in the file, in the order the rule funded them:
for add1, equal shares' projects then the greedy completion's), `rule`, `completion`,
`vote_type`, `voters`, `projects`, `budget` and `spent` (exact amounts as strings: "1200",
"12.5" or "1/3"), and for equal shares `per_voter_budget` (each voter's share in the retained
run) and `budget_increments` (one-unit raises of that share made by add1)."""


class Command(BaseCommand):
    help = "Participatory budgets: count a vote from a Pabulib (.pb) file."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        counting = actions.add_parser("tally", help="count a vote", description=TALLY_HELP)
        counting.add_argument("file", metavar="FILE.pb", help="a Pabulib file")
        counting.add_argument("--rule", choices=RULES, required=True)
        counting.add_argument(
            "--completion",
            choices=COMPLETIONS,
            default="none",
            help="equal shares only: add1 raises each voter's share one unit at a time while "
            "the outcome fits the budget, then completes greedily (default: none)",
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "tally":
            self.stdout.write(
                json.dumps(
                    self.tally_file(
                        path=options["file"], rule=options["rule"], completion=options["completion"]
                    ),
                    indent=2,
                    ensure_ascii=False,
                )
            )

    def tally_file(self, *, path: str, rule: str, completion: str) -> dict:
        try:
            election = pabulib_read(path=path)
        except OSError as error:
            raise CommandError(
                f"{path}: cannot read the file ({error.strerror or error})"
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file") from None
        except PabulibError as error:
            where = f", line {error.line}" if error.line is not None else ""
            raise CommandError(f"{path}{where}: {error.reason}") from None
        try:
            outcome = tally(election=election, rule=rule, completion=completion)
        except TallyError as error:
            raise CommandError(str(error)) from None
        result = {
            "rule": outcome.rule,
            "completion": outcome.completion,
            "vote_type": election.vote_type,
            "voters": outcome.voters,
            "projects": len(election.projects),
            "budget": format_number(outcome.budget),
            "spent": format_number(outcome.spent),
            "selected": list(outcome.selected),
        }
        if outcome.per_voter_budget is not None:
            result["per_voter_budget"] = format_number(outcome.per_voter_budget)
            result["budget_increments"] = outcome.budget_increments
        return result
