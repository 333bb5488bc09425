"""Production security, as a browser sees it: HTTPS only, HSTS, __Host- cookies, strict headers.

The in-process tests run with every setting config/settings/prod.py sets, read from that file
with a production environment, and talk to the site under its production host name. The last
tests run `parvis check --deploy` on the real production settings module.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from parvis.testing.factories import TEST_PASSWORD, UserFactory

HOST = "parvis.example.fr"
ONE_YEAR = 365 * 24 * 60 * 60
PROD_SETTINGS = Path(django_settings.BASE_DIR) / "config" / "settings" / "prod.py"
# Infrastructure the test run provides itself, should prod.py ever set it.
NOT_APPLIED = {"DATABASES", "CACHES", "STORAGES", "HUEY", "LOGGING", "EMAIL_BACKEND"}


# What production must provide; every other PARVIS_* value is left to its default.
PRODUCTION_ENVIRONMENT = {
    "PARVIS_SECRET_KEY": secrets.token_urlsafe(45),  # 60 random characters
    "PARVIS_ALLOWED_HOSTS": HOST,
}
# What a server process inherits from its system, not from the test run (whose plugins set
# variables such as DJANGO_ALLOW_ASYNC_UNSAFE that production must never have).
SYSTEM_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def _names_prod_sets() -> set[str]:
    names = set()
    for node in ast.parse(PROD_SETTINGS.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    return names - NOT_APPLIED


@pytest.fixture
def prod_settings(settings, monkeypatch):
    """The test settings overridden by every value config/settings/prod.py sets."""
    for name in [name for name in os.environ if name.startswith("PARVIS_")]:
        monkeypatch.delenv(name)
    for name, value in PRODUCTION_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    # Executed from its file, not imported: sys.modules keeps no production settings module.
    spec = importlib.util.spec_from_file_location("config.settings.prod", PROD_SETTINGS)
    prod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prod)
    names = _names_prod_sets()
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_NAME"} <= names
    for name in names:
        setattr(settings, name, getattr(prod, name))
    return settings


@pytest.fixture
def prod_client(prod_settings):
    """A client for the production host, created after the settings so its middleware sees them."""
    return Client(HTTP_HOST=HOST)


# The two ways a request is HTTPS in production: TLS to Django, or TLS ended by the reverse proxy.
HTTPS = [
    pytest.param({"secure": True}, id="tls"),
    pytest.param({"headers": {"x-forwarded-proto": "https"}}, id="behind-proxy"),
]
HTTP = [
    pytest.param({}, id="plain"),
    pytest.param({"headers": {"x-forwarded-proto": "http"}}, id="behind-proxy"),
]


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name.lower()] = values
    return directives


def _set_cookie_attributes(response, name: str) -> tuple[str, set[str]]:
    """The cookie's name and attributes exactly as sent in its Set-Cookie header."""
    assert name in response.cookies, f"no Set-Cookie for {name}: {list(response.cookies)}"
    pair, *attributes = response.cookies[name].OutputString().split(";")
    return pair.split("=", 1)[0], {attribute.strip().lower() for attribute in attributes}


def assert_host_prefixed(response, name: str) -> set[str]:
    """A `__Host-` cookie: browsers only accept it Secure, for Path=/ and without Domain."""
    cookie_name, attributes = _set_cookie_attributes(response, name)
    assert cookie_name.startswith("__Host-")
    assert "secure" in attributes
    assert "path=/" in attributes
    assert not any(attribute.startswith("domain") for attribute in attributes)
    return attributes


@pytest.mark.parametrize("https", HTTPS)
def test_https_responses_tell_browsers_to_use_https_only(prod_client, db, https):
    response = prod_client.get("/", **https)
    assert response.status_code == 200
    hsts = {d.strip().lower() for d in response["Strict-Transport-Security"].split(";")}
    max_age = next(int(d.removeprefix("max-age=")) for d in hsts if d.startswith("max-age="))
    assert max_age >= ONE_YEAR
    assert "includesubdomains" in hsts and "preload" in hsts


@pytest.mark.parametrize("http", HTTP)
def test_plain_http_is_redirected_to_https(prod_client, db, http):
    response = prod_client.get("/accounts/login/?next=/compte/", **http)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/accounts/login/?next=/compte/"
    assert "Strict-Transport-Security" not in response


def test_session_and_csrf_cookies_are_host_prefixed_and_secure(prod_client, db):
    user = UserFactory()
    login_page = prod_client.get("/accounts/login/", secure=True)
    assert login_page.status_code == 200
    assert_host_prefixed(login_page, django_settings.CSRF_COOKIE_NAME)

    response = prod_client.post(
        "/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}, secure=True
    )
    assert response.status_code == 302 and response["Location"] == "/compte/"
    session = assert_host_prefixed(response, django_settings.SESSION_COOKIE_NAME)
    assert "httponly" in session and "samesite=lax" in session
    # The browser sends the __Host- session cookie back: the account page is open to the user.
    assert prod_client.get("/compte/", secure=True).status_code == 200


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/territories"])
def test_https_responses_carry_a_strict_content_security_policy(prod_client, db, path):
    response = prod_client.get(path, secure=True)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert "script-src" in csp and "'unsafe-inline'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"no-referrer", "same-origin", "strict-origin"}


def _deploy_check(**environment: str) -> subprocess.CompletedProcess:
    env = {name: os.environ[name] for name in SYSTEM_VARIABLES if name in os.environ}
    env |= PRODUCTION_ENVIRONMENT | {"DJANGO_SETTINGS_MODULE": "config.settings.prod"}
    return subprocess.run(
        [sys.executable, "-m", "parvis", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=env | environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_production_settings():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_when_https_is_weakened():
    """The check above has teeth: the same run fails once plain HTTP is no longer redirected."""
    result = _deploy_check(PARVIS_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
