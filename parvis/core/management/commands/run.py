"""`parvis run`: the whole platform in one process (web server, background worker, ingestion).

The embedded default: waitress serves the site on a thread pool while huey's consumer runs its
worker threads and periodic scheduler in the same process, on the SQLite task queue. When the
MQTT broker answers, an ingestion consumer thread stores device messages; in demo mode a
simulator thread keeps the demo sensors alive (over MQTT, or straight to ingestion without a
broker). Production runs `parvis web`, `parvis worker` and `parvis ingest` as separate,
scalable processes instead.
"""

import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from huey.contrib.djhuey import HUEY
from waitress import create_server


class Command(BaseCommand):
    help = "Run web server and background worker in one process (embedded default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="Web threads.")
        parser.add_argument("--workers", type=int, default=2, help="Background job threads.")
        parser.add_argument(
            "--no-simulate", action="store_true", help="Demo mode: do not simulate sensors."
        )

    def handle(
        self, *args, host: str, port: int, threads: int, workers: int, no_simulate: bool, **options
    ) -> None:
        server = create_server(get_wsgi_application(), host=host, port=port, threads=threads)
        web = threading.Thread(target=server.run, name="parvis-web", daemon=True)
        web.start()
        self.stdout.write(
            self.style.SUCCESS(f"Parvis is running on http://{host}:{port}/ (Ctrl+C to stop)")
        )
        self._start_ingestion(simulate=settings.PARVIS_DEMO and not no_simulate)
        if settings.PARVIS_DEMO:
            self.stdout.write("Demo accounts: uv run parvis demo (prints them again)")
        consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=True)
        try:
            consumer.run()  # blocks in the main thread; stops on SIGINT/SIGTERM
        finally:
            server.close()

    def _start_ingestion(self, *, simulate: bool) -> None:
        """Start the MQTT consumer when the broker answers, and the demo simulator.

        Both are the `ingest` and `simulate` commands of the sensors and demo apps, run in
        threads; `core` calls them by name, never imports them.
        """
        from django.core.management import call_command

        from parvis.core.mqtt import broker_reachable

        def thread(name: str, *args, **kwargs) -> None:
            threading.Thread(
                target=call_command,
                args=(name, *args),
                kwargs=kwargs,
                name=f"parvis-{name}",
                daemon=True,
            ).start()

        if broker_reachable():
            thread("ingest", client_id="parvis-run")
        else:
            self.stdout.write("No MQTT broker: sensors can still send over HTTP")
        if simulate:
            thread("simulate", backfill_hours=48)
