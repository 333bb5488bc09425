"""Permission predicates: role x territory (x object state, in the domain apps).

Every staff predicate also requires MFA: a staff account without a second factor holds its roles
but cannot use them. Roles held on an intercommunalité reach its member communes. Predicates
accept any object with a `territory` attribute (a Territory is its own territory).

Permission names are strings (`"territories.view_department"`), so apps lower in the layer
order check them with `user.has_perm(...)` without importing this module.
"""

from __future__ import annotations

import rules
from allauth.mfa.models import Authenticator
from django.db.models import Exists

from parvis.accounts.choices import Role
from parvis.accounts.models import Membership
from parvis.territories.choices import TerritoryKind

STAFF_ROLES = frozenset(Role.values)


def role_map(user) -> dict[int, frozenset[str]]:
    """Territory id -> roles the user holds there, EPCI roles extended to member communes.

    Cached on the user object, so one request costs one query whatever the number of checks.
    The same query tells whether a member of staff has a second factor (`has_mfa`), which every
    page checks for them.
    """
    cached = getattr(user, "_parvis_role_map", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    if user.is_authenticated:
        memberships = (
            Membership.objects.filter(user=user, territory__is_active=True)
            .annotate(mfa=Exists(_second_factors(user)))
            .values_list("territory_id", "territory__kind", "role", "mfa")
        )
        epci_roles: dict[int, set[str]] = {}
        for territory_id, kind, role, mfa in memberships:
            user._parvis_has_mfa = mfa
            roles.setdefault(territory_id, set()).add(role)
            if kind == TerritoryKind.EPCI:
                epci_roles.setdefault(territory_id, set()).add(role)
        if epci_roles:
            from parvis.territories.models import Territory

            for commune_id, parent_id in Territory.objects.filter(
                parent_id__in=epci_roles
            ).values_list("pk", "parent_id"):
                roles.setdefault(commune_id, set()).update(epci_roles[parent_id])
    frozen = {territory_id: frozenset(held) for territory_id, held in roles.items()}
    user._parvis_role_map = frozen
    return frozen


def is_staff_user(user) -> bool:
    """Holds at least one staff role somewhere, or operates the platform."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser or role_map(user)))


def _second_factors(user):
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )


def has_mfa(user) -> bool:
    """Has an active second factor (TOTP or WebAuthn security key)."""
    cached = getattr(user, "_parvis_has_mfa", None)
    if cached is None:
        cached = bool(user.is_authenticated and _second_factors(user).exists())
        user._parvis_has_mfa = cached
    return cached


def roles_on(user, obj) -> frozenset[str]:
    territory_id = getattr(obj, "territory_id", None) or getattr(obj, "pk", None)
    if territory_id is None:
        return frozenset()
    return role_map(user).get(territory_id, frozenset())


def has_role(*roles: str) -> rules.Predicate:
    """Predicate: the user holds one of `roles` on the object's territory and has MFA."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({', '.join(sorted(wanted))})")
    def predicate(user, obj=None) -> bool:
        if obj is None or not user.is_authenticated:
            return False
        return bool(wanted & roles_on(user, obj)) and has_mfa(user)

    return predicate


mfa_enabled = rules.predicate(has_mfa)
is_platform_operator = rules.predicate(
    lambda user: bool(user.is_authenticated and user.is_superuser)
)

any_staff = has_role(*STAFF_ROLES)
territory_admin = has_role(Role.TERRITORY_ADMIN)
supervisor = has_role(Role.SUPERVISOR, Role.TERRITORY_ADMIN)
data_officer = has_role(Role.DATA_OFFICER, Role.TERRITORY_ADMIN)

# Territories: the staff area of a territory, its departments and districts.
rules.add_perm("territories.view_staff_area", any_staff)
rules.add_perm("territories.view_department", any_staff)
rules.add_perm("territories.view_district", any_staff)
rules.add_perm("territories.change_department", territory_admin)
rules.add_perm("territories.change_district", territory_admin)
# Accounts: who holds which role.
rules.add_perm("accounts.view_membership", supervisor)
rules.add_perm("accounts.manage_memberships", territory_admin)
# Privacy: the access audit of a territory and its register of processing.
rules.add_perm("privacy.view_audit", data_officer)
# Platform plumbing: failed background jobs.
rules.add_perm("core.replay_failed_task", is_platform_operator & mfa_enabled)
