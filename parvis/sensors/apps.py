from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from parvis.core import staff_areas
from parvis.core.staff_areas import StaffArea


class SensorsConfig(AppConfig):
    name = "parvis.sensors"
    label = "sensors"
    verbose_name = _("Sensors")

    def ready(self) -> None:
        from parvis.sensors import permissions, tasks  # noqa: F401 - rules and periodic jobs

        staff_areas.register(
            StaffArea(
                "sensors.view_operations", "sensors:staff_list", _("Devices and sensors"), order=30
            )
        )
