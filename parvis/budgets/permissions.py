"""Who may do what with participatory budgets: role x territory x phase."""

import rules

from parvis.accounts.choices import Role
from parvis.accounts.permissions import has_role
from parvis.participation.permissions import results_public, submitting, supporting, voting

budget_staff = has_role(Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN)
reviewers = has_role(Role.SUPERVISOR, Role.TERRITORY_ADMIN)


@rules.predicate
def is_resident(user) -> bool:
    return bool(user and user.is_authenticated)


rules.add_perm("budgets.submit_proposal", is_resident & submitting)
rules.add_perm("budgets.support_project", is_resident & supporting)
rules.add_perm("budgets.vote", is_resident & voting)
rules.add_perm("budgets.view_results", results_public | budget_staff)
rules.add_perm("budgets.enter_paper_ballot", budget_staff)
rules.add_perm("budgets.verify_resident", budget_staff)
rules.add_perm("budgets.review_project", reviewers)
rules.add_perm("budgets.tally", reviewers)
rules.add_perm("budgets.upload_census", reviewers)
rules.add_perm(
    "budgets.moderate_comment", has_role(Role.MODERATOR, Role.SUPERVISOR, Role.TERRITORY_ADMIN)
)
# The department in charge of the works posts their progress.
rules.add_perm("budgets.update_realisation", budget_staff)
