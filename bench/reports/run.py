"""Load benchmark of incident reporting (issue 4): 100,000 reports, public list and map, staff
queue and Open311 GET requests under `parvis web`, p50/p95/p99 and requests/s at 32 connections.

Not a test: run by hand from the repository root (see bench/reports/README.md):

    bench/reports/run.sh                       # SQLite, 60 s per target
    bench/reports/run.sh --duration 10s        # quick run
    bench/reports/run.sh --db postgres         # PostgreSQL 127.0.0.1:5432, parvis_bench_reports
    bench/reports/run.sh --profile /signalements/carte.geojson   # where one target spends time

It reuses the load benchmark's machinery (bench/load/run.py, imported from its path): scratch
database creation, `parvis demo`, collectstatic under production settings, the `parvis web`
server in its own process group, wrk with bench/load/report.lua, CPU accounting, the /healthz
baseline and the verdict. What it adds: the 100,000-report seed (seed.py), an authenticated
staff session for the triage queue (inprocess.py session), the reports targets with their
smoke checks, the SQL query count of every target (inprocess.py queries) and the report table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCRATCH = REPO / "var" / "bench-reports"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/parvis_bench_reports"
STAFF_EMAIL = "admin.brune@parvis.example"
RESEED_AFTER_DAYS = 7  # dates are relative to the seed: reseed when it gets old


def _import_load_benchmark():
    """bench/load/run.py as a module (it is not a package), with its scratch directory pointed
    at var/bench-reports: its base_env(), collectstatic() and run_wrk() read the module global
    SCRATCH when they run."""
    path = REPO / "bench" / "load" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_load_run", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses resolve their module by name
    spec.loader.exec_module(module)
    module.SCRATCH = SCRATCH
    return module


load = _import_load_benchmark()
sys.path.insert(0, str(HERE))
from inprocess import count_rows  # noqa: E402


def log(message: str) -> None:
    print(f"[bench/reports] {message}", file=sys.stderr, flush=True)


@dataclass
class Target(load.Target):
    """A bench/load target, plus what the reports targets need: request headers (the staff
    session cookie), how to count the rows an answer shows, a probe path of the same view with
    fewer rows (for the N+1 check) and the content the smoke check expects."""

    rows: str = ""  # count_rows kind
    expect_rows: int | None = None  # rows the smoke check requires (None: at least one)
    probe: str = ""
    staff: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    expect: list[str] = field(default_factory=list)  # substrings of the first answer


# --- wrk with headers ---------------------------------------------------------------------------


def run_wrk(wrk: str, server, target: Target, *, duration: str, args) -> dict:
    """bench/load's run_wrk, with the target's request headers (wrk -H).

    Copied (20 lines) because bench/load builds wrk's command line without a place for headers;
    installed as `load.run_wrk` so that bench/load's `measure` (warm-up, idle wait, CPU
    accounting, result fields) is reused unchanged. report.lua sends wrk's headers with every
    request (wrk.format uses wrk.headers).
    """
    paths_file = SCRATCH / f"paths-{target.name}.txt"
    paths_file.write_text("\n".join(target.paths) + "\n")
    headers = [
        item for name, value in target.headers.items() for item in ("-H", f"{name}: {value}")
    ]
    cmd = [
        wrk,
        f"--threads={args.wrk_threads}",
        f"--connections={args.connections}",
        f"--duration={duration}",
        f"--timeout={args.timeout}",
        *headers,
        f"--script={load.HERE / 'report.lua'}",
        server.base_url + target.paths[0],
        "--",
        str(paths_file),
    ]
    output = subprocess.run(cmd, check=True, text=True, capture_output=True).stdout  # noqa: S603
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise SystemExit(f"wrk printed no result for {target.name}:\n{output}")


load.run_wrk = run_wrk


# --- Data ---------------------------------------------------------------------------------------


def data_fingerprint(args, database_url: str) -> str:
    """What the scratch database was built from: migrations, demo seed, this seed, its size."""
    digest = hashlib.sha256(database_url.encode())
    app = load.APP  # the code served: this checkout or an export (--source)
    files = sorted(app.glob("parvis/*/migrations/*.py")) + sorted(app.glob("parvis/demo/*.py"))
    for path in files:
        digest.update(str(path.relative_to(app)).encode())
        digest.update(path.read_bytes())
    for path in [HERE / "seed.py"]:
        digest.update(path.read_bytes())
    digest.update(f"{args.reports}".encode())
    return digest.hexdigest()


def prepare_data(args, database_url: str) -> dict:
    """Scratch database: migrate, `parvis demo`, seed.py (each idempotent)."""
    env = load.prepare_env(database_url)
    # One marker per database.
    marker = SCRATCH / f"data-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}.json"
    fingerprint = data_fingerprint(args, database_url)
    reset = args.reset
    if not reset and marker.exists():
        previous = json.loads(marker.read_text())
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(previous["seeded_at"])
        if previous["fingerprint"] != fingerprint:
            log("migrations, demo, seed.py or --reports changed since the last seed: reset")
            reset = True
        elif age > dt.timedelta(days=RESEED_AFTER_DAYS):
            log(f"the seed is {age.days} days old (dates are relative to it): reset")
            reset = True
    marker.unlink(missing_ok=True)
    if args.db == "sqlite":
        db_file = Path(database_url.removeprefix("sqlite:///"))
        db_file.parent.mkdir(parents=True, exist_ok=True)
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    else:
        load.postgres_database(database_url, reset=reset)
    parvis = [sys.executable, "-m", "parvis"]
    load.run([*parvis, "migrate", "--noinput", "-v", "0"], env=env)
    load.run([*parvis, "demo", "--quiet"], env=env)
    output = load.run(
        [sys.executable, str(HERE / "seed.py"), f"--reports={args.reports}"], env=env, capture=True
    )
    data = json.loads(output.strip().splitlines()[-1])
    if not Path(data["code"]).is_relative_to(load.APP):
        raise SystemExit(f"seed.py imported {data['code']}, not the code served ({load.APP})")
    if data["seeded"] or not marker.exists():
        seeded_at = dt.datetime.now(dt.UTC).isoformat()
        marker.write_text(json.dumps({"fingerprint": fingerprint, "seeded_at": seeded_at}))
    if args.db == "postgres":
        # Fresh statistics for the planner after the bulk load (autovacuum may lag behind).
        load.run([*parvis, "dbshell", "--", "-c", "VACUUM ANALYZE"], env=env)
    else:
        # What the nightly job `refresh_database_statistics` does on a deployment.
        refresh = "from parvis.core.database import database_statistics_refresh as r; r()"
        load.run([*parvis, "shell", "-c", refresh], env=env)
    return data


def staff_session(env: dict) -> dict:
    """A logged-in session of the staff member (TOTP activated), valid for the server: created
    with the server's own environment (same SECRET_KEY, same production settings)."""
    output = load.run(
        [sys.executable, str(HERE / "inprocess.py"), "session", f"--email={STAFF_EMAIL}"],
        env=env,
        capture=True,
    )
    found = json.loads(output.strip().splitlines()[-1])
    if not found["mfa"]:
        raise SystemExit(f"{STAFF_EMAIL} has no second factor: the queue would redirect")
    return found


# --- Targets ------------------------------------------------------------------------------------


def build_targets(data: dict, cookie: str, only: list[str] | None) -> list[Target]:
    cookie_name = cookie.split("=", 1)[0]
    proxy = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy (prod settings trust it)
    staff = {**proxy, "Cookie": cookie}
    # A stale session cookie: parvis.core.caching serves no one who has a session cookie.
    stale_session = {**proxy, "Cookie": f"{cookie_name}=expired-session-of-a-visitor"}

    def uncached(target: Target) -> Target:
        """The same target for a visitor the page cache does not serve: every request does
        the view's work (what a page built for one visitor, or any cache miss, costs)."""
        note = f"{target.note}, for a visitor the page cache does not serve"
        return replace(
            target, name=f"{target.name}-nocache", note=note, headers=stale_session, result={}
        )

    commune, small, category = (
        data["commune_pk"],
        data["small_commune_pk"],
        data["small_category_pk"],
    )
    ids = data["sample_ids"]
    queue = f"/t/{data['commune']}/signalements/"
    rotating = f"{len(ids)} ids"
    targets = [
        Target("healthz", "baseline", ["/healthz"], "baseline: one SELECT 1", headers=proxy),
        Target(
            "list",
            "page",
            ["/signalements/"],
            "public list, page 1 (25 of every public report)",
            rows="html-cards",
            expect_rows=25,
            probe="/signalements/?page=99999",
            headers=proxy,
            expect=['class="report-list"'],
        ),
        Target(
            "list-commune-open",
            "page",
            [f"/signalements/?territory={commune}&status=open"],
            "public list filtered: one commune, open reports",
            rows="html-cards",
            expect_rows=25,
            probe=f"/signalements/?territory={commune}&status=open&page=99999",
            headers=proxy,
        ),
        Target(
            "list-deep",
            "page",
            ["/signalements/?page=200"],
            "public list, page 200 (OFFSET 4975)",
            rows="html-cards",
            expect_rows=25,
            probe="/signalements/?page=99999",
            headers=proxy,
            expect=['aria-current="page"'],
        ),
        Target(
            "map-feed",
            "api",
            ["/signalements/carte.geojson"],
            "GeoJSON of the list's map (capped at 2,000 features)",
            rows="geojson",
            expect_rows=2000,
            probe=f"/signalements/carte.geojson?territory={small}&status=open&category={category}",
            headers=proxy,
            expect=['"FeatureCollection"'],
        ),
        Target(
            "detail",
            "page",
            [f"/signalements/{pk}/" for pk in ids],
            f"a report's public page ({rotating})",
            rows="html-timeline",
            probe=f"/signalements/{ids[-1]}/",
            headers=proxy,
            expect=[f"<h1>#{ids[0]} "],
        ),
        Target(
            "queue",
            "page",
            [queue],
            "staff triage queue, default filter (open, by deadline)",
            rows="html-queue",
            expect_rows=50,
            probe=f"{queue}?status=open&page=99999",
            staff=True,
            headers=staff,
            expect=[f'href="{queue}', 'name="reports"'],
        ),
        Target(
            "queue-all-deep",
            "page",
            [f"{queue}?status=&ordering=-created&page=50"],
            "staff queue, every status, newest first, page 50",
            rows="html-queue",
            expect_rows=50,
            probe=f"{queue}?status=&ordering=-created&page=99999",
            staff=True,
            headers=staff,
        ),
        Target(
            "o311-requests",
            "api",
            ["/open311/v2/requests.json"],
            "Open311 GET requests, defaults (last 90 days, at most 1,000)",
            rows="json-list",
            expect_rows=1000,
            probe=f"/open311/v2/requests.json?service_request_id={ids[-1]}",
            headers=proxy,
        ),
        Target(
            "o311-requests-open",
            "api",
            [f"/open311/v2/requests.json?status=open&service_code={data['service_code']}"],
            "Open311 GET requests, open, one service",
            rows="json-list",
            probe=f"/open311/v2/requests.json?service_request_id={ids[-1]}",
            headers=proxy,
            expect=[f'"service_code": "{data["service_code"]}"', '"status": "open"'],
        ),
        Target(
            "o311-request",
            "api",
            [f"/open311/v2/requests/{pk}.json" for pk in ids],
            f"Open311 GET one request ({rotating})",
            rows="json-list",
            expect_rows=1,
            probe=f"/open311/v2/requests/{ids[-1]}.json",
            headers=proxy,
            expect=[f'"service_request_id": "{ids[0]}"'],
        ),
        Target(
            "o311-updates",
            "api",
            ["/open311/v2/servicerequestupdates.json"],
            "Open311 (mySociety) GET updates, defaults (last 90 days, at most 1,000)",
            rows="json-list",
            expect_rows=1000,
            probe="/open311/v2/servicerequestupdates.json?start_date="
            + (dt.date.today() - dt.timedelta(days=1)).isoformat()
            + "&end_date="
            + dt.date.today().isoformat(),
            headers=proxy,
        ),
    ]
    by_name = {target.name: target for target in targets}
    for name in ("list", "detail", "o311-request"):  # each just after its cached twin
        targets.insert(targets.index(by_name[name]) + 1, uncached(by_name[name]))
    if data["reports"] < 50_000:
        # A small seed (a quick try of the benchmark) has fewer pages and fewer recent reports.
        for target in targets:
            target.expect_rows = None
    if only:
        unknown = set(only) - {t.name for t in targets}
        if unknown:
            raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name == "healthz" or t.name in only]
    return targets


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is a failure here (login, MFA)
        return None


def smoke_check(server, targets: list[Target]) -> None:
    """Every target answers 200 (no redirect) with the expected content and row count."""
    opener = urllib.request.build_opener(_NoRedirect)
    for target in targets:
        url = server.base_url + target.paths[0]
        request = urllib.request.Request(url, headers=target.headers)  # noqa: S310
        try:
            with opener.open(request, timeout=60) as response:
                body, status = response.read(), response.status
        except urllib.error.HTTPError as exc:
            where = exc.headers.get("Location", "")
            raise SystemExit(f"{target.name}: {url} answered {exc.code} {where}") from exc
        if status != 200:
            raise SystemExit(f"{target.name}: {url} answered {status}")
        text = body.decode()
        for expected in target.expect:
            if expected not in text:
                raise SystemExit(f"{target.name}: {url} does not contain {expected!r}")
        detail = ""
        if target.rows:
            rows = count_rows(target.rows, body)
            wanted = target.expect_rows
            if (wanted is None and rows < 1) or (wanted is not None and rows != wanted):
                raise SystemExit(f"{target.name}: {rows} rows, expected {wanted or '>= 1'}")
            target.result["rows"] = rows
            detail = f", {rows} rows"
        if target.name == "o311-requests-open":
            items = json.loads(body)
            assert all(item["status"] == "open" for item in items), "closed request listed"
        target.result["bytes_per_response"] = len(body)
        log(f"ok {target.name}: {target.paths[0]} -> {status}, {len(body)} bytes{detail}")


def count_queries(env: dict, targets: list[Target]) -> None:
    """SQL queries per request of each target and of its probe, through Django's test client
    in a separate process with the server's environment (CaptureQueriesContext)."""
    spec = [
        {
            "name": t.name,
            "path": t.paths[0],
            "probe": t.probe,
            "rows": t.rows or "json-list",
            "staff": t.staff,
        }
        for t in targets
        if t.name != "healthz"
    ]
    spec_file = SCRATCH / "query-targets.json"
    spec_file.write_text(json.dumps(spec))
    output = load.run(
        [sys.executable, str(HERE / "inprocess.py"), "queries", str(spec_file)],
        env=env,
        capture=True,
    )
    found = {item["name"]: item for item in json.loads(output.strip().splitlines()[-1])}
    for target in targets:
        item = found.get(target.name)
        if item is None:  # healthz: SELECT 1
            target.result.update({"queries": 1, "queries_detail": None})
            continue
        main, probe = item["main"], item.get("probe")
        target.result.update(
            {
                "queries": main["queries"],
                "queries_when_cached": main["queries_when_cached"],
                "queries_rows": main["rows"],
                "probe_queries": probe["queries"] if probe else None,
                "probe_rows": probe["rows"] if probe else None,
                "single_thread_ms": main["wall_ms"],
                "sql_ms": main["sql_ms"],
                "queries_detail": item,
            }
        )
        # N+1 shows as more queries for more rows. The probe may run one or two more (its
        # filters are validated against the database), never fewer.
        constant = probe is None or main["queries"] <= probe["queries"]
        target.result["queries_constant"] = constant
        log(
            f"{target.name}: {main['queries']} queries for {main['rows']} rows"
            + (f", probe {probe['queries']} for {probe['rows']} rows" if probe else "")
            + f", {main['wall_ms']:.1f} ms single-threaded ({main['sql_ms']:.1f} ms SQL)"
            + ("" if constant else "  <-- NOT CONSTANT")
        )
    (SCRATCH / "queries.json").write_text(json.dumps(list(found.values()), indent=2))


# --- Report -------------------------------------------------------------------------------------


def report(targets: list[Target], meta: dict, budget_ms: float) -> str:
    base = next(t for t in targets if t.name == "healthz").result
    data = meta["data"]
    lines = [
        f"Date: {meta['date']}  ",
        f"Machine: {meta['machine']['cores']} cores ({meta['machine']['cpu']}), "
        f"Python {meta['machine']['python']}  ",
        f"Code: {meta['source']}  ",
        f"Server: `parvis web` (gunicorn gthread), {meta['processes']} processes x "
        f"{meta['threads']} threads, config.settings.prod, database {meta['database']}, "
        f"cache {meta.get('cache', 'locmem (per process)')}" + "  ",
        f"Load: wrk, {meta['connections']} connections, {meta['wrk_threads']} wrk threads, "
        f"{meta['duration']} per target after {meta['warmup']} warm-up, same machine (loopback)  ",
        f"Data: `parvis demo` + {data['reports']:,} reports ({data['public_reports']:,} public in "
        f"all, {100 * data['open_share']:.0f}% open, {data['last_90_days']:,} in the last 90 "
        f"days), {data['events']:,} events, {data['followers']:,} followers  ",
        f"Command: `{meta['command']}`",
        "",
    ]
    if meta["static_stubs"]:
        lines += [
            "Warning: collectstatic (production settings) failed on missing source maps, "
            f"stubbed for this run: {', '.join(meta['static_stubs'])}.",
            "",
        ]
    lines += [
        "| target | path | req/s | p50 ms | p95 ms | p99 ms | errors | queries/req (rows) "
        "| probe queries (rows) | server CPU ms/req | bytes | p95 x healthz | req/s x healthz "
        "| CPU server/db/wrk/other % |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in targets:
        r = t.result
        p95_ratio = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("nan")
        rps_ratio = r["rps"] / base["rps"] if base["rps"] else float("nan")
        queries = f"{r.get('queries', '?')}" + (
            f" ({r['queries_rows']})" if r.get("queries_rows") is not None else ""
        )
        if r.get("queries_when_cached") is not None and r["queries_when_cached"] < r["queries"]:
            queries += f", {r['queries_when_cached']} cached"
        probe = (
            f"{r['probe_queries']} ({r['probe_rows']})"
            if r.get("probe_queries") is not None
            else "—"
        )
        # wrk records no latency for an answer slower than --timeout (it counts a timeout).
        late = r["requests"] and not r["p50_ms"] and r["error_detail"]["timeout"]
        p50, p95, p99 = (
            (f"> {meta['timeout']}",) * 3
            if late
            else (f"{r[k]:.1f}" for k in ("p50_ms", "p95_ms", "p99_ms"))
        )
        lines.append(
            f"| {t.name} | `{t.label}` | {r['rps']:.0f} | {p50} | {p95} "
            f"| {p99} | {r['errors']} | {queries} | {probe} "
            f"| {r['server_cpu_ms_per_request']:.1f} | {r.get('bytes_per_response', 0)} "
            f"| {p95_ratio:.1f} | {rps_ratio:.2f} "
            f"| {r['cpu_server_pct']:.0f}/{r['cpu_db_pct']:.0f}/{r['cpu_wrk_pct']:.0f}"
            f"/{r['cpu_other_pct']:.0f} |"
        )
    noisy = [t.name for t in targets if t.result["cpu_other_pct"] > 10]
    if noisy:
        lines += [
            "",
            f"Warning: other processes used more than 10% of the machine's CPU during "
            f"{', '.join(noisy)}: those figures are pessimistic (see the CPU column).",
        ]
    varying = [t.name for t in targets if t.result.get("queries_constant") is False]
    lines += [
        "",
        "Queries per request: "
        + (
            "constant for every target (the probe, the same view showing fewer rows, runs as "
            "many or more: its filters are looked up)."
            if not varying
            else f"NOT constant for {', '.join(varying)} (N+1)."
        ),
        "",
        f"Verdict (0 errors and p95 < {budget_ms:g} ms):",
        "",
    ]
    for t in targets:
        _holds, text = load.verdict(t, budget_ms)
        role = " (baseline)" if t.kind == "baseline" else ""
        lines.append(f"- {t.name}{role}: {text}")
    return "\n".join(lines)


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/reports/run.sh", description=__doc__.split("\n\n")[0]
    )
    duration = re.compile(r"^\d+[smh]?$")

    def wrk_duration(value: str) -> str:
        if not duration.match(value):
            raise argparse.ArgumentTypeError("a wrk duration such as 60s, 2m or 10")
        return value

    parser.add_argument("--duration", type=wrk_duration, default="60s", help="per target (60s)")
    parser.add_argument("--warmup", type=wrk_duration, default="5s", help="per target (5s)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--timeout", type=wrk_duration, default="5s", help="slower = error")
    parser.add_argument("--processes", type=int, default=2, help="gunicorn processes (2)")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per process (2, as `parvis web`)"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        help="scratch database (default var/bench-reports/bench.sqlite3, or "
        f"{DEFAULT_PG_URL} with --db postgres)",
    )
    parser.add_argument("--reset", action="store_true", help="recreate the scratch database")
    parser.add_argument(
        "--source",
        default="worktree",
        metavar="REV",
        help="code to serve: the working tree (default) or a git revision such as HEAD, exported "
        "to var/bench-reports/src-SHA (stable while others edit the tree)",
    )
    parser.add_argument("--reports", type=int, default=100_000, help="reports seeded (100000)")
    parser.add_argument("--targets", nargs="+", metavar="NAME", help="only these (healthz kept)")
    parser.add_argument("--p95-budget-ms", type=float, default=100.0)
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        metavar="SECONDS",
        help="before each target, wait up to this long for other processes to quiet down",
    )
    parser.add_argument("--json", type=Path, default=SCRATCH / "last-run.json")
    parser.add_argument("--markdown", type=Path, default=SCRATCH / "last-run.md")
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="prepare, smoke-check and count queries, but apply no load",
    )
    parser.add_argument("--keep-server", action="store_true", help="leave the server running")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="profile one path in-process on the existing scratch database and exit "
        "(paths under /t/ are fetched as the staff member)",
    )
    parser.add_argument("--pyinstrument", action="store_true", help="with --profile")
    parser.add_argument(
        "--cache-url",
        default="",
        help="the server's PARVIS_CACHE_URL, e.g. redis://127.0.0.1:6379/15 (flushed first): "
        "a deployment of several processes shares its cache in Redis (docs/operations.md); "
        "default: the per-process locmem cache",
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="with --profile: keep the caches between requests (what a warm server does)",
    )
    return parser.parse_args(argv)


def server_env(database_url: str, cache_url: str) -> dict:
    """bench/load's production environment, with the cache a deployment would share."""
    env = load.server_env(database_url)
    if cache_url:
        import redis

        redis.Redis.from_url(cache_url).flushdb()  # a cold cache, as a server just started
        env["PARVIS_CACHE_URL"] = cache_url
    return env


def profile(args, database_url: str) -> None:
    env = server_env(database_url, args.cache_url)
    cmd_args = [str(HERE / "inprocess.py"), "profile", args.profile]
    if args.profile.startswith("/t/"):
        cmd_args.append("--staff")
    if args.cached:
        cmd_args.append("--cached")
    cmd = [sys.executable, *cmd_args]
    if args.pyinstrument:
        uv = os.environ.get("UV", "uv")
        cmd = [uv, "run", f"--project={REPO}", "--frozen", "--quiet", "--with", "pyinstrument"]
        cmd += ["python", *cmd_args]
        cmd.append("--pyinstrument")
    subprocess.run(cmd, env=env, cwd=load.APP, check=True)  # noqa: S603


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or (
        f"sqlite:///{SCRATCH / 'bench.sqlite3'}" if args.db == "sqlite" else DEFAULT_PG_URL
    )
    if args.database_url and args.db == "sqlite" and not database_url.startswith("sqlite:"):
        raise SystemExit("--database-url is not SQLite: add --db postgres")
    if args.source != "worktree":
        load.APP = load.export_source(args.source)  # run() and Server use it as cwd
    if args.profile:
        profile(args, database_url)
        return
    wrk = load.ensure_wrk()
    source = load.describe_source(args.source)
    log(f"serving {source}")
    data = prepare_data(args, database_url)
    log(
        f"data: {data['reports']} reports ({data['statuses']}), {data['events']} events, "
        f"{data['validated']} validated"
    )
    stubs = load.collectstatic(database_url)
    # One secret key for the session and the server.
    env = server_env(database_url, args.cache_url)
    session = staff_session(env)
    log(f"staff session for {session['email']} ({session['cookie_name']}), MFA active")
    targets = build_targets(data, session["cookie"], args.targets)
    server = load.Server(
        env=env,
        port=load.free_port(),
        processes=args.processes,
        threads=args.threads,
        log_path=SCRATCH / "server.log",
    )

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        server.start()
        log(f"parvis web on {server.base_url}, workers {server.worker_pids()}")
        smoke_check(server, targets)
        count_queries(env, targets)
        if args.check_only:
            return
        for target in targets:
            load.measure(wrk, server, target, args)
    finally:
        if args.keep_server and server.process and server.process.poll() is None:
            log(f"server left running: {server.base_url}, stop it with: kill {server.process.pid}")
        else:
            server.stop()

    meta = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": load.machine(),
        "database": "SQLite (WAL)" if database_url.startswith("sqlite:") else "PostgreSQL",
        "processes": args.processes,
        "threads": args.threads,
        "cache": args.cache_url or "locmem (per process)",
        "connections": args.connections,
        "wrk_threads": args.wrk_threads,
        "duration": args.duration,
        "warmup": args.warmup,
        "timeout": args.timeout,
        "source": source,
        "static_stubs": stubs,
        "data": {k: v for k, v in data.items() if k != "sample_ids"},
        "command": "bench/reports/run.sh " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    text = report(targets, meta, args.p95_budget_ms)
    print(text)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(text + "\n")
    args.json.write_text(
        json.dumps(
            {
                "meta": meta,
                "targets": [
                    {"name": t.name, "kind": t.kind, "path": t.label, **t.result} for t in targets
                ],
            },
            indent=2,
            default=str,
        )
    )
    log(f"report: {args.markdown}, raw results: {args.json}")


if __name__ == "__main__":
    main()
