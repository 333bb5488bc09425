from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What residents may do during a phase. Components check the current phase's actions."""

    SUBMIT = "submit", _("submit proposals")
    COMMENT = "comment", _("comment")
    SUPPORT = "support", _("support proposals")
    VOTE = "vote", _("vote")
    RESULTS = "results", _("see the results")
    FOLLOW_UP = "follow_up", _("follow the realisation")
