from django.urls import path

from parvis.territories import views

app_name = "territories"

urlpatterns = [
    path("", views.home, name="home"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("t/<slug:territory_slug>/", views.territory_detail, name="detail"),
    path("t/<slug:territory_slug>/agents/", views.staff_area, name="staff_area"),
    path(
        "t/<slug:territory_slug>/agents/services/<slug:code>/",
        views.department_detail,
        name="department_detail",
    ),
]
