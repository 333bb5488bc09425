import pytest
from django.core.management import CommandError, call_command

from parvis.accounts.choices import Role
from parvis.accounts.models import Membership, User
from parvis.demo.seed import DEMO_PASSWORD, demo_email, demo_totp_secret
from parvis.territories.models import District, Territory
from parvis.territories.selectors import territory_locate
from parvis.testing.factories import totp_code


def test_demo_seeds_an_intercommunality_of_three_communes(db, capsys):
    call_command("demo")
    epci = Territory.objects.get(slug="val-de-brune")
    assert sorted(epci.members.values_list("name", flat=True)) == [
        "Brune-les-Moulins",
        "Saint-Éloi-sur-Brune",
        "Vaucelles-la-Forêt",
    ]
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values), "staff for every role"
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and demo_email("agent.brune") in out
    # A point in the first district of Brune-les-Moulins is routed there.
    assert territory_locate(latitude=47.085, longitude=4.87).slug == "brune-les-moulins"
    assert District.objects.filter(territory__slug="brune-les-moulins").count() == 4


def test_demo_is_idempotent_and_deterministic(db):
    call_command("demo", quiet=True)
    first = list(User.objects.order_by("email").values_list("email", flat=True))
    call_command("demo", quiet=True)
    assert list(User.objects.order_by("email").values_list("email", flat=True)) == first


def test_demo_staff_can_pass_the_second_factor(db, client):
    call_command("demo", quiet=True)
    email = demo_email("agent.brune")
    client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(demo_totp_secret(email))}
    )
    assert response.status_code == 302
    assert client.get("/t/brune-les-moulins/agents/").status_code == 200


def test_demo_refuses_outside_demo_mode(db, settings):
    settings.PARVIS_DEMO = False
    with pytest.raises(CommandError):
        call_command("demo")
