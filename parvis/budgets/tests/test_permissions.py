"""Who may act on a participatory budget: role x territory x phase."""

import pytest

from parvis.accounts.choices import Role
from parvis.budgets.tests.test_services import make_budget
from parvis.testing.factories import UserFactory

STAFF_PERMS = {
    "budgets.enter_paper_ballot": {Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN},
    "budgets.verify_resident": {Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN},
    "budgets.update_realisation": {Role.AGENT, Role.SUPERVISOR, Role.TERRITORY_ADMIN},
    "budgets.review_project": {Role.SUPERVISOR, Role.TERRITORY_ADMIN},
    "budgets.upload_census": {Role.SUPERVISOR, Role.TERRITORY_ADMIN},
    "budgets.tally": {Role.SUPERVISOR, Role.TERRITORY_ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("perm", list(STAFF_PERMS))
def test_staff_permissions_by_role_and_territory(commune_a, commune_b, make_staff, role, perm):
    budget = make_budget(commune_a)
    assert make_staff(commune_a, role).has_perm(perm, budget) == (role in STAFF_PERMS[perm])
    assert not make_staff(commune_b, role).has_perm(perm, budget)
    assert not make_staff(commune_a, role, mfa=False).has_perm(perm, budget)


@pytest.mark.parametrize(
    ("actions", "allowed"),
    [
        (["submit"], {"budgets.submit_proposal"}),
        (["support"], {"budgets.support_project"}),
        (["vote"], {"budgets.vote"}),
        (["results"], {"budgets.view_results"}),
        ([], set()),
    ],
)
def test_residents_act_only_in_the_phase_that_allows_it(commune_a, actions, allowed):
    budget = make_budget(commune_a, actions=actions)
    resident = UserFactory()
    resident_perms = {
        "budgets.submit_proposal",
        "budgets.support_project",
        "budgets.vote",
        "budgets.view_results",
    }
    assert {perm for perm in resident_perms if resident.has_perm(perm, budget)} == allowed
