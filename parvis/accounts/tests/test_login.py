"""End-to-end login through allauth: password, then second factor; brute-force lockout."""

from parvis.accounts.choices import Role
from parvis.testing.factories import TEST_PASSWORD, UserFactory, give_mfa, staff_user, totp_code


def test_staff_log_in_with_password_then_totp(client, commune_a):
    user = staff_user(territory=commune_a, role=Role.AGENT, mfa=False)
    secret = give_mfa(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    # Not logged in yet: the staff area still asks to log in.
    assert client.get(f"/t/{commune_a.slug}/agents/").status_code == 302
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "code" in wrong.content.decode().lower()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(f"/t/{commune_a.slug}/agents/").status_code == 200


def test_residents_log_in_with_a_password(client, db):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/compte/"


def test_an_account_is_locked_after_five_failed_attempts(client, db):
    user = UserFactory()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_the_admin_login_form_cannot_skip_the_second_factor(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302  # anonymous: to the (allauth) login


def test_password_reset_sends_a_link_that_works(client, db, mailoutbox):
    import re

    user = UserFactory(email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    form_page = client.get(link.group(1), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    new_password = "a brand new long passphrase"
    response = client.post(action, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
