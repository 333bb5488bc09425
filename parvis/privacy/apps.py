from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "parvis.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from parvis.core.audit import set_audit_sink
        from parvis.privacy import tasks  # noqa: F401 - registers periodic jobs
        from parvis.privacy.services import audit_entry_create

        set_audit_sink(audit_entry_create)
