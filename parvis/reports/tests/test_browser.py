"""A resident reports a problem with a photo and an agent resolves it, in a real browser.

Run with JavaScript disabled (the form, not the map, carries the flow) and enabled (the map
fills the position when clicked).
"""

import pytest

from parvis.accounts.choices import Role
from parvis.reports.models import Report
from parvis.testing.browser import log_in_browser
from parvis.testing.factories import CategoryFactory, jpeg_with_gps, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_then_resolve_without_javascript(
    page_nojs, client, live_server, resident, commune_a, tmp_path
):
    tab = page_nojs
    category = CategoryFactory(territory=commune_a, name="Nid-de-poule")
    log_in_browser(tab, live_server, resident)
    tab.goto("/signalements/nouveau/")
    tab.select_option("#id_territory", str(commune_a.pk))
    tab.select_option("#id_category", str(category.pk))
    tab.fill("#id_place", "Devant la boulangerie")
    tab.locator("main form button[type=submit]").click()
    tab.fill("#id_title", "Trou dangereux")
    tab.fill("#id_description", "Un trou profond devant la boulangerie.")
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(jpeg_with_gps())
    tab.set_input_files("#id_photos", str(photo))
    tab.locator("main form[enctype] button[type=submit]").click()
    tab.wait_for_url("**/signalements/*/")
    report = Report.objects.get()
    assert tab.get_by_role("heading", level=1).inner_text() == f"#{report.pk} Trou dangereux"
    image = tab.locator(".photos img").first
    assert image.evaluate("img => img.naturalWidth") == 64  # served, re-encoded

    agent = staff_user(territory=commune_a, role=Role.AGENT)
    tab.context.clear_cookies()
    log_in_browser(tab, live_server, agent)
    tab.goto(f"/t/{commune_a.slug}/signalements/")
    tab.get_by_role("link", name=f"#{report.pk} Trou dangereux").click()
    status_form = tab.locator("form[action$='/statut/']")
    status_form.locator("select[name=to]").select_option("resolved")
    status_form.locator("textarea[name=public_note]").fill("Rebouché ce matin.")
    status_form.locator("button[type=submit]").click()
    report.refresh_from_db()
    assert report.status == "resolved"
    tab.goto(f"/signalements/{report.pk}/")
    assert "Rebouché ce matin." in tab.locator(".timeline").inner_text()


def test_clicking_the_map_fills_the_position(page, client, live_server, resident, commune_a):
    CategoryFactory(territory=commune_a)
    log_in_browser(page, live_server, resident)
    page.goto("/signalements/nouveau/")
    page.locator(".leaflet-container").wait_for()
    page.locator(".map--picker").click(position={"x": 100, "y": 80})
    assert page.input_value("#id_latitude") != "" and page.input_value("#id_longitude") != ""
    assert page.locator(".leaflet-marker-icon").count() == 1


def test_the_list_map_shows_the_reports_of_the_feed(page, resident, commune_a):
    from parvis.reports.services import report_create

    category = CategoryFactory(territory=commune_a)
    for number in range(3):
        report_create(
            category=category,
            title=f"Trou {number}",
            description="x",
            latitude=47.002 + number / 1000,
            longitude=4.805,
            reporter=resident,
        )
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto("/signalements/")
    page.locator(".leaflet-interactive").nth(2).wait_for()
    assert page.locator(".leaflet-interactive").count() == 3
    assert failed == []


def test_an_administrator_adds_a_category_without_javascript(page_nojs, live_server, commune_a):
    from parvis.reports.models import Category
    from parvis.testing.factories import DepartmentFactory

    tab = page_nojs
    DepartmentFactory(territory=commune_a, name="Voirie")
    log_in_browser(tab, live_server, staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN))
    tab.goto(f"/t/{commune_a.slug}/agents/")
    tab.get_by_role("link", name="Signalements : catégories et réglages").click()
    tab.get_by_role("link", name="Nouvelle catégorie").click()
    tab.locator("#id_group").fill("Voirie")
    tab.locator("#id_name").fill("Trottoir abîmé")
    tab.get_by_label("Service compétent").select_option(label="Voirie")
    tab.locator("#id_sla_hours").fill("0")
    tab.locator("#id_service_code").fill("trottoir")
    tab.get_by_role("button", name="Enregistrer").click()
    assert tab.locator("#id_sla_hours_error").is_visible()  # refused, the rest kept
    assert tab.locator("#id_name").input_value() == "Trottoir abîmé"
    tab.locator("#id_sla_hours").fill("48")
    tab.get_by_role("button", name="Enregistrer").click()
    table = tab.get_by_role("table", name="Catégories de signalements")
    assert "Voirie — Trottoir abîmé" in table.inner_text()
    assert Category.objects.get(service_code="trottoir").sla_hours == 48


def test_an_open311_key_is_shown_once_on_an_accessible_page(page, live_server, commune_a):
    from parvis.reports.selectors import open311_client_for_key
    from parvis.testing.accessibility import describe_violations, run_axe

    tab = page  # axe needs JavaScript; the form itself is plain HTML
    log_in_browser(tab, live_server, staff_user(territory=commune_a, role=Role.TERRITORY_ADMIN))
    tab.goto(f"/t/{commune_a.slug}/signalements/reglages/")
    tab.get_by_role("link", name="Enregistrer une application").click()
    tab.locator("#id_name").fill("Appli Brune")
    tab.locator("#id_contact_email").fill("dev@example.fr")
    tab.get_by_role("button", name="Enregistrer").click()
    key = tab.locator("#open311-key").input_value()
    assert open311_client_for_key(api_key=key).name == "Appli Brune"
    violations = run_axe(tab)["violations"]
    assert violations == [], describe_violations(tab.url, violations)
    tab.goto(f"/t/{commune_a.slug}/signalements/reglages/")
    assert key not in tab.content()
