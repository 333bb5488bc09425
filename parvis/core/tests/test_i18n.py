"""French is complete and the committed compiled catalogues match their sources.

The newcomer command never runs gettext, so a stale .mo would silently show English to French
residents: this test is what keeps `make messages` honest.
"""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "parvis" / "locale"


def test_every_french_string_is_translated():
    po = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_its_source(language):
    """Every translation of the .po is what gettext reads from the committed .mo."""
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as compiled_file:
        compiled = gettext.GNUTranslations(compiled_file)
    stale = []
    for entry in polib.pofile(str(folder / "django.po")):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            for count, index in ((1, 0), (2, 1)):
                expected = entry.msgstr_plural.get(index) or (
                    entry.msgid if count == 1 else entry.msgid_plural
                )
                if compiled.ngettext(entry.msgid, entry.msgid_plural, count) != expected:
                    stale.append(entry.msgid)
        elif compiled.gettext(entry.msgid) != (entry.msgstr or entry.msgid):
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` and commit the .mo files"


def test_pages_are_french_by_default_and_english_on_request(client, epci):
    french = client.get("/").content.decode()
    assert 'lang="fr"' in french and "Territoires couverts" in french
    assert "Aller au contenu" in french
    english = client.get("/en/").content.decode()
    assert 'lang="en"' in english and "Territories served" in english
