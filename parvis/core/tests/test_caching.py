"""Public pages are served from a short cache to anonymous visitors, never to anyone else."""

import re

from django.core.cache import cache

from parvis.territories.models import Territory


def test_anonymous_visitors_share_a_short_cache_of_public_pages(
    client, epci, commune_a, django_assert_num_queries
):
    cache.clear()
    first = client.get("/")
    assert first.status_code == 200 and not first.cookies, "a public page sets no cookie"
    Territory.objects.filter(pk=commune_a.pk).update(name="Renamed")
    with django_assert_num_queries(0):
        again = client.get("/")
    assert again.content == first.content
    cache.clear()
    assert "Renamed" in client.get("/").content.decode()


def test_logged_in_people_always_get_a_fresh_page(client, epci, commune_a, resident):
    from django.test import Client

    cache.clear()
    anonymous = Client()
    anonymous.get("/")
    client.force_login(resident)
    Territory.objects.filter(pk=commune_a.pk).update(name="Renamed")
    assert "Renamed" in client.get("/").content.decode()
    shared = anonymous.get("/").content.decode()
    assert "Renamed" not in shared, "anonymous visitors still get the copy made for them"
    assert resident.display_name not in shared, "the logged-in page was never shared"


def test_a_page_is_rebuilt_as_soon_as_its_data_changes(rf):
    from django.http import HttpResponse

    from parvis.core.caching import generation_bump, public_page_cache

    data = {"title": "Old"}

    @public_page_cache(300, generations=("things",))
    def view(request):
        return HttpResponse(data["title"])

    cache.clear()
    assert view(rf.get("/things/")).content == b"Old"
    data["title"] = "New"
    assert view(rf.get("/things/")).content == b"Old", "served from the cache"
    generation_bump("things")
    assert view(rf.get("/things/")).content == b"New"


def test_a_page_with_a_form_is_shared_with_each_visitor_s_own_token(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import _does_token_match, get_token

    from parvis.core.caching import public_page_cache

    calls = []

    @public_page_cache(60)
    def view(request):
        calls.append(1)
        field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
        if request.GET.get("leak"):  # the token also outside a form field: never shared
            return HttpResponse(f"<form>{field}</form><script>{get_token(request)}</script>")
        return HttpResponse(f"<form>{field}</form><form>{field}</form>")

    cache.clear()
    visitors = [rf.get("/with-form/") for _ in range(3)]
    pages = [view(visitor).content.decode() for visitor in visitors]
    assert len(calls) == 1, "rendered for the first visitor, shared with the others"
    for visitor, page in zip(visitors, pages, strict=True):
        tokens = set(re.findall(r'value="([A-Za-z0-9]{64})"', page))
        assert len(tokens) == 1 and page.count('value="') == 2
        (token,) = tokens
        assert _does_token_match(token, visitor.META["CSRF_COOKIE"]), "valid for this visitor"
        assert visitor.META["CSRF_COOKIE_NEEDS_UPDATE"], "their CSRF cookie is set"
    secrets = {visitor.META["CSRF_COOKIE"] for visitor in visitors}
    assert len(secrets) == 3, "no visitor gets another's token"
    for _ in range(2):
        view(rf.get("/with-form/?leak=1"))
    assert len(calls) == 3, "a token outside a form field: rendered each time"
    request = rf.get("/with-form/")
    request.COOKIES["sessionid"] = "abc"
    view(request)
    assert len(calls) == 4, "a visitor with a session never gets the shared copy"
