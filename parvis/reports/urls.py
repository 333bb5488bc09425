from django.urls import path

from parvis.reports import config_views, staff_views, views

app_name = "reports"

urlpatterns = [
    path("signalements/", views.report_list, name="list"),
    path("signalements/carte.geojson", views.report_feed, name="feed"),
    path("signalements/nouveau/", views.report_new, name="new"),
    path("signalements/<int:pk>/", views.report_detail, name="detail"),
    path("signalements/<int:pk>/suivre/", views.report_follow_view, name="follow"),
    path("signalements/<int:pk>/merci/", views.report_thank_view, name="thank"),
    path("signalements/<int:pk>/repare/", views.report_fix_check, name="fix_check"),
    path("signalements/photos/<int:pk>/", views.report_photo, name="photo"),
    path("t/<slug:territory_slug>/signalements/", staff_views.queue, name="queue"),
    path(
        "t/<slug:territory_slug>/signalements/nouveau/",
        staff_views.report_new_assisted,
        name="new_assisted",
    ),
    path("t/<slug:territory_slug>/signalements/reglages/", config_views.config, name="config"),
    path(
        "t/<slug:territory_slug>/signalements/reglages/categories/nouvelle/",
        config_views.category_edit,
        name="config_category_new",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/categories/<int:category_pk>/",
        config_views.category_edit,
        name="config_category",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/reponses/nouvelle/",
        config_views.template_edit,
        name="config_template_new",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/reponses/<int:template_pk>/",
        config_views.template_edit,
        name="config_template",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/reponses/<int:template_pk>/supprimer/",
        config_views.template_delete,
        name="config_template_delete",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/open311/nouvelle/",
        config_views.open311_client_new,
        name="config_open311_new",
    ),
    path(
        "t/<slug:territory_slug>/signalements/reglages/open311/<int:client_pk>/revoquer/",
        config_views.open311_client_revoke,
        name="config_open311_revoke",
    ),
    path(
        "t/<slug:territory_slug>/signalements/<int:pk>/",
        staff_views.staff_detail,
        name="staff_detail",
    ),
    path(
        "t/<slug:territory_slug>/signalements/<int:pk>/<slug:action>/",
        staff_views.staff_action,
        name="staff_action",
    ),
]
