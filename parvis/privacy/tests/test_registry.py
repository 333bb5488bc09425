"""Every model that holds personal data is declared in the register of processing."""

from django.apps import apps
from django.conf import settings
from django.utils.html import escape

from parvis.core.privacy_registry import activities, covered_models

# Field names that mean "data about a person" wherever they appear.
PERSONAL_FIELD_NAMES = {
    "email",
    "phone",
    "address",
    "display_name",
    "first_name",
    "last_name",
    "birth_date",
    "ip_address",
    "subject_reference",
    # Pseudonymised data is still personal data (GDPR recital 26).
    "pseudonym",
}
# Models that have such fields but hold no personal data, with the reason.
NOT_PERSONAL = {
    "territories.Territory": "addresses and phones of town halls, published by law",
    "territories.Department": "functional addresses of municipal services",
}


def holds_personal_data(model) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model is user_model:
        return True
    for field in model._meta.get_fields():
        if (
            getattr(field, "concrete", False)
            and field.is_relation
            and field.related_model is user_model
        ):
            return True
        if getattr(field, "concrete", False) and field.name in PERSONAL_FIELD_NAMES:
            return True
    return False


def test_every_model_with_personal_data_is_registered():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if holds_personal_data(model)
        and model._meta.label not in NOT_PERSONAL
        and model._meta.label not in covered_models()
    ]
    assert missing == [], f"Declare these in an app's privacy.py: {missing}"


def test_the_registry_does_not_name_models_that_do_not_exist():
    for label in covered_models():
        apps.get_model(label)  # raises LookupError on a typo


def test_every_activity_fills_the_article_30_fields():
    assert activities(), "no processing activity registered"
    for activity in activities():
        for field in ("name", "purpose", "retention"):
            assert str(getattr(activity, field)).strip(), (activity.key, field)
        assert activity.data_subjects and activity.data_categories and activity.recipients


def test_the_register_is_public(client, epci):
    page = client.get("/vie-privee/registre/").content.decode()
    for activity in activities():
        assert escape(str(activity.name)) in page or activity.key in page
