"""OGC SensorThings API 1.1, mounted at /sta/v1.1/ outside the language prefixes."""

from django.urls import path, re_path

from parvis.sensors.sta import views

app_name = "sta"
urlpatterns = [
    path("", views.root, name="root"),
    path("CreateObservations", views.create_observations, name="create_observations"),
    re_path(r"^(?P<path>.+)$", views.resource, name="resource"),
]
