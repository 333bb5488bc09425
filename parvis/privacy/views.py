"""Privacy pages: my data and consents, the public register, the policy, the staff audit."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.caching import public_page_cache
from parvis.core.privacy_registry import activities
from parvis.privacy.forms import AccountEraseForm, ConsentForm
from parvis.privacy.selectors import audit_list_for_territory, consent_state, consent_states
from parvis.privacy.services import (
    account_erase,
    consent_give,
    consent_withdraw,
    personal_data_export,
)
from parvis.territories.selectors import (
    territory_get_public,
    territory_operator,
    territory_scope_ids,
)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    context = {
        "consents": consent_states(user=request.user),
        "erase_form": AccountEraseForm(user=request.user),
    }
    return render(request, "privacy/my_data.html", context)


@login_required
@require_POST
def consent_update(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    operator = territory_operator()
    if not form.is_valid() or operator is None:
        raise Http404
    change = consent_give if form.cleaned_data["give"] else consent_withdraw
    try:
        consent_state(user=request.user, purpose=form.cleaned_data["purpose"])  # offered online?
        change(subject=request.user, territory=operator, purpose=form.cleaned_data["purpose"])
    except LookupError:
        raise Http404 from None
    if request.headers.get("HX-Request"):
        # htmx swaps the card in place; without JavaScript the whole page is reloaded.
        item = consent_state(user=request.user, purpose=form.cleaned_data["purpose"])
        return render(request, "privacy/_consent_card.html", {"item": item})
    messages.success(request, _("Your choice has been recorded."))
    return redirect("privacy:my_data")


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-parvis.json"'
    return response


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountEraseForm(request.POST, user=request.user)
    if not form.is_valid():
        context = {"consents": consent_states(user=request.user), "erase_form": form}
        return render(request, "privacy/my_data.html", context, status=400)
    user = request.user
    logout(request)
    account_erase(user=user)
    messages.success(request, _("Your account and your personal data have been deleted."))
    return redirect("territories:home")


@public_page_cache(60)
def processing_register(request: HttpRequest) -> HttpResponse:
    context = {"activities": activities(), "operator": territory_operator()}
    return render(request, "privacy/register.html", context)


@public_page_cache(60)
def privacy_policy(request: HttpRequest) -> HttpResponse:
    context = {"activities": activities(), "operator": territory_operator()}
    return render(request, "privacy/policy.html", context)


@login_required
def audit_list(request: HttpRequest, territory_slug: str) -> HttpResponse:
    territory = territory_get_public(slug=territory_slug)
    if not request.user.has_perm("privacy.view_audit", territory):
        raise Http404
    entries = audit_list_for_territory(territory_ids=territory_scope_ids(territory=territory))
    page = Paginator(entries.select_related("territory"), 50).get_page(request.GET.get("page"))
    return render(request, "privacy/audit_list.html", {"territory": territory, "page": page})
