from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from parvis.core import staff_areas
from parvis.core.staff_areas import StaffArea


class PrivacyConfig(AppConfig):
    name = "parvis.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from parvis.core.audit import set_audit_sink
        from parvis.privacy import tasks  # noqa: F401 - registers periodic jobs
        from parvis.privacy.services import audit_entry_create

        set_audit_sink(audit_entry_create)
        staff_areas.register(
            StaffArea("privacy.view_audit", "privacy:audit_list", _("Access log"), order=60)
        )
