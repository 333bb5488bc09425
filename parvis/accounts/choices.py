from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles a person holds on a territory. Residents hold no role."""

    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    MODERATOR = "moderator", _("Moderator")
    DATA_OFFICER = "data_officer", _("Data officer")
    ELECTED = "elected", _("Elected official")
    TERRITORY_ADMIN = "territory_admin", _("Territory administrator")
