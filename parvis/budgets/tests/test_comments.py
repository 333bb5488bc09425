"""Comments on budget projects: residents discuss during the phase that allows it, moderators
hide with a reason (audited), erasure keeps the debate without the name. English pages (/en/)."""

from __future__ import annotations

import pytest

from parvis.accounts.choices import Role
from parvis.budgets.models import Envelope, Project, ProjectStatus
from parvis.budgets.tests.test_views import EN, make_budget
from parvis.core.privacy_registry import activities
from parvis.participation.models import Comment
from parvis.privacy.models import AuditEntry
from parvis.testing.factories import UserFactory


@pytest.fixture
def project(commune_a):
    budget = make_budget(commune_a, actions=["comment", "support"])
    envelope = Envelope.objects.create(budget=budget, name="Toute la ville", amount=50_000)
    return Project.objects.create(
        territory=commune_a, envelope=envelope, title="Un jardin partagé", description="…",
        cost=10_000, status=ProjectStatus.FEASIBLE,
    )  # fmt: skip


def url(project, suffix=""):
    return f"{EN}/projets/{project.pk}/{suffix}"


def test_a_resident_comments_and_everyone_reads_it(client, project):
    resident = UserFactory(display_name="Camille M.")
    client.force_login(resident)
    response = client.post(url(project, "commenter/"), {"text": "Oui, près de l'école !"})
    assert response.status_code == 302
    client.logout()
    page = client.get(url(project)).content.decode()
    assert "Oui, près de l&#x27;école !" in page and "Camille M." in page


def test_outside_the_comment_phase_the_text_is_kept_with_the_error(client, project):
    project.envelope.budget.process.phases.update(actions=["vote"])
    client.force_login(UserFactory())
    response = client.post(url(project, "commenter/"), {"text": "Mon avis détaillé"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Comments are not open in this phase." in page and "Mon avis détaillé" in page
    assert not Comment.objects.exists()


def test_anonymous_visitors_log_in_to_comment(client, project):
    response = client.post(url(project, "commenter/"), {"text": "Bonjour"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Comment.objects.exists()


def test_a_moderator_hides_a_comment_with_a_reason(client, project, commune_a, make_staff):
    client.force_login(UserFactory())
    client.post(url(project, "commenter/"), {"text": "Propos injurieux"})
    comment = Comment.objects.get()
    budget_slug = project.envelope.budget.process.slug
    staff = f"/en/t/{commune_a.slug}/budgets-participatifs/{budget_slug}"
    hide = f"{staff}/commentaires/{comment.pk}/masquer/"

    client.force_login(make_staff(commune_a, Role.AGENT))
    assert client.post(hide, {"reason": "Injure"}).status_code == 404

    moderator = make_staff(commune_a, Role.MODERATOR)
    client.force_login(moderator)
    assert client.post(hide, {"reason": "Injure"}).status_code == 302
    client.logout()
    page = client.get(url(project)).content.decode()
    assert "Propos injurieux" not in page and "Injure" in page
    assert AuditEntry.objects.filter(actor=moderator, verb="comment hidden").exists()


def test_erasing_an_account_keeps_its_comments_without_the_name(client, project):
    author = UserFactory(display_name="Louis B.")
    client.force_login(author)
    client.post(url(project, "commenter/"), {"text": "Bonne idée"})
    activity = next(a for a in activities() if a.key == "participation.comments")
    assert activity.export(author)["comments"][0]["text"] == "Bonne idée"
    activity.erase(author)
    comment = Comment.objects.get()
    assert comment.author is None and comment.text == "Bonne idée"
