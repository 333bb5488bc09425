"""`parvis ingest`: consume device messages from MQTT and store them (scale out: run more)."""

import json
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from parvis.sensors.consumer import SHARE_GROUP, IngestConsumer


class Command(BaseCommand):
    help = "Consume SenML packs from the MQTT broker (shared subscription) and store them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--client-id",
            help="MQTT client id, unique per consumer and stable across restarts "
            "(its persistent session keeps messages while it restarts). Default: from host name.",
        )
        parser.add_argument(
            "--group",
            default=SHARE_GROUP,
            help="Shared subscription group (consumers of one group split the messages); "
            'an empty group ("") subscribes plainly: one consumer takes every message.',
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=1,
            help="Connections to the broker, all in the share group, feeding the same batches: "
            "the broker's in-flight window is per connection (for brokers that cap it).",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Messages per write.")
        parser.add_argument(
            "--max-wait", type=float, default=0.05, help="Seconds a batch waits to fill."
        )
        parser.add_argument(
            "--progress",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Print the counts (messages, batches, stored, duplicates, dead letters) as a "
            "JSON line every SECONDS (default 0: only when stopping).",
        )

    def handle(
        self, *args, client_id, group, connections, batch_size, max_wait, progress, **options
    ) -> None:
        if connections > 1 and not group:
            raise CommandError("--connections above 1 needs a share group (--group).")
        consumer = IngestConsumer(
            client_id=client_id,
            group=group or None,
            batch_size=batch_size,
            max_wait=max_wait,
            connections=connections,
        )
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: consumer.stopping.set())
        self.stdout.write(f"Ingesting from {consumer.topic} as {consumer.client_id}")
        threading.Thread(target=self._report_subscription, args=(consumer,), daemon=True).start()
        if progress > 0:
            threading.Thread(
                target=self._report_progress, args=(consumer, progress), daemon=True
            ).start()
        consumer.run()
        self.stdout.write(f"Stopped: {consumer.stats}")

    def _report_subscription(self, consumer: IngestConsumer) -> None:
        """Say when the broker has the subscription: from then on no message is missed."""
        while not consumer.stopping.is_set():
            if consumer.subscribed.wait(1.0):
                self.stdout.write(f"Subscribed to {consumer.topic}")
                self.stdout.flush()
                return

    def _report_progress(self, consumer: IngestConsumer, every: float) -> None:
        """`Progress: {...}` every `every` seconds; "stored" counts committed rows only."""
        while not consumer.stopping.wait(every):
            self.stdout.write(f"Progress: {json.dumps(dict(consumer.stats))}")
            self.stdout.flush()
