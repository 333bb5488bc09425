from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "parvis.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self) -> None:
        from parvis.budgets import permissions, tasks  # noqa: F401 - rules and periodic jobs
