from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "parvis.reports"
    label = "reports"
    verbose_name = _("Incident reports")

    def ready(self) -> None:
        from parvis.reports import caching, permissions, tasks  # noqa: F401 - rules, jobs

        caching.connect()
