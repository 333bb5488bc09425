"""Messages sent to people: by email, SMS, post or on the platform."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import TimeStampedModel
from parvis.notifications.choices import Channel, DeliveryStatus


class Notification(TimeStampedModel):
    """One message to one person on one channel, with its delivery state.

    `address` is the email, phone number or postal address used for this message; it is kept
    only as long as the retention period of notifications, then the row is purged.
    """

    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.TextField(_("address"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address=""),
                name="notification_has_destination",
                violation_error_message=_("A notification needs a recipient or an address."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"
