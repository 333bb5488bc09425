from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "parvis.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from parvis.participation import permissions  # noqa: F401 - rules
