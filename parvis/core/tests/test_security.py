from django.conf import settings


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_origin(client, epci):
    page = client.get("/").content.decode()
    assert (
        "http://" not in page
        and "https://" not in page
        and "//" not in page.replace("<!DOCTYPE", "")
    )


def test_only_strictly_necessary_cookies_are_set(client, db):
    response = client.get("/")
    assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}


def test_health_check_reports_the_database(client, db):
    assert client.get("/healthz").json()["status"] == "ok"


def test_health_check_says_when_the_database_is_down(client, db, monkeypatch):
    from django.db import OperationalError

    class DownDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("parvis.core.views.connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_api_docs_are_served_without_any_cdn(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
