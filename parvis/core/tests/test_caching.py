"""Public pages are served from a short cache to anonymous visitors, never to anyone else."""

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


def test_a_page_that_hands_out_a_form_token_is_not_cached(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from parvis.core.caching import public_page_cache

    calls = []

    @public_page_cache(60)
    def view(request):
        calls.append(1)
        return HttpResponse(f"token {get_token(request)}" if request.GET.get("form") else "plain")

    cache.clear()
    for _ in range(2):
        view(rf.get("/with-form/?form=1"))
        view(rf.get("/plain/"))
    assert len(calls) == 3, "the form page is rendered each time, the plain one once"
    request = rf.get("/plain/")
    request.COOKIES["sessionid"] = "abc"
    view(request)
    assert len(calls) == 4, "a visitor with a session never gets the shared copy"
