from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from parvis.core import staff_areas
from parvis.core.staff_areas import StaffArea


class ReportsConfig(AppConfig):
    name = "parvis.reports"
    label = "reports"
    verbose_name = _("Incident reports")

    def ready(self) -> None:
        from parvis.reports import caching, permissions, tasks  # noqa: F401 - rules, jobs

        caching.connect()
        staff_areas.register(
            StaffArea("reports.view_queue", "reports:queue", _("Reports to handle"), order=10),
            StaffArea(
                "reports.configure_reporting",
                "reports:config",
                _("Reporting: categories and settings"),
                order=20,
            ),
        )
