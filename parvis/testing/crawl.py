"""Every page of the platform, derived from the URL configuration, with who can see it.

The accessibility gate and the eco-design bench crawl what `platform_pages()` returns. Pages join
automatically: a new URL pattern is either reachable with the sample arguments below, or listed
in EXCLUDED with a reason; otherwise `platform_pages()` raises and the gate fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation


def _demo_report_pk() -> int:
    from parvis.reports.models import Report

    return Report.objects.filter(territory__slug="brune-les-moulins").order_by("pk").first().pk


def _report_step_two() -> str:
    """Query string of the second step of a new report (a place and a category chosen)."""
    from urllib.parse import urlencode

    from parvis.reports.models import Category, Report

    report = Report.objects.filter(territory__slug="brune-les-moulins").order_by("pk").first()
    category = Category.objects.get(pk=report.category_id)
    return "?" + urlencode(
        {
            "territory": report.territory_id,
            "category": category.pk,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "place": "Devant la mairie",
        }
    )


def _demo_datastream_pk() -> int:
    from parvis.sensors.models import Datastream

    return Datastream.objects.filter(thing__key="air-centre").order_by("pk").first().pk


def _demo_budget_envelope_pk() -> int:
    from parvis.budgets.models import Envelope

    return (
        Envelope.objects.filter(
            budget__process__slug="budget-participatif-brune-2026", district__isnull=True
        )
        .get()
        .pk
    )


def _demo_budget_project_pk() -> int:
    """A selected project of the demo budget, with its realisation updates."""
    from parvis.budgets.models import Project

    return (
        Project.objects.filter(
            envelope__budget__process__slug="budget-participatif-brune-2026",
            status="selected",
            updates__isnull=False,
        )
        .order_by("pk")
        .first()
        .pk
    )


def _demo_category_pk() -> int:
    from parvis.reports.models import Category

    return Category.objects.filter(territory__slug="brune-les-moulins").order_by("pk").first().pk


def _demo_response_template_pk() -> int:
    from parvis.reports.models import ResponseTemplate

    return (
        ResponseTemplate.objects.filter(territory__slug="brune-les-moulins")
        .order_by("pk")
        .first()
        .pk
    )


# Values for URL arguments, taken from the demo territory (parvis.demo.seed); callables are
# evaluated against the demo data.
SAMPLE_KWARGS = {
    "territory_slug": "brune-les-moulins",
    "code": "voirie",
    "pk": _demo_report_pk,
    "key": "air-centre",
    "datastream_pk": _demo_datastream_pk,
    "budget_slug": "budget-participatif-brune-2026",
    "envelope_pk": _demo_budget_envelope_pk,
    "project_pk": _demo_budget_project_pk,
    "category_pk": _demo_category_pk,
    "template_pk": _demo_response_template_pk,
}
# Further states of a page reached with a query string.
EXTRA_QUERIES = {
    "reports:new": _report_step_two,
    "sensors:series": lambda: "?period=1y&resolution=day",
    "sensors:dead_letters": lambda: "?status=all",
    "budgets:detail": lambda: "?status=selected",
    "budgets:staff_review": lambda: "?status=",
}

# URL names never crawled, with the reason. Keep this list short and honest.
EXCLUDED = {
    "healthz": "JSON for load balancers, not a page",
    "set_language": "POST-only language switch (its form is on every page)",
    "accounts:membership_revoke": "POST-only action (its form is on the team page)",
    "core:failed_task_replay": "POST-only action (its form is on the failed jobs page)",
    "privacy:consent_update": "POST-only action (its form is on the my-data page)",
    "privacy:account_delete": "POST-only action (its form is on the my-data page)",
    "privacy:my_data_download": "a JSON download, not a page",
    "mfa_download_recovery_codes": "a text-file download, not a page",
    "account_logout": "POST-only action in the header",
    "account_confirm_email": "needs a one-time key sent by email",
    "account_reset_password_from_key": "needs a one-time key sent by email",
    "account_reset_password_from_key_done": "reached only after a reset",
    "account_reset_password_done": "reached only after a reset request",
    "account_email_verification_sent": "reached only after sign-up",
    "account_inactive": "reached only by a deactivated account",
    "account_confirm_login_code": "login by emailed code is disabled",
    "account_set_password": "only for accounts without a password (OIDC sign-in)",
    "mfa_edit_webauthn": "needs a registered security key (hardware)",
    "mfa_remove_webauthn": "needs a registered security key (hardware)",
    "mfa_reauthenticate_webauthn": "needs a registered security key (hardware)",
    "mfa_authenticate": "second login step, covered by the login flow test",
    "mfa_trust": "reached only during login with a trusted-device option",
    "mfa_login_webauthn": "passkey login is disabled",
    "mfa_signup_webauthn": "passkey sign-up is disabled",
    "socialaccount_login_cancelled": "reached only from an OIDC provider",
    "socialaccount_login_error": "reached only from an OIDC provider",
    "socialaccount_signup": "reached only from an OIDC provider",
    "socialaccount_connections": "no OIDC provider configured in the demo",
    "openid_connect_login": "redirects to an OIDC provider",
    "openid_connect_callback": "OIDC provider callback",
    "admin_login_redirect": "redirects to the login page",
    "reports:feed": "GeoJSON data (the list page is its twin)",
    "reports:photo": "an image, not a page",
    "reports:follow": "POST-only action (its form is on the report page)",
    "reports:thank": "POST-only action (its form is on the report page)",
    "reports:fix_check": "POST-only action (its form is on the report page)",
    "reports:staff_action": "POST-only actions (their forms are on the staff report page)",
    "reports:config_template_delete": "POST-only action (its form is on the answer's page)",
    "reports:config_open311_revoke": "POST-only action (its form is on the settings page)",
    "budgets:comment": "POST-only action (its form is on the project page)",
    "budgets:photo": "an image, not a page",
    "budgets:staff_comment_hide": "POST-only action (its form is on the project page)",
    "sensors:feed": "GeoJSON data (the sensors page's tables are its twin)",
    "sensors:register_csv": "CSV dataset (the register page is its twin)",
    "sensors:series_export": "CSV download (the series page's table is its twin)",
    "sensors:staff_series_export": "CSV download (the staff series page's table is its twin)",
    "sensors:dead_letter_action": "POST-only actions (buttons on the rejected messages page)",
    "budgets:support": "POST-only action (its form is on the project page)",
    "budgets:follow": "POST-only action (its form is on the project page)",
    "budgets:pabulib": "Pabulib text download (the results page's tables are its twin)",
    "budgets:staff_review_project": "POST-only action (its forms are on the review page)",
    "budgets:staff_tally": "POST-only action (its buttons are on the staff budget page)",
}
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin site: platform operators' back-office, not a public-service page",
    "api": "JSON API, checked against its OpenAPI schema by schemathesis",
    "open311": "Open311 GeoReport v2 API (XML, JSON), checked against the spec by test_open311",
    "openid_connect": "OIDC provider callbacks",
    "sta": "OGC SensorThings API (JSON), checked with frost-sta-client by test_sta",
}
# Who is tried, in order, until the page answers 200.
VISITORS = ("anonymous", "resident", "staff", "operator")
# Pages a logged-in person sees differently from an anonymous one are crawled as both.
VISITOR_EMAILS = {
    "resident": "camille.martin@parvis.example",
    "staff": "admin.brune@parvis.example",
    "operator": "admin@parvis.example",
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    visitor: str

    @property
    def public(self) -> bool:
        return self.visitor == "anonymous"


def _names(patterns, namespace: str = "") -> list[tuple[str, list[str]]]:
    """(qualified name, argument names) of every named pattern."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            for name, args in _names(pattern.url_patterns, inner):
                found.append((name, list(pattern.pattern.regex.groupindex) + args))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)))
    return found


def visitor_client(visitor: str) -> Client:
    from parvis.accounts.models import User

    client = Client()
    if visitor != "anonymous":
        user = User.objects.get(email=VISITOR_EMAILS[visitor])
        client.force_login(user)
        # As if the person had just typed their password (and code): account-security pages
        # then render instead of asking to authenticate again.
        session = client.session
        now = time.time()
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email, "reauthenticated": True},
        ]
        session.save()
    return client


def platform_pages() -> list[Page]:
    """Every crawlable page (French paths) with the first visitor who gets a 200 HTML answer.

    Needs the demo data. Raises if a page cannot be reached and is not excluded.
    """
    clients = {visitor: visitor_client(visitor) for visitor in VISITORS}
    pages, unreachable = {}, []
    with translation.override("fr"):
        for name, args in sorted(
            set((n, tuple(a)) for n, a in _names(get_resolver().url_patterns))
        ):
            if name in EXCLUDED:
                continue
            missing = [arg for arg in args if arg not in SAMPLE_KWARGS]
            if missing:
                unreachable.append(f"{name}: no sample value for {missing}")
                continue
            kwargs = {arg: _value(SAMPLE_KWARGS[arg]) for arg in args}
            paths = [reverse(name, kwargs=kwargs)]
            if name in EXTRA_QUERIES:
                paths.append(paths[0] + EXTRA_QUERIES[name]())
            for path in paths:
                for visitor in VISITORS:
                    response = clients[visitor].get(path)
                    if response.status_code == 200 and "text/html" in response["Content-Type"]:
                        pages.setdefault(path, Page(name=name, path=path, visitor=visitor))
                        break
                else:
                    unreachable.append(f"{name}: {path} answers {response.status_code} to all")
    if unreachable:
        raise LookupError(
            "Pages the crawl cannot reach; add a sample argument or an exclusion with a reason "
            "in parvis/testing/crawl.py:\n" + "\n".join(unreachable)
        )
    return sorted(pages.values(), key=lambda page: (VISITORS.index(page.visitor), page.path))


def _value(sample):
    return sample() if callable(sample) else sample


def english(path: str) -> str:
    return "/en" + path
