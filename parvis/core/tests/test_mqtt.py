"""The platform's MQTT connection to the real Mosquitto broker."""

import struct
import threading
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from parvis.core.mqtt import mqtt_client, mqtt_connect, publish_decode


def _publish(topic: str, payloads: list[bytes], properties=None) -> None:
    """Publish QoS 1 messages from a client of their own; return once the broker has them."""
    publisher = mqtt_client(client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
    mqtt_connect(publisher)
    publisher.loop_start()
    try:
        infos = [publisher.publish(topic, p, qos=1, properties=properties) for p in payloads]
        for info in infos:
            info.wait_for_publish(5)
    finally:
        publisher.loop_stop()
        publisher.disconnect()


@pytest.mark.mqtt
def test_qos1_round_trip_through_the_broker(mqtt_broker):
    topic = f"parvis/test/{uuid.uuid4().hex}"
    received: list[bytes] = []
    subscribed, arrived = threading.Event(), threading.Event()

    subscriber = mqtt_client(client_id=f"test-sub-{uuid.uuid4().hex[:8]}")
    subscriber.on_subscribe = lambda *args: subscribed.set()

    def on_message(client, userdata, message):
        received.append(message.payload)
        arrived.set()

    subscriber.on_message = on_message
    mqtt_connect(subscriber)
    subscriber.loop_start()
    try:
        subscriber.subscribe(topic, qos=1)
        assert subscribed.wait(5)
        _publish(topic, [b'[{"n":"temp","v":21.5}]'])
        assert arrived.wait(5)
        assert received == [b'[{"n":"temp","v":21.5}]']
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()


def _publish_packet(topic: str, mid: int, properties, payload: bytes) -> bytes:
    """The variable header and payload of a QoS 1 PUBLISH, properties packed by paho."""
    encoded = topic.encode()
    return (
        len(encoded).to_bytes(2, "big") + encoded + mid.to_bytes(2, "big")
        + properties.pack() + payload
    )  # fmt: skip


# What MQTT allows in a UTF-8 string (1.5.4): no NUL, no U+FEFF, no surrogates.
MQTT_TEXT = st.characters(exclude_characters="\x00\ufeff", exclude_categories=["Cs"])


@given(
    topic=st.text(MQTT_TEXT, min_size=1, max_size=40),
    mid=st.integers(1, 65535),
    user=st.lists(
        st.tuples(st.text(MQTT_TEXT, max_size=10), st.text(MQTT_TEXT, max_size=30)), max_size=3
    ),
    expiry=st.none() | st.integers(0, 2**32 - 1),
    content_type=st.none() | st.text(MQTT_TEXT, max_size=20),
    alias=st.none() | st.integers(1, 65535),
    payload=st.binary(max_size=300),
)
def test_the_lean_publish_decoder_agrees_with_paho(
    topic, mid, user, expiry, content_type, alias, payload
):
    from paho.mqtt._packet import decode_publish
    from paho.mqtt.client import MQTTv5

    properties = Properties(PacketTypes.PUBLISH)
    if user:
        properties.UserProperty = user
    if expiry is not None:
        properties.MessageExpiryInterval = expiry
    if content_type is not None:
        properties.ContentType = content_type
    if alias is not None:
        properties.TopicAlias = alias
    packet = bytearray(_publish_packet(topic, mid, properties, payload))

    expected = decode_publish(0x32, packet, MQTTv5)
    assert publish_decode(packet, 1) == (
        expected.topic.decode(),
        expected.mid,
        list(getattr(expected.properties, "UserProperty", [])),
        expected.payload,
    )


@pytest.mark.parametrize(
    "packet",
    [
        b"\x00\x05ab",  # topic cut short
        b"\x00\x01a\x00\x07\x05\x26\x00\x09ab",  # user property cut short
        b"\x00\x01a\x00\x07\x02\x7f\x00",  # an identifier PUBLISH cannot carry
        b"\x00\x02\xff\xfe\x00\x07\x00",  # topic not UTF-8
    ],
)
def test_the_lean_publish_decoder_refuses_malformed_packets(packet):
    with pytest.raises((ValueError, IndexError, KeyError, struct.error)):
        publish_decode(bytearray(packet), 1)


@pytest.mark.mqtt
@pytest.mark.parametrize("acknowledge", [True, False])
def test_acknowledged_messages_are_not_redelivered_to_a_persistent_session(
    mqtt_broker, acknowledge
):
    """300 QoS 1 messages in a burst reach the lean path; PUBACKs sent in one write count:
    after a reconnection the broker redelivers exactly the unacknowledged ones."""
    client_id, topic = f"test-ack-{uuid.uuid4().hex[:8]}", f"parvis/test/{uuid.uuid4().hex}"
    received: list[tuple[int, bytes, list]] = []
    subscribed, all_arrived = threading.Event(), threading.Event()

    def connect():
        subscriber = mqtt_client(client_id=client_id, clean_start=False, manual_ack=True)
        subscriber.on_subscribe = lambda *args: subscribed.set()

        def on_publish_received(client, topic, mid, qos, user_properties, payload):
            received.append((mid, payload, user_properties))
            if len(received) >= 300:
                all_arrived.set()

        subscriber.on_publish_received = on_publish_received
        mqtt_connect(subscriber, receive_maximum=1000)
        subscriber.loop_start()
        return subscriber

    subscriber = connect()
    try:
        subscriber.subscribe(topic, qos=1)
        assert subscribed.wait(5)
        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = [("token", "abc.def")]
        _publish(topic, [b"m%d" % n for n in range(300)], properties)
        assert all_arrived.wait(10)
        assert sorted(payload for _, payload, _ in received) == sorted(
            b"m%d" % n for n in range(300)
        )
        assert all(properties == [("token", "abc.def")] for _, _, properties in received)
        if acknowledge:
            subscriber.ack_many(mid for mid, _, _ in received)
            time.sleep(0.5)  # the PUBACKs leave with the network thread
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()

    received.clear()
    all_arrived.clear()
    subscriber = connect()
    try:
        if acknowledge:
            time.sleep(1.0)
            assert received == []
        else:
            assert all_arrived.wait(10)
            assert len(received) == 300
            subscriber.ack_many(mid for mid, _, _ in received)
            time.sleep(0.5)
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()
