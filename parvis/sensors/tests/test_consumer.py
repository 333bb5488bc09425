"""`parvis ingest` through the real Mosquitto broker: QoS 1 in, exactly once stored."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from parvis.core.mqtt import mqtt_client, mqtt_connect
from parvis.sensors.choices import DeadLetterReason
from parvis.sensors.consumer import IngestConsumer
from parvis.sensors.models import DeadLetter, Observation

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def publish(topic: str, packs: list, *, token: str) -> None:
    publisher = mqtt_client(client_id=f"test-device-{uuid.uuid4().hex[:8]}")
    mqtt_connect(publisher)
    publisher.loop_start()
    try:
        for pack in packs:
            properties = Properties(PacketTypes.PUBLISH)
            properties.UserProperty = ("token", token)
            publisher.publish(
                topic, json.dumps(pack), qos=1, properties=properties
            ).wait_for_publish(5)
    finally:
        publisher.loop_stop()
        publisher.disconnect()


@pytest.fixture
def consumer(mqtt_broker):
    """A consumer in its own share group, so no other consumer on the machine takes its messages."""
    consumer = IngestConsumer(
        client_id=f"test-ingest-{uuid.uuid4().hex[:8]}", group=f"test-{uuid.uuid4().hex[:8]}"
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    assert consumer.subscribed.wait(10)
    yield consumer
    consumer.stopping.set()
    thread.join(5)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_packs_published_over_mqtt_are_stored_once(consumer, air_station):
    thing, token = air_station
    start = time.time() - 3600
    packs = [
        [{"bn": f"{thing.key}:", "bt": start + 600 * i, "bu": "ug/m3"}]
        + [{"n": "no2", "t": j, "v": 20 + j} for j in range(10)]
        for i in range(5)
    ]
    publish(thing.topic, packs + packs[:2], token=token)  # two packs redelivered
    assert wait_for(lambda: consumer.stats["messages"] >= 7)
    assert Observation.objects.count() == 50
    assert consumer.stats["duplicates"] == 20


def test_a_message_with_a_wrong_token_becomes_a_dead_letter(consumer, air_station):
    thing, _token = air_station
    publish(thing.topic, [[{"n": "no2", "v": 12}]], token=f"{thing.key}.forged")
    assert wait_for(lambda: DeadLetter.objects.exists())
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.channel, letter.thing) == (
        DeadLetterReason.BAD_CREDENTIAL,
        "mqtt",
        thing,
    )
    assert Observation.objects.count() == 0


def test_a_consumer_with_several_connections_stores_everything_once(air_station, mqtt_broker):
    """Each connection has the broker's in-flight window: together they feed larger batches."""
    thing, token = air_station
    consumer = IngestConsumer(
        client_id=f"test-ingest-{uuid.uuid4().hex[:8]}",
        group=f"test-{uuid.uuid4().hex[:8]}",
        connections=3,
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.subscribed.wait(10), "every connection subscribed"
        start = time.time() - 86400
        packs = [
            [{"bn": f"{thing.key}:", "bt": start + 60 * i, "bu": "ug/m3"}]
            + [{"n": "no2", "t": j, "v": 20 + j} for j in range(10)]
            for i in range(60)
        ]
        publish(thing.topic, packs, token=token)
        assert wait_for(lambda: consumer.stats["messages"] >= 60)
        assert Observation.objects.count() == 600 and consumer.stats["duplicates"] == 0
        assert len(consumer.received_by) > 1, "the broker shared the packs between connections"
    finally:
        consumer.stopping.set()
        thread.join(10)


def test_several_connections_need_a_share_group():
    with pytest.raises(ValueError, match="share group"):
        IngestConsumer(client_id="x", group=None, connections=2)


def test_the_command_reports_its_progress_while_it_runs(consumer, air_station):
    """`parvis ingest --progress N` prints the counts as JSON lines (what operators and the
    ingestion bench watch), with stored rows counted once committed."""
    import io

    from django.core.management.base import OutputWrapper

    from parvis.sensors.management.commands.ingest import Command

    thing, token = air_station
    out = io.StringIO()
    command = Command(stdout=OutputWrapper(out))
    reporter = threading.Thread(target=command._report_progress, args=(consumer, 0.05))
    reporter.start()
    publish(thing.topic, [[{"bn": f"{thing.key}:", "n": "no2", "v": 21}]], token=token)

    def last_progress():
        lines = [line for line in out.getvalue().splitlines() if line.startswith("Progress: ")]
        return json.loads(lines[-1].removeprefix("Progress: ")) if lines else {}

    assert wait_for(lambda: last_progress().get("stored") == 1)
    assert last_progress()["messages"] == 1 and last_progress()["batches"] == 1
    consumer.stopping.set()
    reporter.join(2)
    assert not reporter.is_alive(), "the reporter stops with the consumer"
