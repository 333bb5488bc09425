from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "parvis.territories"
    label = "territories"
    verbose_name = _("Territories")

    def ready(self) -> None:
        from parvis.core.caching import bump_on_write
        from parvis.territories.models import Department, District, Territory
        from parvis.territories.selectors import TERRITORIES

        bump_on_write(TERRITORIES, (Territory, District, Department))
