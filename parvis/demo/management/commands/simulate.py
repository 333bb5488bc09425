"""`parvis simulate`: the demo territory's sensors, alive (history backfill, then live)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parvis.core.mqtt import broker_reachable
from parvis.demo.sensors import demo_device_token
from parvis.sensors.models import Thing
from parvis.sensors.simulation import simulate


class Command(BaseCommand):
    help = "Simulate the demo territory's sensors over MQTT or HTTP (demo mode only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--transport",
            choices=["auto", "mqtt", "http", "direct"],
            default="auto",
            help="auto: MQTT when the broker answers, otherwise straight to ingestion.",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="For --transport http.")
        parser.add_argument(
            "--backfill-hours", type=float, default=48, help="History written first (0: none)."
        )
        parser.add_argument("--once", action="store_true", help="Backfill only, then stop.")

    def handle(self, *args, transport, url, backfill_hours, once, **options) -> None:
        if not settings.PARVIS_DEMO:
            raise CommandError("The simulator feeds demo devices only (PARVIS_DEMO=true).")
        things = list(
            Thing.objects.filter(is_active=True).prefetch_related("datastreams").order_by("key")
        )
        if not things:
            raise CommandError("No device: load the demo first (parvis demo).")
        if transport == "auto":
            transport = "mqtt" if broker_reachable() else "direct"
        stopping = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopping.set())
        self.stdout.write(f"Simulating {len(things)} devices over {transport}")
        sent = simulate(
            things=things,
            tokens={thing.key: demo_device_token(thing.key) for thing in things},
            transport=transport,
            backfill_hours=backfill_hours,
            url=url,
            stop=stopping.is_set,
            once=once,
        )
        self.stdout.write(f"{sent} packs sent")
