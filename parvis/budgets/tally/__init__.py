"""The tally of participatory budgets: Pabulib files in and out, and the rules that pick the
winning projects (greedy by votes, the Method of Equal Shares and its add1 completion).

Pure Python on purpose (no Django, no database, no third-party package): the same code counts
a vote on the platform, from the command line (`parvis budgets tally FILE.pb`) and in anyone's
hands who wants to check a published result from its open data. Its outcomes are those of
pabutools, the reference implementation, which the tests use as the oracle.
"""

from .election import VOTE_TYPES, Ballot, BallotLimits, Election, Project
from .pabulib import PabulibError, pabulib_format, pabulib_parse, pabulib_read, pabulib_write
from .rules import COMPLETIONS, RULES, TallyError, TallyOutcome, tally

__all__ = [
    "COMPLETIONS",
    "RULES",
    "VOTE_TYPES",
    "Ballot",
    "BallotLimits",
    "Election",
    "PabulibError",
    "Project",
    "TallyError",
    "TallyOutcome",
    "pabulib_format",
    "pabulib_parse",
    "pabulib_read",
    "pabulib_write",
    "tally",
]
