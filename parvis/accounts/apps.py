from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from parvis.core import staff_areas
from parvis.core.staff_areas import StaffArea


class AccountsConfig(AppConfig):
    name = "parvis.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from parvis.accounts import permissions  # noqa: F401 - registers the rules

        staff_areas.register(
            StaffArea(
                "accounts.view_membership",
                "accounts:membership_list",
                _("Team and roles"),
                order=50,
            )
        )
