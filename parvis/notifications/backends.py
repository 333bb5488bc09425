"""SMS delivery backends. Production sets PARVIS_SMS_BACKEND to a provider's adapter."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

sent_messages: list[tuple[str, str]] = []  # outbox of the memory backend, for tests


class ConsoleSMSBackend:
    """Logs messages instead of sending them (development and demo)."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class MemorySMSBackend:
    def send(self, *, phone: str, text: str) -> None:
        sent_messages.append((phone, text))


def sms_backend():
    path = getattr(
        settings, "PARVIS_SMS_BACKEND", "parvis.notifications.backends.ConsoleSMSBackend"
    )
    return import_string(path)()
