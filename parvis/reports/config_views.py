"""Staff pages where a territory's administrators configure reporting: categories (routing
and deadlines), ready-made answers, retention and follow-up settings.

Every look-up is scoped to the territory in the URL and to the `reports.configure_reporting`
permission: another territory's objects, or a member without the role, get a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.reports import forms
from parvis.reports.models import Category, Open311Client, ResponseTemplate
from parvis.reports.open311_services import open311_client_deactivate
from parvis.reports.selectors import (
    category_list_for_config,
    category_list_for_place,
    open311_client_list,
    response_template_list_for_config,
)
from parvis.reports.services import (
    category_save,
    open311_client_create,
    reporting_settings,
    reporting_settings_save,
    response_template_delete,
    response_template_save,
)
from parvis.territories.selectors import department_list, territory_get_public

PERMISSION = "reports.configure_reporting"
OPEN311_PERMISSION = "reports.manage_open311_clients"


def _territory(request: HttpRequest, slug: str, permission: str = PERMISSION):
    territory = territory_get_public(slug=slug)
    if not request.user.has_perm(permission, territory):
        raise Http404
    return territory


def _saved(request: HttpRequest, form, save) -> bool:
    """Run the service on a valid form; its validation errors go back onto the form."""
    if not form.is_valid():
        return False
    try:
        save(form.instance)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _object_or_new(model, territory, pk: int | None):
    """The territory's object `pk` (404 if another territory's), or a new one for it."""
    if pk is None:
        return model(territory=territory)
    return get_object_or_404(model.objects.filter(territory=territory), pk=pk)


def _form_page(request: HttpRequest, territory, form, save, saved: str, **context):
    """An edit page: save a valid form and go back to the overview, or show the form again
    with what was typed and why it was refused."""
    if request.method == "POST" and _saved(request, form, save):
        messages.success(request, saved % {"name": str(form.instance)})
        return redirect("reports:config", territory_slug=territory.slug)
    context.update(territory=territory, form=form)
    return render(request, "reports/config_form.html", context)


@login_required
def config(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """The overview: the settings form, the categories and the ready-made answers."""
    territory = _territory(request, territory_slug)
    settings = reporting_settings(territory=territory)
    form = forms.ReportingSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and _saved(
        request, form, lambda s: reporting_settings_save(settings=s, actor=request.user)
    ):
        messages.success(request, _("The settings are saved."))
        return redirect("reports:config", territory_slug=territory.slug)
    context = {
        "territory": territory,
        "form": form,
        "categories": category_list_for_config(territory=territory),
        "templates": response_template_list_for_config(territory=territory),
        "open311_clients": open311_client_list(territory=territory)
        if request.user.has_perm(OPEN311_PERMISSION, territory)
        else None,
    }
    return render(request, "reports/config.html", context)


@login_required
def category_edit(request: HttpRequest, territory_slug: str, category_pk: int | None = None):
    territory = _territory(request, territory_slug)
    category = _object_or_new(Category, territory, category_pk)
    form = forms.CategoryForm(
        request.POST or None, instance=category, departments=department_list(territory=territory)
    )
    return _form_page(
        request,
        territory,
        form,
        lambda c: category_save(category=c, actor=request.user),
        _("The category “%(name)s” is saved."),
        title=_("Change a category") if category.pk else _("New category"),
    )


@login_required
def template_edit(request: HttpRequest, territory_slug: str, template_pk: int | None = None):
    territory = _territory(request, territory_slug)
    template = _object_or_new(ResponseTemplate, territory, template_pk)
    form = forms.ResponseTemplateForm(
        request.POST or None,
        instance=template,
        categories=category_list_for_place(territory=territory),
    )
    delete_action = template.pk and reverse(
        "reports:config_template_delete",
        kwargs={"territory_slug": territory.slug, "template_pk": template.pk},
    )
    return _form_page(
        request,
        territory,
        form,
        lambda t: response_template_save(template=t, actor=request.user),
        _("The answer “%(name)s” is saved."),
        title=_("Change a ready-made answer") if template.pk else _("New ready-made answer"),
        delete_action=delete_action,
    )


@login_required
@require_POST
def template_delete(request: HttpRequest, territory_slug: str, template_pk: int) -> HttpResponse:
    territory = _territory(request, territory_slug)
    template = _object_or_new(ResponseTemplate, territory, template_pk)
    response_template_delete(template=template, actor=request.user)
    messages.success(request, _("The answer “%(name)s” is deleted.") % {"name": template.title})
    return redirect("reports:config", territory_slug=territory.slug)


@login_required
def open311_client_new(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """Register an Open311 application; its key is shown on the answer, once, never again."""
    territory = _territory(request, territory_slug, OPEN311_PERMISSION)
    form = forms.Open311ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, key = open311_client_create(
                territory=territory, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = render(
                request,
                "reports/config_open311_key.html",
                {"territory": territory, "client": client, "key": key},
            )
            response["Cache-Control"] = "no-store"  # the key must not stay in any cache
            return response
    return render(
        request,
        "reports/config_form.html",
        {"territory": territory, "form": form, "title": _("Register an Open311 application")},
    )


@login_required
@require_POST
def open311_client_revoke(request: HttpRequest, territory_slug: str, client_pk: int):
    territory = _territory(request, territory_slug, OPEN311_PERMISSION)
    client = get_object_or_404(Open311Client.objects.filter(territory=territory), pk=client_pk)
    open311_client_deactivate(client=client, actor=request.user)
    messages.success(
        request,
        _("The key of “%(name)s” is revoked: it can no longer file reports.")
        % {"name": client.name},
    )
    return redirect(
        reverse("reports:config", kwargs={"territory_slug": territory.slug}) + "#open311"
    )
