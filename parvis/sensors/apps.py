from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorsConfig(AppConfig):
    name = "parvis.sensors"
    label = "sensors"
    verbose_name = _("Sensors")

    def ready(self) -> None:
        from parvis.sensors import permissions, tasks  # noqa: F401 - rules and periodic jobs
