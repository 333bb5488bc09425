"""Platform-level endpoints that belong to no territory."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness, for load balancers and process supervisors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": connection.vendor, "error": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


def admin_login_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Django admin logins go through allauth, so the second factor is always asked."""
    next_url = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
