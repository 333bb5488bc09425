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
