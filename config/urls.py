"""Root URL configuration: pages (French paths, English under /en/), API, admin."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from parvis.core.views import admin_login_redirect, healthz

urlpatterns = [
    path("api/v1/", api.urls),
    path("open311/v2/", include("parvis.reports.open311_urls")),
    path("sta/v1.1/", include("parvis.sensors.sta.urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += i18n_patterns(
    path("", include("parvis.territories.urls")),
    path("", include("parvis.accounts.urls")),
    path("", include("parvis.privacy.urls")),
    path("", include("parvis.core.urls")),
    path("", include("parvis.reports.urls")),
    path("", include("parvis.sensors.urls")),
    path("", include("parvis.budgets.urls")),
    path("accounts/", include("allauth.urls")),
    # The admin's own login form would skip the second factor: send it to allauth's.
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
