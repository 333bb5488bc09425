"""`parvis web`: the production web server (gunicorn, threaded workers) for pages and APIs."""

import os
import shutil

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the production web server (gunicorn). Scale with more processes or machines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("PARVIS_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--processes", type=int, default=int(os.environ.get("PARVIS_WEB_PROCESSES", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("PARVIS_WEB_THREADS", "8"))
        )
        # Caps the keep-alive connections one process holds, so that a burst of clients is
        # spread over every process instead of piling onto the first that accepts.
        parser.add_argument(
            "--worker-connections",
            type=int,
            default=int(os.environ.get("PARVIS_WEB_WORKER_CONNECTIONS", "16")),
        )

    def handle(
        self, *args, bind: str, processes: int, threads: int, worker_connections: int, **options
    ) -> None:
        gunicorn = shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment")
        argv = [
            gunicorn,
            "config.wsgi:application",
            f"--bind={bind}",
            f"--workers={processes}",
            f"--threads={threads}",
            f"--worker-connections={worker_connections}",
            "--worker-class=gthread",
            "--access-logfile=-",
            "--forwarded-allow-ips=*",
        ]
        os.execv(gunicorn, argv)  # noqa: S606 - replace this process with gunicorn
