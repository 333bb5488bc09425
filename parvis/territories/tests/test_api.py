def test_territories_are_listed_with_their_identifiers(client, commune_a, commune_b, epci):
    response = client.get("/api/v1/territories")
    assert response.status_code == 200
    by_slug = {t["slug"]: t for t in response.json()}
    assert by_slug["commune-a"]["parent"] == "val"
    assert by_slug["val"]["kind"] == "epci"
    assert by_slug["commune-a"]["insee_code"] == commune_a.insee_code


def test_locate_answers_the_district_of_a_point(client, commune_a):
    response = client.get("/api/v1/territories/commune-a/locate", {"lat": 47.005, "lon": 4.805})
    assert response.status_code == 200
    assert response.json()["district"]["code"] == "centre"
    outside = client.get("/api/v1/territories/commune-a/locate", {"lat": 40, "lon": 4})
    assert outside.json()["district"] is None


def test_unknown_territory_is_a_404_with_a_json_error(client, db):
    response = client.get("/api/v1/territories/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_openapi_schema_is_published(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/territories/{slug}/locate" in schema["paths"]
