from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "parvis.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from parvis.notifications import receivers, tasks  # noqa: F401 - jobs and listeners
