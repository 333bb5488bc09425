from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from parvis.core import staff_areas
from parvis.core.staff_areas import StaffArea


class BudgetsConfig(AppConfig):
    name = "parvis.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self) -> None:
        from parvis.budgets import permissions, tasks  # noqa: F401 - rules and periodic jobs

        staff_areas.register(
            StaffArea(
                "budgets.enter_paper_ballot",
                "budgets:staff_list",
                _("Participatory budgets"),
                order=40,
            )
        )
