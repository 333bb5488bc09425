"""Writes on accounts and staff memberships."""

from __future__ import annotations

from django.db import transaction

from parvis.accounts.models import Membership, User
from parvis.core.audit import AuditAction, audit
from parvis.territories.models import Territory


@transaction.atomic
def user_create(*, email: str, password: str | None = None, display_name: str = "") -> User:
    """Create an account outside the sign-up flow (demo data, counter-assisted creation)."""
    user = User(email=User.objects.normalize_email(email).lower(), display_name=display_name)
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def membership_grant(
    *, user: User, territory: Territory, role: str, actor: User | None
) -> Membership:
    """Give `user` a staff role on `territory`; idempotent. Audited when a person grants it.

    The caller has checked `accounts.manage_memberships` on the territory.
    """
    membership, created = Membership.objects.get_or_create(
        user=user, territory=territory, role=role, defaults={"granted_by": actor}
    )
    if created:
        membership.full_clean()
    if created and actor is not None:
        audit(
            actor=actor,
            action=AuditAction.STAFF_ACTION,
            verb="membership_grant",
            target=membership,
            subject=user,
            territory=territory,
            detail={"role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User) -> None:
    """Remove a staff role. The caller has checked `accounts.manage_memberships`."""
    audit(
        actor=actor,
        action=AuditAction.STAFF_ACTION,
        verb="membership_revoke",
        target=membership,
        subject=membership.user,
        territory=membership.territory,
        detail={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Delete the account itself, last step of an erasure request (after every app erased)."""
    user.memberships.all().delete()
    user.delete()
