"""Profile one benchmark target in-process: where a request of that target spends its time.

Runs REQUESTS requests of a path through Django's test client with the production settings and
the scratch database of the load benchmark (prepare it first with bench/load/run.sh), after a
few warm-up requests, and prints: wall time per request, SQL queries per request (count and
time), and a profile (cProfile by default, pyinstrument with --pyinstrument if installed, e.g.
`uv run --with pyinstrument python bench/load/profile_target.py ... --pyinstrument`).

    uv run python bench/load/profile_target.py /api/v1/territories
    uv run python bench/load/profile_target.py \
        "/api/v1/territories/hauts-de-brune/locate?lat=47.3&lon=4.8"
    uv run python bench/load/profile_target.py / --db postgres --requests 50 --sort tottime

Single-threaded, no HTTP server and no concurrency: it shows the CPU cost of the request itself,
which is what bounds throughput under load (see README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRATCH = REPO / "var" / "bench-load"


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile one path of the load benchmark.")
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative)")
    parser.add_argument("--limit", type=int, default=40, help="lines of profile printed")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=REPO,
        help="root of the code to profile: this checkout, or a var/bench-load/src-SHA export "
        "made by run.py --source",
    )
    parser.add_argument(
        "--what-if", default="", metavar="NAME[,NAME]", help="apply bench/load/whatif.py patches"
    )
    args = parser.parse_args()

    database_url = args.database_url or (
        f"sqlite:///{SCRATCH / 'bench.sqlite3'}"
        if args.db == "sqlite"
        else "postgres://postgres@127.0.0.1:5432/parvis_bench"
    )
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "PARVIS_SECRET_KEY": secrets.token_urlsafe(50),
            "PARVIS_ALLOWED_HOSTS": "127.0.0.1",
            "PARVIS_SSL_REDIRECT": "false",
            "PARVIS_DEMO": "false",
            "PARVIS_DATABASE_URL": database_url,
            "PARVIS_STATIC_ROOT": str(SCRATCH / "static"),
            "PARVIS_MEDIA_ROOT": str(SCRATCH / "media"),
            "PARVIS_TASK_DB": str(SCRATCH / "tasks.sqlite3"),
            "PARVIS_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(args.app_dir.resolve()))
    os.chdir(args.app_dir)
    import django

    django.setup()
    if args.what_if:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import whatif

        print(f"what-if patches applied: {', '.join(whatif.apply(args.what_if))}")
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    def get():
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code}")
        return response

    for _ in range(args.warmup):
        get()
    captured: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(record):
        get()
    sql_ms = sum(ms for ms, _sql in captured)

    started = time.perf_counter()
    for _ in range(args.requests):
        response = get()
    wall_ms = (time.perf_counter() - started) * 1000 / args.requests

    print(f"{args.path}: {wall_ms:.2f} ms per request (single thread, no profiler)")
    print(f"  response {len(response.content)} bytes")
    print(f"  {len(captured)} SQL queries, {sql_ms:.2f} ms executing them (rows not decoded):")
    for ms, sql in captured:
        print(f"    {ms:7.2f} ms  {sql[:160]}")

    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            get()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.limit)
    print(out.getvalue())


if __name__ == "__main__":
    main()
