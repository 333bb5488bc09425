"""Staff pages of the sensors: device health, a device's datastreams, the dead-letter screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.scoping import get_object_for_user_or_404
from parvis.sensors.choices import MIN_METERS_PUBLISHED, DeadLetterStatus
from parvis.sensors.forms import (
    DeadLetterBulkForm,
    DeadLetterFilterForm,
    SeriesForm,
    ThingFilterForm,
)
from parvis.sensors.models import DeadLetter, Thing
from parvis.sensors.selectors import (
    dead_letter_list,
    dead_letter_list_for_staff,
    health_summary,
    thing_health,
    thing_list,
    thing_list_with_health,
)
from parvis.sensors.services import dead_letter_discard, dead_letter_replay
from parvis.sensors.views import datastream_of, series_context, series_csv, with_levels
from parvis.territories.selectors import territory_get_public, territory_scope_ids

DEAD_LETTER_PAGE_SIZE = 25
# Per-letter actions, by their (French) URL slug.
LETTER_ACTIONS = {"rejouer": "replay", "ecarter": "discard"}


def _territory(request: HttpRequest, slug: str, perm: str = "sensors.view_operations"):
    territory = territory_get_public(slug=slug)
    if not request.user.has_perm(perm, territory):
        raise Http404
    return territory


def _staff_thing(request: HttpRequest, territory, key: str) -> Thing:
    things = thing_list(territory_ids=territory_scope_ids(territory=territory), public=False)
    return get_object_for_user_or_404(
        request.user, "sensors.view_operations", things.select_related("territory"), key=key
    )


def _map_points(things: list[Thing], territory) -> list[dict]:
    return [
        {
            "name": thing.name,
            "lat": thing.latitude,
            "lon": thing.longitude,
            "health": thing.health,
            "url": reverse(
                "sensors:staff_device", kwargs={"territory_slug": territory.slug, "key": thing.key}
            ),
        }
        for thing in things
    ]


@login_required
def device_list(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """The devices of a territory with their health (online, stale, silent) and a map."""
    territory = _territory(request, territory_slug)
    things = thing_list_with_health(territory_ids=territory_scope_ids(territory=territory))
    filters = ThingFilterForm(request.GET or None)
    shown = filters.apply(things)
    context = {
        "territory": territory,
        "filters": filters,
        "things": shown,
        "summary": health_summary(things),
        "points": _map_points(shown, territory),
    }
    return render(request, "sensors/staff_list.html", context)


@login_required
def device_detail(request: HttpRequest, territory_slug: str, key: str) -> HttpResponse:
    """A device for staff: its health, last message, every datastream (public or not)."""
    territory = _territory(request, territory_slug)
    thing = _staff_thing(request, territory, key)
    thing.health = thing_health(thing)
    context = {
        "territory": territory,
        "thing": thing,
        "streams": with_levels(thing.datastreams.all()),
        "min_meters": MIN_METERS_PUBLISHED,
    }
    return render(request, "sensors/staff_detail.html", context)


@login_required
def series_page(
    request: HttpRequest, territory_slug: str, key: str, datastream_pk: int
) -> HttpResponse:
    """A datastream for staff (public or not): chart, table twin, CSV export."""
    territory = _territory(request, territory_slug)
    thing = _staff_thing(request, territory, key)
    datastream = datastream_of(thing, datastream_pk)
    form = SeriesForm(request.GET, personal=datastream.is_personal)
    context = series_context(form, datastream) | {
        "territory": territory,
        "thing": thing,
        "export_url": reverse(
            "sensors:staff_series_export",
            kwargs={"territory_slug": territory.slug, "key": key, "datastream_pk": datastream.pk},
        ),
    }
    status = 200 if form.is_valid() else 400
    return render(request, "sensors/staff_series.html", context, status=status)


@login_required
def series_export(
    request: HttpRequest, territory_slug: str, key: str, datastream_pk: int
) -> HttpResponse:
    territory = _territory(request, territory_slug)
    thing = _staff_thing(request, territory, key)
    datastream = datastream_of(thing, datastream_pk)
    return series_csv(SeriesForm(request.GET, personal=datastream.is_personal), thing, datastream)


@login_required
def dead_letters(request: HttpRequest, territory_slug: str) -> HttpResponse:
    """Messages and records that were not stored, with their reason; replay or discard them."""
    territory = _territory(request, territory_slug)
    filters = DeadLetterFilterForm(request.GET or None)
    letters = dead_letter_list_for_staff(
        territory_ids=territory_scope_ids(territory=territory), **filters.selection()
    )
    if request.method == "POST":
        return _bulk(request, territory, letters)
    page = Paginator(letters, DEAD_LETTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "territory": territory,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "can_replay": request.user.has_perm("sensors.replay_dead_letter", territory),
        "bulk": DeadLetterBulkForm(letters=letters),
    }
    return render(request, "sensors/dead_letters.html", context)


def _apply(action: str, letter: DeadLetter, actor) -> bool:
    """Replay or discard one pending letter; True when it is resolved."""
    if action == "discard":
        dead_letter_discard(letter=letter, actor=actor)
        return True
    dead_letter_replay(letter=letter, actor=actor)
    return letter.status == DeadLetterStatus.REPLAYED


def _bulk(request: HttpRequest, territory, letters) -> HttpResponse:
    form = DeadLetterBulkForm(request.POST, letters=letters)
    if not form.is_valid():
        messages.error(request, _("Select messages and an action."))
        return redirect(request.get_full_path())
    resolved = unchanged = 0
    for letter in form.cleaned_data["letters"]:
        if letter.status != DeadLetterStatus.PENDING or not request.user.has_perm(
            "sensors.replay_dead_letter", letter
        ):
            unchanged += 1
        elif _apply(form.cleaned_data["action"], letter, request.user):
            resolved += 1
        else:
            unchanged += 1
    messages.success(
        request,
        _("%(resolved)d message(s) resolved, %(unchanged)d still to examine or left unchanged.")
        % {"resolved": resolved, "unchanged": unchanged},
    )
    return redirect(request.get_full_path())


@login_required
@require_POST
def dead_letter_action(
    request: HttpRequest, territory_slug: str, letter_pk: int, action: str
) -> HttpResponse:
    """Replay (after fixing its cause) or discard one pending letter, then back to the list."""
    territory = _territory(request, territory_slug)
    if action not in LETTER_ACTIONS:
        raise Http404
    letter = get_object_for_user_or_404(
        request.user,
        "sensors.replay_dead_letter",
        dead_letter_list(territory_ids=territory_scope_ids(territory=territory)),
        pk=letter_pk,
    )
    if _apply(LETTER_ACTIONS[action], letter, request.user):
        done = _("Message #%(number)d replayed and stored.") if action == "rejouer" else None
        messages.success(
            request, (done or _("Message #%(number)d discarded.")) % {"number": letter.pk}
        )
    else:
        messages.error(
            request,
            _("Message #%(number)d is still refused: %(reason)s (%(detail)s).")
            % {"number": letter.pk, "reason": letter.get_reason_display(), "detail": letter.detail},
        )
    return redirect(_back_to_list(request, territory))


def _back_to_list(request: HttpRequest, territory) -> str:
    """The list page the action came from (with its filters), or the list itself."""
    target = request.POST.get("next", "")
    listing = reverse("sensors:dead_letters", kwargs={"territory_slug": territory.slug})
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith(listing) else listing
