"""Staff must set up a second factor before doing anything else."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Pages a staff member without MFA may still reach: allauth (to set up MFA or log out), the
# language switch, static files and health checks.
ALLOWED_PREFIXES = ("/accounts/", "/en/accounts/", "/i18n/", "/static/", "/healthz")


class StaffMFAMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        from parvis.accounts.permissions import has_mfa, is_staff_user

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and is_staff_user(user)
            and not has_mfa(user)
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts must set up two-factor authentication before they can "
                    "act. Please set up an authenticator app."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
