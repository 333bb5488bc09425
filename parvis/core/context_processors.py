"""Values every page template needs."""

from functools import lru_cache

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@lru_cache(maxsize=4096)
def _language_links(path: str, language: str) -> tuple:
    # translate_url resolves the path then reverses it in each language (~0.1 ms): once per
    # path and current language in each process.
    return tuple(
        (code, LANGUAGE_NAMES.get(code, code), translate_url(path, code))
        for code, _name in settings.LANGUAGES
    )


def platform(request) -> dict:
    return {
        # Plain links to the same page in each language: no form, no cookie, works without JS.
        "LANGUAGE_LINKS": _language_links(request.get_full_path(), get_language()),
        "PARVIS_DEMO": settings.PARVIS_DEMO,
        "PARVIS_SITE_URL": settings.PARVIS_SITE_URL,
        "PARVIS_MAP_TILES_URL": settings.PARVIS_MAP_TILES_URL,
        "PARVIS_MAP_ATTRIBUTION": settings.PARVIS_MAP_ATTRIBUTION,
    }
