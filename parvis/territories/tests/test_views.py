import pytest

from parvis.accounts.choices import Role


def test_home_lists_the_territories(client, commune_a, commune_b):
    page = client.get("/").content.decode()
    assert "Commune A" in page and "Commune B" in page


def test_legal_pages_speak_for_the_operator(client, epci, commune_a):
    notice = client.get("/mentions-legales/").content.decode()
    assert epci.legal_name in notice and epci.siren in notice and epci.host_name in notice
    accessibility = client.get("/accessibilite/").content.decode()
    assert epci.accessibility_contact in accessibility and "RGAA" in accessibility


def test_english_is_available(client, commune_a):
    assert 'lang="fr"' in client.get("/").content.decode()
    page = client.get("/en/").content.decode()
    assert 'lang="en"' in page and "Territories served" in page


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.AGENT, ["Signalements à traiter"], ["Journal des accès", "Équipe et rôles"]),
        (Role.DATA_OFFICER, ["Journal des accès", "Appareils et capteurs"], ["Équipe et rôles"]),
    ],
)
def test_the_staff_area_leads_to_what_the_role_opens(
    client, make_staff, commune_a, role, shown, hidden
):
    client.force_login(make_staff(commune_a, role))
    page = client.get(f"/t/{commune_a.slug}/agents/").content.decode()
    for title in shown:
        assert title in page
    for title in hidden:
        assert title not in page
    queue = f"/t/{commune_a.slug}/signalements/"
    assert (f'href="{queue}"' in page) == (role == Role.AGENT)
    if role == Role.AGENT:
        assert client.get(queue).status_code == 200, "the link leads to a page the agent may see"


def test_a_territory_saved_shows_at_once_on_its_pages(client, make_staff, commune_a):
    client.force_login(make_staff(commune_a))
    area = f"/t/{commune_a.slug}/agents/"
    assert "Commune A" in client.get(area).content.decode()  # now in the cache
    commune_a.name = "Commune Renommée"
    commune_a.save()
    assert "Commune Renommée" in client.get(area).content.decode()
    commune_a.is_active = False
    commune_a.save()
    assert client.get(area).status_code == 404


def test_the_page_frame_follows_the_page_language_and_visitor(client, make_staff, commune_a):
    from django.test import Client

    home, english = client.get("/").content.decode(), client.get("/en/").content.decode()
    assert 'href="/" aria-current="page">Accueil' in home and "Connexion" in home
    assert 'href="/en/" aria-current="page">Home' in english and "Log in" in english
    legal = client.get("/mentions-legales/").content.decode()
    assert 'aria-current="page"' not in legal.split("</header>")[0]
    client.force_login(make_staff(commune_a))
    other = Client()
    other.force_login(make_staff(commune_a))
    mine, theirs = client.get("/").content.decode(), other.get("/").content.decode()
    assert "Connexion" not in mine and "Mon compte" in mine

    def logout_token(page: str) -> str:
        form = page.split('action="/accounts/logout/"')[1].split("</form>")[0]
        return form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    assert logout_token(mine) != logout_token(theirs), "each visitor's own CSRF token"
