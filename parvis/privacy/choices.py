from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentState(models.TextChoices):
    """ISO/IEC TS 27560 consent states (the subset a collectivité records)."""

    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("Refused")


class ConsentMethod(models.TextChoices):
    """How the consent was expressed: online, or collected by an agent for the person."""

    WEB_FORM = "web_form", _("Online form")
    AGENT_ASSISTED = "agent_assisted", _("Collected by an agent (counter, phone)")
    PAPER = "paper", _("Paper form")
