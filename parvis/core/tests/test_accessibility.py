"""The accessibility gate: axe-core on every page, in French and English, as each visitor.

Zero WCAG 2.1 A/AA violation is the bar (RGAA 4.1). Pages come from the URL configuration
(parvis.testing.crawl), so a new page is checked without anyone adding it here. Failures name
the RGAA criteria. The run's summary is written to var/accessibility/ (or PARVIS_A11Y_REPORT);
`make accessibility` stores it in the package, where the accessibility statement reads it.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from parvis.testing.accessibility import run_axe, summarise, write_report
from parvis.testing.crawl import english, platform_pages, visitor_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = Path(
    os.environ.get(
        "PARVIS_A11Y_REPORT", Path(settings.BASE_DIR) / "var" / "accessibility" / "report.json"
    )
)
WATCH_SWAPS = """() => { window.__parvisSwaps = 0;
  document.body.addEventListener('htmx:afterSettle', () => { window.__parvisSwaps += 1; }); }"""


def logged_in_context(chromium, live_server, visitor: str, language: str):
    context = chromium.new_context(base_url=live_server.url, locale=f"{language}-FR")
    context.set_default_timeout(10_000)
    if visitor != "anonymous":
        session = visitor_client(visitor).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    return context


def check_htmx_swaps(tab, path: str, results: dict) -> None:
    """Trigger each htmx-enhanced form of the page, then check the swapped page again."""
    forms = tab.locator("form[hx-post], form[hx-get]")
    for index in range(min(forms.count(), 2)):
        tab.evaluate(WATCH_SWAPS)
        forms.nth(index).locator("button[type=submit]").first.click()
        tab.wait_for_function("() => window.__parvisSwaps > 0")
        results[f"{path} [htmx swap {index + 1}]"] = run_axe(tab)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_has_no_wcag_violation(chromium, live_server, language):
    call_command("demo", quiet=True)
    results: dict[str, dict] = {}
    contexts = {}
    for page in platform_pages():
        if page.visitor not in contexts:
            contexts[page.visitor] = logged_in_context(
                chromium, live_server, page.visitor, language
            )
            contexts[page.visitor].new_page()
        tab = contexts[page.visitor].pages[0]
        path = page.path if language == "fr" else english(page.path)
        response = tab.goto(path)
        assert response.ok, f"{path} answered {response.status} to {page.visitor}"
        assert tab.evaluate("() => document.documentElement.lang") == language, path
        results[path] = run_axe(tab)
        check_htmx_swaps(tab, path, results)
    for context in contexts.values():
        context.close()
    summary = summarise(results, browser_version=f"Chromium {chromium.version}")
    write_report(REPORT, language, summary)
    violations = [line for lines in summary["violations"].values() for line in lines]
    assert violations == [], "\n" + "\n".join(violations)
