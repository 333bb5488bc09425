"""The accessibility statement is generated from the latest axe run, which covers every page."""

import re

from django.core.management import call_command

from parvis.core.accessibility import accessibility_audit
from parvis.testing.crawl import platform_pages


def _shape(path: str) -> str:
    """A path without its query string, numbers replaced: `/projets/158/` -> `/projets/N/`."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def test_the_recorded_audit_covers_every_current_page(db):
    call_command("demo", quiet=True)
    audit = accessibility_audit("fr")
    assert audit, "run `make accessibility` and commit parvis/core/data/accessibility-report.json"
    # Paths and query strings carry database ids, which differ from one database to another.
    audited = {_shape(page.split(" [")[0]) for page in audit["pages"]}
    current = {_shape(page.path) for page in platform_pages()}
    assert current - audited == set(), "pages added since the last `make accessibility`"
    assert audited - current == set(), "pages removed since the last `make accessibility`"
    assert accessibility_audit("en")["pages"][0].startswith("/en/")


def test_the_statement_shows_the_latest_audit(client, epci):
    audit = accessibility_audit("fr")
    page = client.get("/accessibilite/").content.decode()
    assert audit["generated_on"] in page and audit["tool"] in page
    assert f"{audit['conformity_rate']}" in page.replace(",", ".")
    assert epci.accessibility_contact in page
