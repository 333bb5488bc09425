"""The platform's MQTT connection to the real Mosquitto broker."""

import threading
import uuid

import pytest

from parvis.core.mqtt import mqtt_client, mqtt_connect

pytestmark = pytest.mark.mqtt


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
        publisher = mqtt_client(client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
        mqtt_connect(publisher)
        publisher.loop_start()
        publisher.publish(topic, b'[{"n":"temp","v":21.5}]', qos=1).wait_for_publish(5)
        publisher.loop_stop()
        publisher.disconnect()
        assert arrived.wait(5)
        assert received == [b'[{"n":"temp","v":21.5}]']
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()
