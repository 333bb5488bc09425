from django.urls import path

from parvis.sensors import staff_views, views

app_name = "sensors"

STAFF = "t/<slug:territory_slug>/capteurs/"
LETTERS = f"{STAFF}messages-rejetes/"

urlpatterns = [
    path("capteurs/", views.sensor_map, name="map"),
    path("capteurs/carte.geojson", views.sensor_feed, name="feed"),
    path("capteurs/registre/", views.register, name="register"),
    path("capteurs/registre.csv", views.register_csv, name="register_csv"),
    path("capteurs/<slug:key>/", views.device_detail, name="device"),
    path("capteurs/<slug:key>/<int:datastream_pk>/", views.series_page, name="series"),
    path(
        "capteurs/<slug:key>/<int:datastream_pk>/export.csv",
        views.series_export,
        name="series_export",
    ),
    path(STAFF, staff_views.device_list, name="staff_list"),
    path(LETTERS, staff_views.dead_letters, name="dead_letters"),
    path(
        f"{LETTERS}<int:letter_pk>/<slug:action>/",
        staff_views.dead_letter_action,
        name="dead_letter_action",
    ),
    path(f"{STAFF}<slug:key>/", staff_views.device_detail, name="staff_device"),
    path(f"{STAFF}<slug:key>/<int:datastream_pk>/", staff_views.series_page, name="staff_series"),
    path(
        f"{STAFF}<slug:key>/<int:datastream_pk>/export.csv",
        staff_views.series_export,
        name="staff_series_export",
    ),
]
