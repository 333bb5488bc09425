"""MQTT connections to the platform's broker (Mosquitto), MQTT v5, from settings."""

from __future__ import annotations

import socket

import paho.mqtt.client as mqtt
from django.conf import settings


def mqtt_client(
    *, client_id: str, clean_start: bool = True, manual_ack: bool = False
) -> mqtt.Client:
    """A connected-on-demand paho client speaking MQTT v5 to the configured broker.

    Persistent sessions (`clean_start=False`) keep QoS 1 messages queued for a consumer that
    reconnects; ingestion workers use them with shared subscriptions. With `manual_ack`, a QoS 1
    message is acknowledged only when the caller says so (after its data is committed).
    """
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    if settings.PARVIS_MQTT_USERNAME:
        client.username_pw_set(settings.PARVIS_MQTT_USERNAME, settings.PARVIS_MQTT_PASSWORD)
    client._parvis_clean_start = clean_start  # read by mqtt_connect
    return client


def mqtt_connect(
    client: mqtt.Client, *, keepalive: int = 30, receive_maximum: int | None = None
) -> None:
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    properties = Properties(PacketTypes.CONNECT)
    clean_start = getattr(client, "_parvis_clean_start", True)
    if not clean_start:
        properties.SessionExpiryInterval = 3600
    if receive_maximum:
        properties.ReceiveMaximum = receive_maximum
    client.connect(
        settings.PARVIS_MQTT_HOST,
        settings.PARVIS_MQTT_PORT,
        keepalive=keepalive,
        clean_start=clean_start,
        properties=properties,
    )


def broker_reachable(timeout: float = 1.0) -> bool:
    """Whether the configured broker accepts TCP connections (the embedded run may have none)."""
    try:
        with socket.create_connection(
            (settings.PARVIS_MQTT_HOST, settings.PARVIS_MQTT_PORT), timeout=timeout
        ):
            return True
    except OSError:
        return False
