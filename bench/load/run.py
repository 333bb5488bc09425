"""Load benchmark of the public pages and API lists under `parvis web` (gunicorn, prod settings).

Not a test: run by hand from the repository root (see bench/load/README.md):

    bench/load/run.sh                      # SQLite, 60 s per target
    bench/load/run.sh --duration 10s       # quick run
    bench/load/run.sh --db postgres        # PostgreSQL 127.0.0.1:5432, database parvis_bench

Steps: prepare a scratch database (migrate, `parvis demo`, bench/load/scale.py), collectstatic into
a scratch STATIC_ROOT, start `parvis web` with production settings on a free loopback port, check
every target answers, then drive each target with wrk (32 connections, closed loop) from this
second process and print requests/s, p50/p95/p99 latency and errors, with ratios to the /healthz
baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCRATCH = REPO / "var" / "bench-load"
# The code that is served: the working tree, or an export of a commit (--source).
APP = REPO
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/parvis_bench"


@dataclass
class Target:
    name: str
    kind: str  # "baseline", "page" or "api"
    paths: list[str]
    note: str = ""
    result: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        path = self.paths[0]
        if len(self.paths) > 1:
            path = path.split("?")[0] + f"?… ({len(self.paths)} inputs)"
        return path


def log(message: str) -> None:
    print(f"[bench/load] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], *, env: dict, capture: bool = False) -> str:
    log("$ " + " ".join(cmd))
    completed = subprocess.run(  # noqa: S603 - our own commands
        cmd, env=env, cwd=APP, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return completed.stdout or ""


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607
        cwd=REPO,
        check=True,
        text=True,
        capture_output=True,
    ).stdout.strip()


def export_source(revision: str) -> Path:
    """The tree of a commit, exported once to var/bench-load/src-SHA (the working tree moves).

    The benchmark runs the exported code with this checkout's virtual environment; Python
    finds the exported `parvis` and `config` first because they are in the working directory.
    """
    sha = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    target = SCRATCH / f"src-{sha[:12]}"
    if not (target / "config" / "settings" / "prod.py").exists():
        log(f"exporting {revision} ({sha[:12]}) to {target.relative_to(REPO)}")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(  # noqa: S603
            ["git", "archive", "--format=tar", sha],  # noqa: S607
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout
        tar = ["tar", "-x", "-C", str(partial)]
        subprocess.run(tar, input=archive, check=True)  # noqa: S603
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


# --- Environment ------------------------------------------------------------------------------


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    log("wrk not found: installing the Debian package (apt-get install -y wrk)")
    apt = ["apt-get", "install", "-y", "wrk"]
    if os.geteuid() != 0:
        apt = ["sudo", *apt]
    if subprocess.run(apt, check=False).returncode != 0:  # noqa: S603
        subprocess.run([*apt[:-3], "update"], check=False)  # noqa: S603
        subprocess.run(apt, check=True)  # noqa: S603
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is still missing; install it (Debian/Ubuntu: apt-get install wrk)")
    return wrk


def base_env(database_url: str) -> dict:
    env = dict(os.environ)
    # Subprocesses must find this environment's `gunicorn` (parvis web looks it up on PATH).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        {
            "PARVIS_DATABASE_URL": database_url,
            "PARVIS_STATIC_ROOT": str(SCRATCH / "static"),
            "PARVIS_MEDIA_ROOT": str(SCRATCH / "media"),
            "PARVIS_TASK_DB": str(SCRATCH / "tasks.sqlite3"),
            "PARVIS_DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare_env(database_url: str) -> dict:
    """Settings for migrate / demo / scale: dev settings with demo mode on."""
    env = base_env(database_url)
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", "PARVIS_DEMO": "true"})
    return env


def server_env(database_url: str) -> dict:
    """Production settings, as a deployment would run them (minus HTTPS: we are on loopback)."""
    env = base_env(database_url)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "PARVIS_SECRET_KEY": secrets.token_urlsafe(50),
            "PARVIS_ALLOWED_HOSTS": "127.0.0.1",
            "PARVIS_SSL_REDIRECT": "false",
            "PARVIS_DEMO": "false",
            "PARVIS_LOG_LEVEL": "WARNING",
        }
    )
    return env


def postgres_database(url: str, *, reset: bool) -> None:
    """Create the scratch PostgreSQL database (dropping it first with --reset)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    name = info.get("dbname")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to use database {name!r} as the scratch database")
    admin = make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and reset:
            log(f"dropping PostgreSQL database {name}")
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
            exists = None
        if not exists:
            log(f"creating PostgreSQL database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def data_fingerprint(args, database_url: str) -> str:
    """What the scratch database was built from: migrations, demo seed, scale-up parameters."""
    import hashlib

    digest = hashlib.sha256(database_url.encode())
    files = sorted(APP.glob("parvis/*/migrations/*.py")) + sorted(APP.glob("parvis/demo/*.py"))
    files.append(HERE / "scale.py")
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    digest.update(f"{args.communes}/{args.districts}/{args.vertices}".encode())
    return digest.hexdigest()


def prepare_data(args, database_url: str) -> dict:
    env = prepare_env(database_url)
    fingerprint = data_fingerprint(args, database_url)
    marker = SCRATCH / f"data-{args.db}.fingerprint"
    reset = args.reset
    if not reset and marker.exists() and marker.read_text() != fingerprint:
        log("migrations, demo seed or scale-up changed since the scratch database was built: reset")
        reset = True
    marker.unlink(missing_ok=True)
    if args.db == "sqlite":
        db_file = Path(database_url.removeprefix("sqlite:///"))
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    else:
        postgres_database(database_url, reset=reset)
    parvis = [sys.executable, "-m", "parvis"]
    run([*parvis, "migrate", "--noinput", "-v", "0"], env=env)
    run([*parvis, "demo", "--quiet"], env=env)
    scale_args = [
        f"--communes={args.communes}",
        f"--districts={args.districts}",
        f"--vertices={args.vertices}",
    ]
    output = run([sys.executable, str(HERE / "scale.py"), *scale_args], env=env, capture=True)
    marker.write_text(fingerprint)
    return json.loads(output.strip().splitlines()[-1])


MISSING_FILE = re.compile(r"The file '([^']+\.map)' could not be found")


def collectstatic(database_url: str) -> list[str]:
    """collectstatic with the production storage (WhiteNoise's manifest needs it).

    If it fails only because a vendored file names a source map that is not shipped (a
    `sourceMappingURL` comment: the manifest storage rewrites it and refuses a missing
    target), the benchmark stubs that .map file in an extra static directory of its own and
    collects again, so the load run can go on. The stubs are returned and reported: that is
    a deployment bug of the application, to fix there.
    """
    stubs: list[str] = []
    stub_dir = SCRATCH / "static-stubs"
    shutil.rmtree(stub_dir, ignore_errors=True)
    env = server_env(database_url)
    cmd = [sys.executable, "-m", "parvis", "collectstatic", "--noinput", "--clear", "-v", "0"]
    for _attempt in range(20):
        log("$ " + " ".join(cmd))
        completed = subprocess.run(  # noqa: S603
            cmd, env=env, cwd=APP, text=True, capture_output=True, check=False
        )
        if completed.returncode == 0:
            return stubs
        missing = MISSING_FILE.search(completed.stderr)
        if not missing:
            sys.stderr.write(completed.stderr)
            raise SystemExit("collectstatic failed (production settings)")
        stubs.append(missing.group(1))
        log(f"WARNING: collectstatic: missing source map {missing.group(1)}; stubbing it")
        stub = stub_dir / missing.group(1)
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text('{"version": 3, "sources": [], "names": [], "mappings": ""}\n')
        # Same production settings, plus the stub directory as one more static source.
        env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "collectstatic_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(APP)]),
            "PARVIS_BENCH_STATIC_STUBS": str(stub_dir),
        }
    raise SystemExit("collectstatic: too many missing files")


def describe_source(source: str) -> str:
    if source == "worktree":
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = [
            line[3:]
            for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
            if line.strip()
        ]
        if dirty:
            return f"working tree at {commit} with uncommitted changes to {', '.join(dirty)}"
        return f"working tree at {commit} (clean)"
    return f"commit {git('rev-parse', '--short=12', source)} ({source}), exported"


# --- Server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`parvis web` in its own process group, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(
        self,
        *,
        env: dict,
        port: int,
        processes: int,
        threads: int,
        log_path: Path,
        what_if: list[str] | None = None,
    ):
        self.env, self.port, self.what_if = env, port, what_if or []
        self.processes, self.threads = processes, threads
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "parvis",
            "web",
            f"--bind=127.0.0.1:{self.port}",
            f"--processes={self.processes}",
            f"--threads={self.threads}",
        ]
        if self.what_if:
            # The same gunicorn command line as `parvis web` (parvis/core/management/commands/
            # web.py), with the application wrapped by the what-if patches.
            self.env = {**self.env, "PARVIS_BENCH_WHAT_IF": ",".join(self.what_if)}
            cmd = [
                str(Path(sys.executable).parent / "gunicorn"),
                "whatif_wsgi:application",
                f"--pythonpath={HERE}",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.processes}",
                f"--threads={self.threads}",
                "--worker-class=gthread",
                "--access-logfile=-",
                "--forwarded-allow-ips=*",
            ]
        log("$ " + " ".join(cmd) + f"  (log: {self.log_path.relative_to(REPO)})")
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            cmd,
            env=self.env,
            cwd=APP,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped as a whole, by its id
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"parvis web exited early; see {self.log_path}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response,  # noqa: S310
            ):
                if response.status == 200 and len(self.worker_pids()) >= self.processes:
                    return
            time.sleep(0.3)
        raise SystemExit(f"parvis web did not answer /healthz within 60 s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """gunicorn workers: the children of the master (parvis web execs into gunicorn)."""
        if self.process is None:
            return []
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds so far of the master and of each worker (Linux /proc)."""
        if self.process is None:
            return {}
        ticks = os.sysconf("SC_CLK_TCK")
        result = {}
        for pid in [self.process.pid, *self.worker_pids()]:
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                result[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return result

    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_process().values())

    def wait_idle(self, *, timeout: float = 60.0) -> None:
        """Wait until the workers have drained what an earlier wrk run left queued."""
        deadline = time.monotonic() + timeout
        previous = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            current = self.cpu_seconds()
            if current - previous < 0.02:
                return
            previous = current
        log("server still busy after the idle wait; measuring anyway")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        log(f"stopping parvis web (process group {self.process.pid})")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()


# --- Targets ----------------------------------------------------------------------------------


def build_targets(data: dict, only: list[str] | None) -> list[Target]:
    epci, commune = data["epci"], data["largest_commune"]
    locate = [
        f"/api/v1/territories/{epci}/locate?" + urlencode({"lat": lat, "lon": lon})
        for lat, lon in data["points"]
    ]
    targets = [
        Target("healthz", "baseline", ["/healthz"], "baseline: one SELECT 1"),
        Target("home", "page", ["/"], "every territory served"),
        Target("territory-epci", "page", [f"/t/{epci}/"], "intercommunality and its communes"),
        Target("territory-commune", "page", [f"/t/{commune}/"], "a commune and its districts"),
        Target("register", "page", ["/vie-privee/registre/"], "register of processing"),
        Target("legal", "page", ["/mentions-legales/"], "mentions légales"),
        Target("api-territories", "api", ["/api/v1/territories"], "every territory, JSON"),
        Target(
            "api-districts",
            "api",
            [f"/api/v1/territories/{commune}/districts"],
            "a commune's districts with their GeoJSON",
        ),
        Target("api-locate", "api", locate, "district of a point, over the whole EPCI"),
    ]
    if only:
        unknown = set(only) - {t.name for t in targets}
        if unknown:
            raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name == "healthz" or t.name in only]
    return targets


def smoke_check(server: Server, targets: list[Target], data: dict) -> None:
    """Every target answers 200 with the expected content before any load is applied."""
    for target in targets:
        url = server.base_url + target.paths[0]
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{target.name}: {url} answered {exc.code}") from exc
        if status != 200:
            raise SystemExit(f"{target.name}: {url} answered {status}")
        detail = ""
        if target.name == "api-territories":
            detail = f", {len(json.loads(body))} territories"
            assert len(json.loads(body)) == data["territories"], "territory list incomplete"
        elif target.name == "api-districts":
            detail = f", {len(json.loads(body))} districts"
        elif target.name == "api-locate":
            found = json.loads(body)["district"]
            detail = f", first point in district {found['code'] if found else None!r}"
        elif target.name == "home":
            assert data["largest_commune"].encode() in body, "home page misses the communes"
        target.result["bytes_per_response"] = len(body)
        log(f"ok {target.name}: {url} -> {status}, {len(body)} bytes{detail}")


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_quiet(server: Server, *, timeout: float, threshold: float = 10.0) -> float:
    """Wait (up to `timeout` s) for 2 s in which other processes use < threshold % of the CPU.

    Returns the share they used in the last window. Other processes (a test suite, a build)
    running on the machine would steal CPU from the server and make the figures pessimistic.
    """
    deadline = time.monotonic() + timeout
    cores = os.cpu_count() or 1
    waited = False
    while True:
        busy, own, started = machine_busy_seconds(), server.cpu_seconds(), time.monotonic()
        time.sleep(2)
        elapsed = time.monotonic() - started
        other = 100 * ((machine_busy_seconds() - busy) - (server.cpu_seconds() - own))
        other /= elapsed * cores
        if other < threshold or time.monotonic() >= deadline:
            if waited or other >= threshold:
                log(f"other processes use {other:.0f}% of the CPU; going on")
            return other
        if not waited:
            log(f"other processes use {other:.0f}% of the CPU: waiting up to {timeout:.0f} s")
            waited = True


def database_cpu_seconds() -> float:
    """CPU time so far of the local PostgreSQL server processes (0 when there are none).

    With SQLite the database works inside the server's threads; PostgreSQL's backends are
    separate processes, counted here so they are not mistaken for foreign load.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            if name in {"postgres", "postmaster"}:
                fields = text.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(wrk: str, server: Server, target: Target, *, duration: str, args) -> dict:
    paths_file = SCRATCH / f"paths-{target.name}.txt"
    paths_file.write_text("\n".join(target.paths) + "\n")
    cmd = [
        wrk,
        f"--threads={args.wrk_threads}",
        f"--connections={args.connections}",
        f"--duration={duration}",
        f"--timeout={args.timeout}",
        f"--script={HERE / 'report.lua'}",
        server.base_url + target.paths[0],
        "--",
        str(paths_file),
    ]
    output = subprocess.run(cmd, check=True, text=True, capture_output=True).stdout  # noqa: S603
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise SystemExit(f"wrk printed no result for {target.name}:\n{output}")


def measure(wrk: str, server: Server, target: Target, args) -> None:
    if args.warmup not in {"0", "0s"}:
        log(f"warm-up {target.name} ({args.warmup})")
        run_wrk(wrk, server, target, duration=args.warmup, args=args)
    server.wait_idle()
    if args.wait_quiet:
        wait_quiet(server, timeout=args.wait_quiet)
    log(f"measuring {target.name} ({args.duration}, {args.connections} connections)")
    by_process_before = server.cpu_by_process()
    cpu_before, wrk_before = sum(by_process_before.values()), children_cpu_seconds()
    db_before = database_cpu_seconds() if args.db == "postgres" else 0.0
    busy_before, started = machine_busy_seconds(), time.monotonic()
    raw = run_wrk(wrk, server, target, duration=args.duration, args=args)
    by_process = server.cpu_by_process()
    cpu = sum(by_process.values()) - cpu_before
    # Share of a core used by each worker: one Python process cannot use more than one core
    # (the GIL), so a worker near 100% while another idles means unbalanced connections.
    workers = sorted(
        (
            100 * (seconds - by_process_before.get(pid, 0.0)) / (raw["duration_us"] / 1e6)
            for pid, seconds in by_process.items()
            if pid != server.process.pid
        ),
        reverse=True,
    )
    wrk_cpu = children_cpu_seconds() - wrk_before
    db_cpu = database_cpu_seconds() - db_before if args.db == "postgres" else 0.0
    busy = machine_busy_seconds() - busy_before
    elapsed = time.monotonic() - started
    capacity = elapsed * (os.cpu_count() or 1)
    server.wait_idle()  # what wrk left queued does not belong to the next target
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    target.result.update(
        {
            "requests": raw["requests"],
            "seconds": round(seconds, 2),
            "rps": raw["requests"] / seconds if seconds else 0.0,
            "p50_ms": raw["latency_us"]["p50"] / 1000,
            "p90_ms": raw["latency_us"]["p90"] / 1000,
            "p95_ms": raw["latency_us"]["p95"] / 1000,
            "p99_ms": raw["latency_us"]["p99"] / 1000,
            "max_ms": raw["latency_us"]["max"] / 1000,
            "errors_status": errors["status"],
            "errors_socket": socket_errors,
            "errors": errors["status"] + socket_errors,
            "error_detail": errors,
            "server_cpu_ms_per_request": 1000 * cpu / raw["requests"] if raw["requests"] else 0,
            # Shares of the machine's CPU capacity during the measurement: the server, wrk, and
            # everything else (other processes on the machine: noise, should be ~0).
            "cpu_server_pct": 100 * cpu / capacity,
            "cpu_db_pct": 100 * db_cpu / capacity,
            "worker_core_pct": [round(w) for w in workers],
            "cpu_wrk_pct": 100 * wrk_cpu / capacity,
            "cpu_other_pct": max(0.0, 100 * (busy - cpu - db_cpu - wrk_cpu) / capacity),
        }
    )
    r = target.result
    log(
        f"{target.name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
        f"p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, {r['errors']} errors"
    )


# --- Report -----------------------------------------------------------------------------------


def machine() -> dict:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def verdict(target: Target, budget_ms: float) -> tuple[bool, str]:
    r = target.result
    problems = []
    if not r["requests"]:
        problems.append("no request completed within the --timeout")
    if r["errors"]:
        problems.append(
            f"{r['errors']} errors ({r['errors_status']} HTTP >= 400, {r['errors_socket']} socket)"
        )
    if r["p95_ms"] >= budget_ms:
        problems.append(f"p95 {r['p95_ms']:.1f} ms >= {budget_ms:g} ms")
    if problems:
        return False, "FAILS: " + "; ".join(problems)
    return True, f"holds: 0 errors, p95 {r['p95_ms']:.1f} ms < {budget_ms:g} ms"


def report(targets: list[Target], meta: dict, budget_ms: float) -> str:
    base = next(t for t in targets if t.name == "healthz").result
    lines = [
        f"Date: {meta['date']}  ",
        f"Machine: {meta['machine']['cores']} cores ({meta['machine']['cpu']}), "
        f"Python {meta['machine']['python']}  ",
        f"Code: {meta['source']}  ",
        f"Server: `parvis web` (gunicorn gthread), {meta['processes']} processes x "
        f"{meta['threads']} threads, config.settings.prod, database {meta['database']}"
        + (f", what-if patches: {', '.join(meta['what_if'])}" if meta["what_if"] else "")
        + (f", GUNICORN_CMD_ARGS={meta['gunicorn_args']!r}" if meta["gunicorn_args"] else "")
        + "  ",
        f"Load: wrk, {meta['connections']} connections, {meta['wrk_threads']} wrk threads, "
        f"{meta['duration']} per target after {meta['warmup']} warm-up, same machine (loopback)  ",
        f"Data: {meta['data']['territories']} territories, {meta['data']['districts']} districts "
        f"({meta['communes']} communes x {meta['districts']} districts added, "
        f"{meta['vertices']} points per district border)  ",
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
        "| target | path | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req "
        "| bytes | p95 x healthz | req/s x healthz | CPU server/db/wrk/other % "
        "| % of a core per worker |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in targets:
        r = t.result
        p95_ratio = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("nan")
        rps_ratio = r["rps"] / base["rps"] if base["rps"] else float("nan")
        lines.append(
            f"| {t.name} | `{t.label}` | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['errors']} | {r['server_cpu_ms_per_request']:.1f} "
            f"| {r.get('bytes_per_response', 0)} | {p95_ratio:.1f} | {rps_ratio:.2f} "
            f"| {r['cpu_server_pct']:.0f}/{r['cpu_db_pct']:.0f}/{r['cpu_wrk_pct']:.0f}"
            f"/{r['cpu_other_pct']:.0f} | {'/'.join(str(w) for w in r['worker_core_pct'])} |"
        )
    noisy = [t.name for t in targets if t.result["cpu_other_pct"] > 10]
    if noisy:
        lines += [
            "",
            f"Warning: other processes used more than 10% of the machine's CPU during "
            f"{', '.join(noisy)}: those figures are pessimistic (see the CPU column).",
        ]
    lines += ["", f"Verdict (0 errors and p95 < {budget_ms:g} ms):", ""]
    for t in targets:
        _holds, text = verdict(t, budget_ms)
        role = " (baseline)" if t.kind == "baseline" else ""
        lines.append(f"- {t.name}{role}: {text}")
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/load/run.sh", description=__doc__.split("\n\n")[0])
    duration = re.compile(r"^\d+[smh]?$")

    def wrk_duration(value: str) -> str:
        if not duration.match(value):
            raise argparse.ArgumentTypeError("a wrk duration such as 60s, 2m or 10")
        return value

    parser.add_argument("--duration", type=wrk_duration, default="60s", help="per target (60s)")
    parser.add_argument("--warmup", type=wrk_duration, default="5s", help="per target (5s)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--timeout", type=wrk_duration, default="5s", help="wrk socket timeout: slower = error"
    )
    parser.add_argument("--processes", type=int, default=2, help="gunicorn processes (2)")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per process (2, as `parvis web`)"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        help="scratch database (default var/bench-load/bench.sqlite3, or "
        f"{DEFAULT_PG_URL} with --db postgres); it is migrated and seeded",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="recreate the scratch database (done by itself when migrations, the demo seed or "
        "the scale-up change)",
    )
    parser.add_argument(
        "--source",
        default="worktree",
        metavar="REV",
        help="code to serve: the working tree (default) or a git revision such as HEAD, "
        "exported to var/bench-load/src-SHA (stable while others edit the tree)",
    )
    parser.add_argument("--communes", type=int, default=60, help="communes added (60)")
    parser.add_argument("--districts", type=int, default=8, help="districts per commune (8)")
    parser.add_argument("--vertices", type=int, default=32, help="points per district border")
    parser.add_argument("--targets", nargs="+", metavar="NAME", help="only these (healthz kept)")
    parser.add_argument("--p95-budget-ms", type=float, default=100.0)
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        metavar="SECONDS",
        help="before each target, wait up to this long for other processes to use < 10%% "
        "of the CPU (0: do not wait)",
    )
    parser.add_argument(
        "--json", type=Path, default=SCRATCH / "last-run.json", help="raw results file"
    )
    parser.add_argument(
        "--what-if",
        type=lambda value: [name.strip() for name in value.split(",") if name.strip()],
        metavar="NAME[,NAME]",
        help="serve with candidate fixes applied (bench/load/whatif.py): defer-boundary, "
        "locate-cache; the app's code is not modified",
    )
    parser.add_argument(
        "--gunicorn-args",
        default="",
        metavar="ARGS",
        help="extra gunicorn settings passed through GUNICORN_CMD_ARGS (parvis web has no flag "
        "for them), e.g. '--worker-connections=16'",
    )
    parser.add_argument(
        "--keep-server",
        action="store_true",
        help="leave the server running after the run (to profile it); prints its URL and PID",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    if args.connections < args.wrk_threads:
        raise SystemExit("--connections must be >= --wrk-threads")
    database_url = args.database_url or (
        f"sqlite:///{SCRATCH / 'bench.sqlite3'}" if args.db == "sqlite" else DEFAULT_PG_URL
    )
    if args.database_url and args.db == "sqlite" and not database_url.startswith("sqlite:"):
        raise SystemExit("--database-url is not SQLite: add --db postgres")
    wrk = ensure_wrk()
    global APP
    if args.source != "worktree":
        APP = export_source(args.source)
        where = run(
            [
                sys.executable,
                "-c",
                "import parvis, config; print(parvis.__file__, config.__file__)",
            ],
            env=base_env(database_url),
            capture=True,
        )
        if any(not Path(path).is_relative_to(APP) for path in where.split()):
            raise SystemExit(f"the exported code is not the one imported: {where}")
    source = describe_source(args.source)
    log(f"serving {source}")
    data = prepare_data(args, database_url)
    stubs = collectstatic(database_url)
    targets = build_targets(data, args.targets)

    env = server_env(database_url)
    if args.gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = args.gunicorn_args
    server = Server(
        env=env,
        port=free_port(),
        processes=args.processes,
        threads=args.threads,
        log_path=SCRATCH / "server.log",
        what_if=args.what_if,
    )

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        server.start()
        log(f"parvis web on {server.base_url}, workers {server.worker_pids()}")
        smoke_check(server, targets, data)
        for target in targets:
            measure(wrk, server, target, args)
    finally:
        if args.keep_server and server.process and server.process.poll() is None:
            log(f"server left running: {server.base_url}, stop it with: kill {server.process.pid}")
        else:
            server.stop()

    meta = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "database": "SQLite (WAL)" if database_url.startswith("sqlite:") else "PostgreSQL",
        "processes": args.processes,
        "threads": args.threads,
        "connections": args.connections,
        "wrk_threads": args.wrk_threads,
        "duration": args.duration,
        "warmup": args.warmup,
        "what_if": args.what_if or [],
        "gunicorn_args": args.gunicorn_args,
        "source": source,
        "static_stubs": stubs,
        "communes": args.communes,
        "districts": args.districts,
        "vertices": args.vertices,
        "data": {"territories": data["territories"], "districts": data["districts"]},
        "command": "bench/load/run.sh " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    text = report(targets, meta, args.p95_budget_ms)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "meta": meta,
                "targets": [
                    {"name": t.name, "kind": t.kind, "path": t.label, **t.result} for t in targets
                ],
            },
            indent=2,
        )
    )
    log(f"raw results: {args.json}")


if __name__ == "__main__":
    main()
