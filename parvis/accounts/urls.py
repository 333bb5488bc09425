from django.urls import path

from parvis.accounts import views

app_name = "accounts"

urlpatterns = [
    path("compte/", views.account_home, name="home"),
    path("t/<slug:territory_slug>/equipe/", views.membership_list, name="membership_list"),
    path(
        "t/<slug:territory_slug>/equipe/<int:pk>/retirer/",
        views.membership_revoke_view,
        name="membership_revoke",
    ),
]
