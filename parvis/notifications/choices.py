from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message reaches a person. Post is for residents who are not online."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    POST = "post", _("Post")
    IN_APP = "in_app", _("On the platform")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    TO_PRINT = "to_print", _("To print and post")
    FAILED = "failed", _("Failed")
