"""A short cache of public pages for anonymous visitors.

Anonymous visitors without a session see the same page in a language, so it can be served from
the cache for a few seconds: the busiest pages then cost a cache read. A response is kept only
when it sets no cookie (no CSRF token used, no session), so nothing personal is ever shared.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

PRIVATE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def _cacheable_request(request) -> bool:
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in PRIVATE_COOKIES
    )


def public_page_cache(seconds: int):
    """Cache the view's page for anonymous visitors for `seconds` (per language and URL)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = f"parvis:page:{get_language()}:{request.get_full_path()}"
            cached = cache.get(key)
            if cached is not None:
                return cached
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not getattr(response, "streaming", False)
            ):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(key, response, seconds)
            return response

        return wrapped

    return decorator
