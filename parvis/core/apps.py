from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "parvis.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from parvis.core import privacy_registry, tasks

        privacy_registry.autodiscover()
        tasks.connect_failure_recorder()
