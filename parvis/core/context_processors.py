"""Values every page template needs."""

from django.conf import settings
from django.urls import translate_url

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def platform(request) -> dict:
    path = request.get_full_path()
    return {
        # Plain links to the same page in each language: no form, no cookie, works without JS.
        "LANGUAGE_LINKS": [
            (code, LANGUAGE_NAMES.get(code, code), translate_url(path, code))
            for code, _name in settings.LANGUAGES
        ],
        "PARVIS_DEMO": settings.PARVIS_DEMO,
        "PARVIS_SITE_URL": settings.PARVIS_SITE_URL,
        "PARVIS_MAP_TILES_URL": settings.PARVIS_MAP_TILES_URL,
        "PARVIS_MAP_ATTRIBUTION": settings.PARVIS_MAP_ATTRIBUTION,
    }
