"""Ingestion survives its failures: the consumer killed, PostgreSQL restarted, the broker restarted.

After recovery every published observation is stored exactly once: QoS 1 with persistent
sessions redelivers what was not acknowledged, acknowledgement follows the commit, and the store
drops repeats. These tests stop real services, so they run on PostgreSQL only (the consumer runs
in another process and needs a server database); CI runs the suite on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from parvis.core.mqtt import broker_reachable, mqtt_client, mqtt_connect
from parvis.sensors.consumer import IngestConsumer
from parvis.sensors.models import DeadLetter, Observation
from parvis.testing.services import service_missing

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]

REPO = Path(settings.BASE_DIR)
PACKS = 200
MOSQUITTO_CONF = "/etc/mosquitto/mosquitto.conf"
MOSQUITTO_PID = Path("/run/mosquitto/mosquitto.pid")


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if connection.vendor != "postgresql":
        # Not a missing service: the consumer runs in another process and needs a server
        # database, so these tests belong to the PostgreSQL run that CI always makes.
        pytest.skip("fault tests need a server database (they run on PostgreSQL in CI)")
    request.getfixturevalue("mqtt_broker")


class Publisher:
    """A device with a persistent session: it keeps publishing across broker outages."""

    def __init__(self, thing, token) -> None:
        self.thing, self.token = thing, token
        self.client = mqtt_client(
            client_id=f"test-device-{uuid.uuid4().hex[:8]}", clean_start=False
        )
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        mqtt_connect(self.client)
        self.client.loop_start()
        self.infos = []

    def publish(self, count: int, *, pause: float = 0.01) -> None:
        start = time.time() - 86400
        for index in range(count):
            pack = [{"bn": f"{self.thing.key}:", "bt": start + 60 * index, "bu": "ug/m3"}] + [
                {"n": "no2", "t": second, "v": 20.0 + second} for second in range(10)
            ]
            self._send(json.dumps(pack))
            time.sleep(pause)

    def _send(self, payload: str) -> None:
        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = ("token", self.token)
        info = self.client.publish(self.thing.topic, payload, qos=1, properties=properties)
        self.infos.append((info, payload))

    def close(self) -> None:
        """Wait for every PUBACK; re-send what the broker never confirmed, as a device does."""
        for _round in range(3):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not self.client.is_connected():
                time.sleep(0.1)
            for info, _payload in self.infos:
                with contextlib.suppress(RuntimeError, ValueError):  # refused while disconnected
                    info.wait_for_publish(max(0.1, deadline - time.monotonic()))
            unconfirmed = [payload for info, payload in self.infos if not _confirmed(info)]
            if not unconfirmed:
                break
            self.infos = []
            for payload in unconfirmed:
                self._send(payload)
        self.client.loop_stop()
        self.client.disconnect()


def _confirmed(info) -> bool:
    try:
        return info.is_published()
    except (RuntimeError, ValueError):
        return False


def wait_for_count(expected: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline:
        connections.close_all()  # a fresh connection: the server may have restarted
        try:
            count = Observation.objects.count()
        except Exception:
            count = -1
        if count >= expected:
            time.sleep(1.0)  # anything more would be a duplicate: give it time to show
            return Observation.objects.count()
        time.sleep(0.2)
    return count


def start_consumer_process(client_id: str, group: str) -> subprocess.Popen:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "parvis", "ingest", "--client-id", client_id, "--group", group],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PARVIS_DATABASE_URL": url,
            "PARVIS_LOG_LEVEL": "WARNING",
        },
    )


def wait_subscribed(process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait for the consumer's "Subscribed" line: messages published before would be lost
    (a broker keeps nothing for a subscription that does not exist yet)."""
    subscribed = threading.Event()

    def read() -> None:
        for line in process.stdout:
            if line.startswith("Subscribed"):
                subscribed.set()

    threading.Thread(target=read, daemon=True).start()
    assert subscribed.wait(timeout), "the ingest consumer never subscribed"


def test_a_consumer_killed_mid_stream_loses_and_duplicates_nothing(air_station):
    thing, token = air_station
    client_id, group = f"test-ingest-{uuid.uuid4().hex[:6]}", f"test-{uuid.uuid4().hex[:6]}"
    consumer = start_consumer_process(client_id, group)
    wait_subscribed(consumer)
    publisher = Publisher(thing, token)
    try:
        feeder = threading.Thread(target=publisher.publish, args=(PACKS,))
        feeder.start()
        time.sleep(0.8)
        consumer.send_signal(signal.SIGKILL)  # no goodbye: unacknowledged messages stay queued
        consumer.wait(10)
        time.sleep(0.5)
        consumer = start_consumer_process(client_id, group)  # same session: the queue resumes
        feeder.join()
        publisher.close()
        assert wait_for_count(10 * PACKS) == 10 * PACKS
    finally:
        publisher.close()
        consumer.terminate()
        consumer.wait(10)


def _postgres(action: str) -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            "/usr/bin/pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            "-m",
            "fast",
        ]
        if action == "stop"
        else ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        timeout=60,
    )


@pytest.fixture
def consumer_thread(request):
    shared = getattr(request, "param", True)
    consumer = IngestConsumer(
        client_id=f"test-ingest-{uuid.uuid4().hex[:6]}",
        group=f"test-{uuid.uuid4().hex[:6]}" if shared else None,
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    assert consumer.subscribed.wait(10)
    yield consumer
    consumer.stopping.set()
    thread.join(10)


def test_postgresql_restarting_mid_stream_loses_and_duplicates_nothing(
    air_station, consumer_thread
):
    if not os.path.exists("/usr/bin/pg_ctlcluster"):
        service_missing("pg_ctlcluster", "cannot restart the local PostgreSQL")
    thing, token = air_station
    publisher = Publisher(thing, token)
    try:
        feeder = threading.Thread(target=publisher.publish, args=(PACKS,))
        feeder.start()
        time.sleep(0.6)
        _postgres("stop")
        try:
            time.sleep(2)  # the consumer keeps receiving and cannot write: nothing is acked
        finally:
            _postgres("start")
        feeder.join()
        publisher.close()
        assert wait_for_count(10 * PACKS) == 10 * PACKS
    finally:
        publisher.close()


def _mosquitto_stop() -> None:
    pid = int(MOSQUITTO_PID.read_text().strip())
    os.kill(pid, signal.SIGTERM)  # a clean stop saves the persistence file
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            if not broker_reachable(timeout=0.5):
                return
        time.sleep(0.05)
    raise AssertionError("Mosquitto did not stop within 15 s")


def _mosquitto_start() -> None:
    """Start the broker again and wait until it listens: the rest of the suite (and CI, which
    runs against the services as they are left) needs it. Retries, then fails loudly."""
    for _attempt in range(5):
        subprocess.run(["/usr/sbin/mosquitto", "-d", "-c", MOSQUITTO_CONF], check=False, timeout=10)  # noqa: S603
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if broker_reachable(timeout=0.5):
                return
            time.sleep(0.1)
    raise AssertionError(
        "Mosquitto did not start again: run `mosquitto -d -c " + MOSQUITTO_CONF + "`"
    )


# A plain subscription: with Mosquitto 2.0.11, messages queued for a *shared* subscription
# across a broker restart were lost in 2 runs out of 3 (1 to 140 packs), while the plain
# subscription lost none in every run: see docs/operations.md ("Mosquitto for ingestion").
@pytest.mark.parametrize("consumer_thread", [False], indirect=True)
def test_the_broker_restarting_mid_stream_loses_and_duplicates_nothing(
    air_station, consumer_thread
):
    if not (MOSQUITTO_PID.exists() and os.path.exists("/usr/sbin/mosquitto")):
        service_missing("Mosquitto", "not started from its configuration file (no pid file)")
    thing, token = air_station
    publisher = Publisher(thing, token)
    try:
        feeder = threading.Thread(target=publisher.publish, args=(PACKS,))
        feeder.start()
        time.sleep(0.6)
        _mosquitto_stop()
        try:
            time.sleep(1.5)  # the device keeps publishing into its own queue
        finally:
            _mosquitto_start()
        feeder.join()
        publisher.close()
        stored = wait_for_count(10 * PACKS, timeout=90)
        assert stored == 10 * PACKS, (consumer_thread.stats, DeadLetter.objects.count())
    finally:
        publisher.close()
