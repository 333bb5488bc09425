"""MQTT connections to the platform's broker (Mosquitto), MQTT v5, from settings."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterable

import paho.mqtt.client as mqtt
from django.conf import settings


class BufferedClient(mqtt.Client):
    """paho's client, reading the socket in large chunks.

    paho reads a packet with three recv() calls or more (the type byte, the length byte by
    byte, then the body) and goes back to select() after every packet: about 90 µs of CPU a
    message for a consumer receiving 4,000 messages/s, as much as the ingestion itself. Here
    one recv() takes whatever the kernel holds (up to 256 KiB), paho's reads are served from
    that buffer, and every packet in it is handled before select() runs again. paho's own
    packet state machine is unchanged: a packet cut at the end of a chunk is completed by the
    next one. The buffer belongs to one connection and is dropped with its socket.

    It overrides paho 2.x internals (`_sock_recv`, `_handle_publish`, `_packet_queue`; the
    version is locked in uv.lock): the tests in parvis/core/tests/test_mqtt.py run each path
    against the real broker, so an upgrade that changes them fails there.
    """

    CHUNK = 256 * 1024
    _chunk = b""
    _position = 0
    # When set, called as (client, topic, mid, qos, user_properties, payload) for every QoS 0
    # or 1 PUBLISH instead of `on_message`, skipping paho's MQTTMessage and Properties objects
    # (a third of its cost a message). Packets it cannot read go to paho, and `on_message`.
    on_publish_received: Callable | None = None

    def _sock_recv(self, bufsize: int) -> bytes:
        chunk, position = self._chunk, self._position
        if position >= len(chunk):
            chunk = super()._sock_recv(self.CHUNK)  # BlockingIOError when nothing is there
            if not chunk:
                return chunk  # the connection closed
            self._chunk, position = chunk, 0
        end = position + bufsize
        self._position = end
        return chunk[position:end]

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        result = super().loop_read(max_packets)
        while (
            result == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
            and self._sock is not None
            and self._position < len(self._chunk)
        ):
            result = super().loop_read(max_packets)
        return result

    def _sock_close(self) -> None:
        self._chunk, self._position = b"", 0
        super()._sock_close()

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        callback = self.on_publish_received
        command = self._in_packet["command"]
        qos = (command & 0x06) >> 1
        if callback is None or qos == 2 or self._protocol != mqtt.MQTTv5:
            return super()._handle_publish()
        try:
            topic, mid, user_properties, payload = publish_decode(self._in_packet["packet"], qos)
        except (ValueError, IndexError, KeyError, struct.error):
            return super()._handle_publish()  # unusual: paho's own decoder and its errors
        with self._in_callback_mutex:
            callback(self, topic, mid, qos, user_properties, payload)
        if qos == 1 and not self._manual_ack:
            return self._send_puback(mid)
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_many(self, mids: Iterable[int]) -> None:
        """Acknowledge QoS 1 messages (with `manual_ack`): their PUBACKs in one write."""
        packet = b"".join([_PUBACK.pack(mqtt.PUBACK, 2, mid) for mid in mids])
        if packet:
            self._packet_queue(mqtt.PUBACK, packet, 0, 0)


_PUBACK = struct.Struct("!BBH")
_U16 = struct.Struct("!H")
# PUBLISH properties (MQTT 5.0, 3.3.2.3) by identifier: bytes of a fixed-size value, or
# "s" for a length-prefixed string or binary, "v" for a variable byte integer.
_PUBLISH_PROPERTIES = {0x01: 1, 0x02: 4, 0x03: "s", 0x08: "s", 0x09: "s", 0x0B: "v", 0x23: 2}


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
        if shift > 21:
            raise ValueError("malformed variable byte integer")


def publish_decode(packet: bytes, qos: int) -> tuple[str, int, list[tuple[str, str]], bytes]:
    """Topic, packet id, user properties and payload of an MQTT 5 PUBLISH (after its fixed
    header). Raises ValueError, IndexError, KeyError or struct.error on anything malformed."""
    (length,) = _U16.unpack_from(packet, 0)
    position = 2 + length
    topic = packet[2:position].decode()
    mid = 0
    if qos:
        (mid,) = _U16.unpack_from(packet, position)
        position += 2
    size, position = _varint(packet, position)
    end = position + size
    user_properties = []
    while position < end:
        identifier = packet[position]
        position += 1
        if identifier == 0x26:  # user property: a name and a value, UTF-8 strings
            (length,) = _U16.unpack_from(packet, position)
            name = packet[position + 2 : position + 2 + length].decode()
            position += 2 + length
            (length,) = _U16.unpack_from(packet, position)
            value = packet[position + 2 : position + 2 + length].decode()
            position += 2 + length
            user_properties.append((name, value))
            continue
        kind = _PUBLISH_PROPERTIES[identifier]  # KeyError: not a PUBLISH property
        if kind == "s":
            (length,) = _U16.unpack_from(packet, position)
            position += 2 + length
        elif kind == "v":
            _, position = _varint(packet, position)
        else:
            position += kind
    if position != end or end > len(packet):
        raise ValueError("malformed PUBLISH properties")
    return topic, mid, user_properties, bytes(packet[end:])


def mqtt_client(
    *, client_id: str, clean_start: bool = True, manual_ack: bool = False
) -> mqtt.Client:
    """A connected-on-demand paho client speaking MQTT v5 to the configured broker.

    Persistent sessions (`clean_start=False`) keep QoS 1 messages queued for a consumer that
    reconnects; ingestion workers use them with shared subscriptions. With `manual_ack`, a QoS 1
    message is acknowledged only when the caller says so (after its data is committed).
    """
    client = BufferedClient(
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
