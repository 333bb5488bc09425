"""A territory's administrators configure reporting: categories and their deadlines, ready-made
answers, retention and follow-up settings. Scoped by territory and role; every change audited."""

import datetime as dt

import pytest

from parvis.accounts.choices import Role
from parvis.privacy.models import AuditEntry
from parvis.reports.models import Category, ReportingSettings, ResponseTemplate
from parvis.reports.selectors import category_list_for_place, response_templates_for
from parvis.reports.services import report_create
from parvis.testing.factories import CategoryFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roads(commune_a):
    return DepartmentFactory(territory=commune_a, name="Voirie")


@pytest.fixture
def admin_a(client, make_staff, commune_a):
    admin = make_staff(commune_a, role=Role.TERRITORY_ADMIN)
    client.force_login(admin)
    return admin


def category_data(department, **extra):
    return {
        "group": "Voirie",
        "name": "Trottoir abîmé",
        "description": "",
        "department": department.pk,
        "sla_hours": 48,
        "default_priority": 2,
        "anonymous_by_default": "on",
        "service_code": "trottoir",
        "is_active": "on",
        **extra,
    }


def test_an_administrator_adds_a_category_residents_can_then_report_in(
    client, admin_a, commune_a, roads
):
    base = f"/t/{commune_a.slug}/signalements/reglages/"
    response = client.post(f"{base}categories/nouvelle/", category_data(roads))
    assert response.status_code == 302 and response["Location"] == base
    category = Category.objects.get(service_code="trottoir")
    assert (category.territory, category.department, category.sla_hours) == (commune_a, roads, 48)
    assert category in category_list_for_place(territory=commune_a)
    assert "Trottoir abîmé" in client.get(base).content.decode()
    entry = AuditEntry.objects.get(verb="category_create")
    assert (entry.actor, entry.territory) == (admin_a, commune_a)


def test_a_new_deadline_applies_to_reports_filed_after_it(
    client, admin_a, commune_a, roads, resident
):
    category = CategoryFactory(territory=commune_a, department=roads, sla_hours=72)
    before = report_create(
        category=category,
        title="Avant",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
    )
    changed = client.post(
        f"/t/{commune_a.slug}/signalements/reglages/categories/{category.pk}/",
        category_data(roads, service_code=category.service_code, sla_hours=24),
    )
    assert changed.status_code == 302
    category.refresh_from_db()
    after = report_create(
        category=category,
        title="Après",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
    )
    before.refresh_from_db()
    assert before.due_at - before.created_at == dt.timedelta(hours=72)
    assert after.due_at - after.created_at == dt.timedelta(hours=24)
    entry = AuditEntry.objects.get(verb="category_update")
    assert entry.detail["changes"]["sla_hours"] == ["72", "24"]


def test_a_taken_service_code_is_refused_and_the_form_keeps_what_was_typed(
    client, admin_a, commune_a, roads
):
    CategoryFactory(territory=commune_a, service_code="trottoir")
    response = client.post(
        f"/t/{commune_a.slug}/signalements/reglages/categories/nouvelle/",
        category_data(roads, description="Dalles descellées"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Une autre catégorie proposée ici a ce code" in page
    assert "Dalles descellées" in page and 'value="Trottoir abîmé"' in page
    assert Category.objects.filter(service_code="trottoir").count() == 1


def test_a_commune_cannot_take_a_service_code_of_its_intercommunalite(
    client, admin_a, commune_a, epci, roads
):
    """A commune's Open311 service list includes its EPCI's categories: codes must differ."""
    CategoryFactory(territory=epci, service_code="dechets")
    response = client.post(
        f"/t/{commune_a.slug}/signalements/reglages/categories/nouvelle/",
        category_data(roads, service_code="dechets"),
    )
    assert response.status_code == 200
    assert "Une autre catégorie proposée ici a ce code" in response.content.decode()
    assert Category.objects.filter(service_code="dechets").count() == 1


def test_a_category_only_takes_a_department_of_its_territory(client, admin_a, commune_a, commune_b):
    elsewhere = DepartmentFactory(territory=commune_b)
    response = client.post(
        f"/t/{commune_a.slug}/signalements/reglages/categories/nouvelle/",
        category_data(elsewhere),
    )
    assert response.status_code == 200
    assert not Category.objects.filter(service_code="trottoir").exists()


def test_ready_made_answers_are_offered_for_their_status_and_category(
    client, admin_a, commune_a, roads, resident
):
    category = CategoryFactory(territory=commune_a, department=roads)
    base = f"/t/{commune_a.slug}/signalements/reglages/reponses/"
    client.post(
        f"{base}nouvelle/",
        {"title": "Rebouché", "status": "resolved", "category": category.pk, "text": "Merci !"},
    )
    template = ResponseTemplate.objects.get(title="Rebouché")
    report = report_create(
        category=category,
        title="Trou",
        description="x",
        latitude=47.005,
        longitude=4.805,
        reporter=resident,
    )
    assert template in response_templates_for(report=report)
    client.post(f"{base}{template.pk}/supprimer/")
    assert not ResponseTemplate.objects.exists()
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"response_template_create", "response_template_delete"} <= verbs


def test_retention_and_follow_up_settings_are_saved_within_limits(client, admin_a, commune_a):
    url = f"/t/{commune_a.slug}/signalements/reglages/"
    refused = client.post(
        url,
        {"contact_retention_days": 5, "fix_check_after_days": 14, "duplicate_radius_m": 300},
    )
    assert refused.status_code == 200 and 'value="5"' in refused.content.decode()
    assert "supérieure ou égale à 30" in refused.content.decode()
    client.post(
        url,
        {"contact_retention_days": 180, "fix_check_after_days": 14, "duplicate_radius_m": 300},
    )
    settings = ReportingSettings.objects.get(territory=commune_a)
    assert (settings.contact_retention_days, settings.fix_check_after_days) == (180, 14)
    entry = AuditEntry.objects.get(verb="reporting_settings_update")
    assert entry.detail["changes"]["contact_retention_days"] == ["365", "180"]


def test_agents_and_other_territories_get_404(client, make_staff, commune_a, commune_b):
    category = CategoryFactory(territory=commune_a)
    template = ResponseTemplate.objects.create(
        territory=commune_a, title="T", status="new", text="x"
    )
    client.force_login(make_staff(commune_a, role=Role.AGENT))
    assert client.get(f"/t/{commune_a.slug}/signalements/reglages/").status_code == 404
    client.force_login(make_staff(commune_b, role=Role.TERRITORY_ADMIN))
    paths = [
        f"/t/{commune_b.slug}/signalements/reglages/categories/{category.pk}/",
        f"/t/{commune_a.slug}/signalements/reglages/categories/{category.pk}/",
        f"/t/{commune_b.slug}/signalements/reglages/reponses/{template.pk}/",
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path
    deleted = client.post(
        f"/t/{commune_b.slug}/signalements/reglages/reponses/{template.pk}/supprimer/"
    )
    assert deleted.status_code == 404 and ResponseTemplate.objects.exists()


def test_the_staff_area_links_to_the_settings_for_administrators_only(
    client, make_staff, commune_a
):
    client.force_login(make_staff(commune_a, role=Role.TERRITORY_ADMIN))
    area = client.get(f"/t/{commune_a.slug}/agents/").content.decode()
    assert f"/t/{commune_a.slug}/signalements/reglages/" in area
    client.force_login(make_staff(commune_a, role=Role.AGENT))
    area = client.get(f"/t/{commune_a.slug}/agents/").content.decode()
    assert "/signalements/reglages/" not in area


def test_an_administrator_registers_an_open311_application_and_revokes_its_key(
    client, admin_a, commune_a
):
    from parvis.reports.models import Open311Client
    from parvis.reports.selectors import open311_client_for_key

    base = f"/t/{commune_a.slug}/signalements/reglages/"
    refused = client.post(f"{base}open311/nouvelle/", {"name": "Appli", "contact_email": "x"})
    assert refused.status_code == 200 and 'value="Appli"' in refused.content.decode()
    shown = client.post(
        f"{base}open311/nouvelle/", {"name": "Appli Brune", "contact_email": "dev@example.fr"}
    )
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    application = Open311Client.objects.get(name="Appli Brune")
    key = shown.context["key"]
    assert key in shown.content.decode() and key not in client.get(base).content.decode()
    assert application.territory == commune_a and key not in application.key_hash
    assert open311_client_for_key(api_key=key) == application
    client.post(f"{base}open311/{application.pk}/revoquer/")
    assert open311_client_for_key(api_key=key) is None
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"open311_client_create", "open311_client_deactivate"} <= verbs


def test_only_administrators_manage_open311_keys_of_their_own_territory(
    client, make_staff, commune_a, commune_b
):
    from parvis.reports.services import open311_client_create

    supervisor = make_staff(commune_a, role=Role.SUPERVISOR)
    application, _key = open311_client_create(
        territory=commune_a, name="Appli", contact_email="dev@example.fr", actor=supervisor
    )
    client.force_login(supervisor)
    settings_page = client.get(f"/t/{commune_a.slug}/signalements/reglages/")
    assert settings_page.status_code == 200 and "Appli" not in settings_page.content.decode()
    assert (
        client.get(f"/t/{commune_a.slug}/signalements/reglages/open311/nouvelle/").status_code
        == 404
    )
    client.force_login(make_staff(commune_b, role=Role.TERRITORY_ADMIN))
    for slug in (commune_a.slug, commune_b.slug):
        revoked = client.post(f"/t/{slug}/signalements/reglages/open311/{application.pk}/revoquer/")
        assert revoked.status_code == 404
    application.refresh_from_db()
    assert application.is_active
