"""Account pages: the person's own space and, for territory admins, who holds which role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.accounts.forms import MembershipGrantForm
from parvis.accounts.models import Membership
from parvis.accounts.selectors import membership_list_for_territory, membership_list_for_user
from parvis.accounts.services import membership_grant, membership_revoke
from parvis.core.scoping import get_object_for_user_or_404
from parvis.territories.selectors import territory_get_public


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    memberships = membership_list_for_user(user=request.user)
    return render(request, "accounts/home.html", {"memberships": memberships})


def _territory_for(request: HttpRequest, slug: str, perm: str):
    territory = territory_get_public(slug=slug)
    if not request.user.has_perm(perm, territory):
        raise Http404
    return territory


@login_required
def membership_list(request: HttpRequest, territory_slug: str) -> HttpResponse:
    territory = _territory_for(request, territory_slug, "accounts.view_membership")
    can_manage = request.user.has_perm("accounts.manage_memberships", territory)
    form = MembershipGrantForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            membership_grant(
                user=form.cleaned_data["email"],
                territory=territory,
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            messages.success(request, _("The role has been granted."))
            return redirect("accounts:membership_list", territory_slug=territory.slug)
    context = {
        "territory": territory,
        "memberships": membership_list_for_territory(territory=territory),
        "form": form,
        "can_manage": can_manage,
    }
    return render(
        request, "accounts/membership_list.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def membership_revoke_view(request: HttpRequest, territory_slug: str, pk: int) -> HttpResponse:
    territory = _territory_for(request, territory_slug, "accounts.manage_memberships")
    membership = get_object_for_user_or_404(
        request.user,
        "accounts.manage_memberships",
        Membership.objects.for_territory(territory).select_related("user", "territory"),
        pk=pk,
    )
    membership_revoke(membership=membership, actor=request.user)
    messages.success(request, _("The role has been removed."))
    return redirect("accounts:membership_list", territory_slug=territory.slug)
