"""Real-browser fixtures: Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os

import pytest

from parvis.testing.services import require_chromium

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by test
    # set-up code around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(chromium, base_url: str, *, javascript: bool, locale: str = "fr-FR"):
    context = chromium.new_context(base_url=base_url, java_script_enabled=javascript, locale=locale)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab with JavaScript, pointed at the live test server."""
    context, tab = _new_page(chromium, live_server.url, javascript=True)
    yield tab
    context.close()


@pytest.fixture
def page_nojs(chromium, live_server):
    """A fresh browser tab with JavaScript disabled."""
    context, tab = _new_page(chromium, live_server.url, javascript=False)
    yield tab
    context.close()


def log_in_browser(tab, live_server, user) -> None:
    """Give the browser tab a logged-in session of `user` (no form, no second factor)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
