"""A short cache of public pages for anonymous visitors.

Anonymous visitors without a session see the same page in a language, so it can be served from
the cache for a few seconds: the busiest pages then cost a cache read. A response is kept only
when it sets no cookie (no session), so nothing personal is ever shared; the CSRF tokens of its
forms are kept as holes, filled with each visitor's own token.

A page built from data that changes (reports, say) names its *generation*: a stamp of that data
in the cache, which the app moves (`generation_bump`) whenever the data changes, so a change
shows at once instead of after the cache's lifetime. With a cache shared by every process
(Redis, see docs/operations.md) that holds everywhere; with the per-process default, the
lifetime bounds how long another process may show the old page.
"""

from __future__ import annotations

import copy
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.csrf import _does_token_match, get_token
from django.utils.translation import get_language

PRIVATE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def _cacheable_request(request) -> bool:
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in PRIVATE_COOKIES
    )


def _generation_key(name: str) -> str:
    return f"parvis:generation:{name}"


def generation(name: str) -> int:
    """The current stamp of the data called `name` (set on first use)."""
    key = _generation_key(name)
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, time.time_ns(), None)
        stamp = cache.get(key, 0)
    return stamp


def generation_bump(name: str) -> None:
    """The data called `name` changed: pages built from it are rebuilt on their next read."""
    cache.set(_generation_key(name), time.time_ns(), None)


def generation_stamps(generations: tuple[str, ...]) -> str:
    """The stamps of several generations, for a cache key that must change with any of them."""
    return ":".join(str(generation(name)) for name in generations)


def generation_cached(key: str, compute, *, generations: tuple[str, ...], seconds: int):
    """`compute()`, kept under `key` until one of `generations` moves, at most `seconds`.
    Whatever `compute` raises is raised and nothing is kept."""
    return cache.get_or_set(f"{key}:{generation_stamps(generations)}", compute, seconds)


def generation_changed(name: str) -> None:
    """Move the generation now (this process's next read) and again once the transaction
    commits (so no process keeps a page rebuilt from the data before the commit)."""
    generation_bump(name)
    transaction.on_commit(lambda: generation_bump(name))


def bump_on_write(name: str, models) -> None:
    """Move the generation `name` whenever a row of one of `models` is saved or deleted."""

    def on_write(sender, **kwargs) -> None:
        generation_changed(name)

    for model in models:
        uid = f"generation-{name}-{model._meta.label}"
        post_save.connect(on_write, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(on_write, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


# A form's CSRF token as `{% csrf_token %}` writes it: Django's masked token, 64 letters and
# digits. A cached page keeps a hole in its place, filled for each visitor with their own token.
_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
_CSRF_HOLE = b"{{parvis-csrf-token}}"
_MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _with_csrf_holes(response, secret: str):
    """A copy of the page with holes for its form tokens, or None if a token of this visitor
    is also elsewhere (in a script, an attribute...), where it cannot be told from the text."""
    holed, holes = _CSRF_FIELD.subn(rb"\1" + _CSRF_HOLE + rb"\3", response.content)
    if not holes or secret.encode() in holed:
        return None
    # Every get_token() masks the secret anew: look for any other token made from it, with
    # Django's own comparison (private, unchanged since 4.1; tests/test_caching.py guards it).
    for candidate in _MASKED_TOKEN.findall(holed):
        if _does_token_match(candidate.decode(), secret):
            return None
    shared = copy.copy(response)
    shared.content = holed
    shared.parvis_csrf_holes = True
    return shared


def _fill_csrf_holes(response, request):
    """This visitor's token in every hole (get_token also sets their CSRF cookie if need be)."""
    if getattr(response, "parvis_csrf_holes", False):
        response.content = response.content.replace(_CSRF_HOLE, get_token(request).encode())
        del response.parvis_csrf_holes
    return response


def public_page_cache(seconds: int, *, generations: tuple[str, ...] = ()):
    """Cache the view's page for anonymous visitors for `seconds` (per language, host and URL),
    and until one of the named `generations` moves.

    A page whose forms carry a CSRF token (a "thank the team" button, say) is kept with holes
    in their place: each visitor gets the shared page with a token of their own.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            stamps = generation_stamps(generations)
            key = f"parvis:page:{get_language()}:{stamps}:{request.build_absolute_uri()}"
            cached = cache.get(key)
            if cached is not None:
                return _fill_csrf_holes(cached, request)
            response = view(request, *args, **kwargs)
            if (
                response.status_code != 200
                or response.cookies
                or getattr(response, "streaming", False)
            ):
                return response
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            shared = response
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page handed out a token
                shared = _with_csrf_holes(response, request.META["CSRF_COOKIE"])
            if shared is not None:
                cache.set(key, shared, seconds)
            return response

        return wrapped

    return decorator
