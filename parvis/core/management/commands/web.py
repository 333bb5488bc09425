"""`parvis web`: the production web server (gunicorn, threaded workers) for pages and APIs."""

import os
import shutil

from django.core.management.base import BaseCommand, CommandError


def default_processes() -> int:
    """One process per core this process may run on (at least 2: a slow request never stalls
    every other)."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max(2, len(cores) if cores else os.cpu_count() or 2)


class Command(BaseCommand):
    help = "Run the production web server (gunicorn). Scale with more processes or machines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=os.environ.get("PARVIS_BIND", "127.0.0.1:8000"))
        # A process per core, few threads each: Django's work is CPU-bound (pages, ORM), and
        # threads of one process wait on its interpreter lock, which stretches the slowest
        # answers (bench/reports: p95 1.1-1.2 x p50 with 2 threads, 1.7 x with 8). Two threads
        # still overlap one request's database round trip with another's work.
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("PARVIS_WEB_PROCESSES") or default_processes()),
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("PARVIS_WEB_THREADS") or 2)
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
