"""Reads over accounts and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from parvis.accounts.models import Membership, User
from parvis.territories.models import Territory


def membership_list_for_territory(*, territory: Territory) -> QuerySet[Membership]:
    """Roles held directly on a territory, for its administrators."""
    return (
        Membership.objects.for_territory(territory)
        .select_related("user")
        .order_by("role", "user__email")
    )


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """Roles a person holds, with where: the links to their staff areas."""
    return (
        Membership.objects.filter(user=user, territory__is_active=True)
        .select_related("territory")
        .order_by("territory__name", "role")
    )


def membership_get_for_territory(*, territory: Territory, pk: int) -> Membership:
    return Membership.objects.for_territory(territory).select_related("user").get(pk=pk)
