from django.urls import path

from parvis.privacy import views

app_name = "privacy"

urlpatterns = [
    path("vie-privee/mes-donnees/", views.my_data, name="my_data"),
    path("vie-privee/mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
    path("vie-privee/consentements/", views.consent_update, name="consent_update"),
    path("vie-privee/supprimer-mon-compte/", views.account_delete, name="account_delete"),
    path("vie-privee/registre/", views.processing_register, name="register"),
    path("confidentialite/", views.privacy_policy, name="policy"),
    path("t/<slug:territory_slug>/journal-des-acces/", views.audit_list, name="audit_list"),
]
