"""Fetch-and-authorise helpers: a forbidden object answers exactly like a missing one.

In the manner of Zulip's `access_<thing>_by_id`: views never fetch then check separately, they
call `get_object_for_user_or_404`, which raises Http404 both when the object does not exist and
when the user may not see it, so nobody can probe for objects of another territory.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_object_for_user_or_404(user, perm: str, queryset: QuerySet[M], **lookup) -> M:
    """Return the object matching `lookup` in `queryset` if `user` has `perm` on it."""
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.has_perm(perm, obj):
        raise Http404
    return obj
