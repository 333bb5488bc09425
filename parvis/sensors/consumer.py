"""The MQTT ingestion consumer behind `parvis ingest` (and the ingest thread of `parvis run`).

Devices publish SenML packs with QoS 1 to `parvis/devices/<key>/senml`, their token in the
MQTT v5 user property `token`. Consumers join the shared subscription
`$share/parvis-ingest/parvis/devices/+/senml`, so the broker splits messages between all of
them, on any number of machines. Each consumer keeps a persistent session (clean start off,
session expiry) so messages published while it restarts wait for it at the broker.

Delivery is at-least-once, storage exactly-once: a message is acknowledged (PUBACK) only after
the transaction holding its observations or dead letters committed; a crash before that makes
the broker redeliver it, and the store's uniqueness on (datastream, time) drops the repeat.
When the database is down, the batch is retried with backoff and nothing is acknowledged.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from parvis.core.mqtt import mqtt_client, mqtt_connect
from parvis.sensors import store
from parvis.sensors.ingest import (
    DeviceDirectory,
    IngestResult,
    Message,
    dead_letter_for_error,
    messages_ingest,
)

logger = logging.getLogger(__name__)

SHARE_GROUP = "parvis-ingest"
DEVICE_TOPICS = "parvis/devices/+/senml"
# A batch closes when no message arrived for this long (seconds).
IDLE_CLOSE = 0.003
# Unacknowledged messages the broker may send us at once (MQTT v5 Receive Maximum). Mosquitto
# 2.0.11 honours it (measured: 500 messages delivered before any acknowledgement); a broker's
# own in-flight limit may lower it (Mosquitto's `max_inflight_messages`, for MQTT 3 clients).
RECEIVE_MAXIMUM = 2000
# Seconds between merges of the pending observations into the rollups and latest values
# (PostgreSQL): the rollups lag the raw observations by about this much.
MERGE_INTERVAL = 1.0


@dataclass(slots=True)
class Received:
    mid: int
    qos: int
    message: Message
    client: object  # the connection it came by, which acknowledges it


def _token(user_properties) -> str:
    """The device token among a message's MQTT v5 user properties ("" when absent)."""
    for key, value in user_properties or []:
        if key == "token":
            return value
    return ""


class IngestConsumer:
    """Consume device messages from the broker and write them in batches.

    A batch closes when it holds `batch_size` messages or when `max_wait` seconds passed since
    its first message; the broker's in-flight window also bounds it, which is why the wait is
    short.

    `connections` > 1 opens that many connections to the broker, all members of the share
    group, feeding the same batches: the broker's window is per connection, so a consumer behind
    a broker that caps it (at 20, say) still gets `connections` times that in flight and writes
    larger batches. Their client ids are `client_id`, `client_id-1`, `client_id-2`...:
    stable, so each keeps its persistent session across restarts.
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        batch_size: int = 500,
        max_wait: float = 0.05,
        group: str | None = SHARE_GROUP,
        connections: int = 1,
    ) -> None:
        if connections > 1 and not group:
            raise ValueError("several connections need a share group (each would get everything)")
        self.client_id = client_id or f"parvis-ingest-{socket.gethostname()}"
        self.batch_size = batch_size
        self.max_wait = max_wait
        # Without a group, a plain subscription: one consumer receives every message.
        self.topic = f"$share/{group}/{DEVICE_TOPICS}" if group else DEVICE_TOPICS
        self.inbox: queue.Queue[Received] = queue.Queue()
        self.stopping = threading.Event()
        self.subscribed = threading.Event()  # set once the broker acknowledged the subscription
        self.directory = DeviceDirectory(ttl=30.0)
        self.stats = {"messages": 0, "batches": 0, "stored": 0, "duplicates": 0, "dead_letters": 0}
        ids = [self.client_id] + [f"{self.client_id}-{n}" for n in range(1, connections)]
        self.clients = [self._client(client_id) for client_id in ids]
        self._lock = threading.Lock()
        self._subscribed: set[str] = set()
        self.received_by: Counter[str] = Counter()  # messages per connection (client id)

    def _client(self, client_id: str):
        client = mqtt_client(client_id=client_id, clean_start=False, manual_ack=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish_received = self._on_publish
        client.on_subscribe = self._on_subscribe
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.user_data_set(client_id)  # the `userdata` of every callback
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connection refused: %s", reason_code)
            return
        client.subscribe(self.topic, qos=1)
        logger.info("ingest consumer %s subscribed to %s", userdata, self.topic)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if any(code.is_failure for code in reason_codes):
            logger.warning("MQTT subscription to %s refused: %s", self.topic, reason_codes)
            return
        with self._lock:
            self._subscribed.add(userdata)
            if len(self._subscribed) == len(self.clients):
                self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if not self.stopping.is_set():
            logger.warning("MQTT connection lost (%s): reconnecting", reason_code)

    def _on_publish(self, client, topic, mid, qos, user_properties, payload) -> None:
        """Every message, decoded by the client's lean path (`BufferedClient`)."""
        self._receive(client, topic, mid, qos, _token(user_properties), payload)

    def _on_message(self, client, userdata, msg) -> None:
        """A message paho decoded itself (one the lean path could not read)."""
        token = _token(getattr(msg.properties, "UserProperty", None))
        self._receive(client, msg.topic, msg.mid, msg.qos, token, msg.payload)

    def _receive(self, client, topic, mid, qos, token, payload) -> None:
        with self._lock:
            self.received_by[client.user_data_get()] += 1
        self.inbox.put(
            Received(
                mid=mid,
                qos=qos,
                message=Message(
                    channel="mqtt",
                    payload=payload,
                    topic=topic,
                    token=token,
                    received_at=timezone.now(),
                ),
                client=client,
            )
        )

    def start(self) -> None:
        """Connect (retrying until the broker answers) and start the network threads."""
        for client in self.clients:
            delay = 1.0
            while not self.stopping.is_set():
                try:
                    mqtt_connect(client, receive_maximum=RECEIVE_MAXIMUM)
                    break
                except OSError as error:
                    logger.warning("MQTT broker unreachable (%s): retrying in %.0f s", error, delay)
                    self.stopping.wait(delay)
                    delay = min(delay * 2, 30.0)
            client.loop_start()

    def stop(self) -> None:
        self.stopping.set()
        for client in self.clients:
            client.disconnect()
            client.loop_stop()

    def run(self) -> None:
        """Consume until `stop()` is called."""
        self.start()
        merger = threading.Thread(target=self._merge_loop, name="rollup-merge", daemon=True)
        merger.start()
        try:
            while not self.stopping.is_set():
                batch = self._next_batch()
                if batch:
                    self._write(batch)
        finally:
            self.stop()
            merger.join()
            connections.close_all()

    def _merge_loop(self) -> None:
        """Merge the pending observations into the rollups every MERGE_INTERVAL, beside the
        batches (its own database connection: a merge never delays a batch), once more on
        stop. See `store.rollups_merge`."""
        try:
            while not self.stopping.wait(MERGE_INTERVAL):
                self._merge()
            self._merge()
        finally:
            connections.close_all()

    def _merge(self) -> None:
        """On a database error the observations stay pending for the next merge, this
        consumer's or another's."""
        try:
            close_old_connections()
            store.rollups_merge()
        except DatabaseError as error:
            logger.warning("rollup merge failed (%s): the observations stay pending", error)
            connections.close_all()
        except Exception:
            logger.exception("rollup merge failed: the observations stay pending")

    def _next_batch(self) -> list[Received]:
        """Messages waiting now, up to `batch_size`; waits at most `max_wait` for more.

        The batch closes as soon as the inbox stays empty for a few milliseconds: with the
        broker's in-flight window full, more messages only come after this batch is acked.
        """
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=min(remaining, IDLE_CLOSE)))
            except queue.Empty:
                break
        return batch

    def _write(self, batch: list[Received]) -> None:
        """Store a batch, then acknowledge it.

        On a database error the batch is retried with backoff until it succeeds (nothing is
        acknowledged meanwhile). Any other error is a bug on some message: the batch is then
        stored message by message, and a message that still fails becomes a dead letter with
        the error, so the consumer never dies and the message is never lost.
        """
        delay = 0.5
        while True:
            close_old_connections()
            try:
                results = [self._ingest([item.message for item in batch])]
                break
            except DatabaseError as error:
                logger.warning("database error (%s): batch kept, retrying in %.1f s", error, delay)
                connections.close_all()
                if self.stopping.wait(delay):
                    return  # unacknowledged: the broker redelivers to the next consumer
                delay = min(delay * 2, 10.0)
            except Exception:
                logger.exception("ingestion failed on a batch: storing message by message")
                results = [self._ingest_alone(item.message) for item in batch]
                break
        acknowledged: dict[object, list[int]] = {client: [] for client in self.clients}
        for item in batch:
            if item.qos == 1:
                acknowledged[item.client].append(item.mid)
            elif item.qos == 2:  # never with our QoS 1 subscription; paho's own handshake
                item.client.ack(item.mid, item.qos)
        for client, mids in acknowledged.items():
            client.ack_many(mids)  # one write of PUBACKs per connection
        self.stats["messages"] += len(batch)
        self.stats["batches"] += 1
        for result in results:
            self.stats["stored"] += result.stored
            self.stats["duplicates"] += result.duplicates
            self.stats["dead_letters"] += len(result.dead_letters)

    def _ingest(self, messages: list[Message]) -> IngestResult:
        return messages_ingest(messages=messages, directory=self.directory, defer_rollups=True)

    def _ingest_alone(self, message: Message) -> IngestResult:
        try:
            return self._ingest([message])
        except DatabaseError:
            raise
        except Exception as error:
            letter = dead_letter_for_error(message, error)
            return IngestResult(dead_letters=[letter])
