from django.urls import path

from parvis.budgets import staff_views, views

app_name = "budgets"

PUBLIC = "budgets-participatifs/<slug:budget_slug>"
STAFF = "t/<slug:territory_slug>/budgets-participatifs/<slug:budget_slug>"

urlpatterns = [
    path("budgets-participatifs/", views.budget_list, name="list"),
    path(f"{PUBLIC}/", views.budget_detail, name="detail"),
    path(f"{PUBLIC}/proposer/", views.project_propose_view, name="propose"),
    path(f"{PUBLIC}/projets/<int:project_pk>/", views.project_detail, name="project"),
    path(
        f"{PUBLIC}/projets/<int:project_pk>/soutenir/",
        views.project_support_view,
        name="support",
    ),
    path(f"{PUBLIC}/projets/<int:project_pk>/suivre/", views.project_follow_view, name="follow"),
    path(
        f"{PUBLIC}/projets/<int:project_pk>/commenter/",
        views.project_comment_view,
        name="comment",
    ),
    path(
        f"{STAFF}/commentaires/<int:comment_pk>/masquer/",
        staff_views.staff_comment_hide,
        name="staff_comment_hide",
    ),
    path(f"{PUBLIC}/photos/<int:photo_pk>/", views.project_photo, name="photo"),
    path(f"{PUBLIC}/verifier/", views.resident_verify, name="verify"),
    path(f"{PUBLIC}/voter/<int:envelope_pk>/", views.ballot, name="ballot"),
    path(f"{PUBLIC}/resultats/", views.results, name="results"),
    path(f"{PUBLIC}/resultats/<int:envelope_pk>.pb", views.results_pabulib, name="pabulib"),
    path(
        "t/<slug:territory_slug>/budgets-participatifs/",
        staff_views.staff_budget_list,
        name="staff_list",
    ),
    path(f"{STAFF}/", staff_views.staff_budget, name="staff_budget"),
    path(f"{STAFF}/propositions/", staff_views.staff_review, name="staff_review"),
    path(
        f"{STAFF}/propositions/<int:project_pk>/",
        staff_views.staff_review_project,
        name="staff_review_project",
    ),
    path(
        f"{STAFF}/bulletins-papier/<int:envelope_pk>/",
        staff_views.staff_paper,
        name="staff_paper",
    ),
    path(f"{STAFF}/registre/", staff_views.staff_check_in, name="staff_check_in"),
    path(f"{STAFF}/recensement/", staff_views.staff_census, name="staff_census"),
    path(f"{STAFF}/depouillement/<int:envelope_pk>/", staff_views.staff_tally, name="staff_tally"),
    path(
        f"{STAFF}/projets/<int:project_pk>/suivi/",
        staff_views.staff_project_update,
        name="staff_project_update",
    ),
]
