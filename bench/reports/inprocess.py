"""In-process helpers of the reports benchmark, run with the server's own environment.

bench/reports/run.py runs them as subprocesses with exactly the environment it gives `parvis web`
(production settings, the same random PARVIS_SECRET_KEY, the scratch database), so that a
session created here is valid for the server:

    python bench/reports/inprocess.py session --email admin.brune@parvis.example
        Logs the staff member in (Django's test client `force_login`, as the login flow would
        after the password and the TOTP code) and prints {"cookie": "NAME=KEY", ...}.

    python bench/reports/inprocess.py queries TARGETS.json
        For each target, GETs its path and a "probe" path of the same view returning fewer rows
        through Django's test client, counts the SQL queries (CaptureQueriesContext) and the rows
        shown, and prints the result as JSON: equal counts for both = no N+1.

    python bench/reports/inprocess.py profile PATH [--staff] [--requests 20] [--pyinstrument]
        Time per request (single thread), every SQL query with its time and its plan (EXPLAIN
        QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), then a cProfile (or pyinstrument)
        listing. Use it on the scratch database of the last run; run.py --profile-env prints
        the environment to use.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

STAFF_EMAIL = "admin.brune@parvis.example"


def setup() -> None:
    # The code of the working directory: this checkout, or an export (run.py --source).
    sys.path.insert(0, str(Path.cwd()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    import django

    django.setup()


def client(*, staff: bool, email: str = STAFF_EMAIL):
    from django.test import Client

    from parvis.accounts.models import User

    # As behind the production TLS proxy: prod settings trust X-Forwarded-Proto.
    browser = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    if staff:
        # The backend allauth's login flow records (after the password and the TOTP code).
        browser.force_login(
            User.objects.get(email=email),
            backend="allauth.account.auth_backends.AuthenticationBackend",
        )
    return browser


# --- session ----------------------------------------------------------------------------------


def session(email: str) -> dict:
    from django.conf import settings

    from parvis.accounts.models import User
    from parvis.accounts.permissions import has_mfa, role_map

    browser = client(staff=True, email=email)
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    person = User.objects.get(email=email)
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={key}",
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "email": email,
        "mfa": has_mfa(person),
        "roles": {str(k): sorted(v) for k, v in role_map(person).items()},
    }


# --- queries ----------------------------------------------------------------------------------

ROWS = {
    "html-cards": re.compile(rb'<li class="card">'),
    "html-queue": re.compile(rb'name="reports" value="'),
    "html-timeline": re.compile(rb"<li><time "),
}


def count_rows(kind: str, body: bytes) -> int:
    if kind in ROWS:
        return len(ROWS[kind].findall(body))
    data = json.loads(body)
    if kind == "geojson":
        return len(data["features"])
    if kind == "json-list":
        return len(data)
    raise ValueError(kind)


def measure_queries(browser, path: str, rows: str) -> dict:
    """Queries of one GET of `path` doing the view's work (the page cache emptied first), and
    of a second GET that the page cache may answer."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser.get(path)  # warm caches (templates, geometry, content types): not what we count
    cache.clear()  # the public page cache (parvis.core.caching) would answer without the view
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = browser.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process")
    with CaptureQueriesContext(connection) as again:
        browser.get(path)
    return {
        "path": path,
        "queries_when_cached": len(again.captured_queries),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 2),
        "wall_ms": round(elapsed, 2),
        "rows": count_rows(rows, response.content),
        "bytes": len(response.content),
        "sql": [
            {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:2000]}
            for q in captured.captured_queries
        ],
    }


def queries(targets_file: Path) -> list[dict]:
    targets = json.loads(targets_file.read_text())
    browsers = {False: client(staff=False), True: client(staff=True)}
    results = []
    for target in targets:
        browser = browsers[bool(target.get("staff"))]
        result = {"name": target["name"]}
        result["main"] = measure_queries(browser, target["path"], target["rows"])
        if target.get("probe"):
            result["probe"] = measure_queries(browser, target["probe"], target["rows"])
        results.append(result)
    return results


# --- profile ----------------------------------------------------------------------------------


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(f"        {row[-1]}" for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(f"        {row[0]}" for row in cursor.fetchall())


def profile(
    path: str, *, staff: bool, requests: int, use_pyinstrument: bool, limit: int, cached: bool
) -> None:
    from django.core.cache import cache
    from django.db import connection

    browser = client(staff=staff)

    def get():
        if not cached:
            cache.clear()  # profile the view, not the page cache (unless --cached)
        response = browser.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    for _ in range(3):
        get()
    captured: list[tuple[float, str, object]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(record):
        response = get()
    started = time.perf_counter()
    for _ in range(requests):
        get()
    wall = (time.perf_counter() - started) * 1000 / requests
    print(f"{path}: {wall:.2f} ms per request (single thread, no profiler), {connection.vendor}")
    print(f"  response {len(response.content)} bytes")
    print(f"  {len(captured)} SQL queries, {sum(ms for ms, _s, _p in captured):.2f} ms in all:")
    for ms, sql, params in captured:
        print(f"    {ms:8.2f} ms  {sql[:600]}")
        if sql.lstrip().upper().startswith("SELECT"):
            print(explain(sql, params))
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(requests):
            get()
        profiler.stop()
        # Top-down tree, then the functions where the time is spent (self time).
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        print(profiler.output_text(unicode=True, color=False, flat=True, time="percent_of_total"))
        return
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(requests):
        get()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(limit)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("session")
    one.add_argument("--email", default=STAFF_EMAIL)
    two = commands.add_parser("queries")
    two.add_argument("targets", type=Path)
    three = commands.add_parser("profile")
    three.add_argument("path")
    three.add_argument("--staff", action="store_true", help="as admin.brune (logged in)")
    three.add_argument("--requests", type=int, default=20)
    three.add_argument("--pyinstrument", action="store_true")
    three.add_argument("--limit", type=int, default=45)
    three.add_argument("--cached", action="store_true", help="let the page cache answer")
    args = parser.parse_args()
    setup()
    if args.command == "session":
        print(json.dumps(session(args.email)))
    elif args.command == "queries":
        print(json.dumps(queries(args.targets)))
    else:
        profile(
            args.path,
            staff=args.staff,
            requests=args.requests,
            use_pyinstrument=args.pyinstrument,
            limit=args.limit,
            cached=args.cached,
        )


if __name__ == "__main__":
    main()
