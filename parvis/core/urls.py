from django.urls import path

from parvis.core import staff_views

app_name = "core"

urlpatterns = [
    path("plateforme/taches-en-echec/", staff_views.failed_task_list, name="failed_tasks"),
    path(
        "plateforme/taches-en-echec/<int:pk>/rejouer/",
        staff_views.failed_task_replay_view,
        name="failed_task_replay",
    ),
]
