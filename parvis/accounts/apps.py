from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parvis.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from parvis.accounts import permissions  # noqa: F401 - registers the rules
