"""Ingestion benchmark: SenML over MQTT QoS 1 -> `parvis ingest` -> PostgreSQL, against raw COPY.

Not a test: run by hand from the repository root (see bench/ingest/README.md):

    bench/ingest/run.sh                         # 10,000 obs/s offered for 30 s, a consumer a core
    bench/ingest/run.sh --rate 20000 --duration 20 --consumers 3

Steps: a scratch PostgreSQL database is migrated and given `--devices` air-quality stations
(5 datastreams each); `--consumers` processes of `parvis ingest` join a shared subscription.
Packs hold 10 records (5 properties at 2 times).

0. Warm-up (not measured): one pack per device, so consumers have their device directory
   loaded, as a consumer that has been running has.
1. Latency: the publisher offers `--rate` observations/s for `--duration` s with QoS 1; one
   pack in 20 is a probe whose rows a poller looks for every 10 ms: publish-to-queryable
   latency, p50 and p99.
2. Throughput: `--throughput-observations` are published as fast as they are stored, closed
   loop (at most `--window` packs published and not yet stored, so the broker's per-client
   queue never overflows; by default enough for a full batch, 500 messages, at every consumer
   connection); end-to-end = observations stored / time from the first publish to the last
   row queryable.
3. Baseline: the table is emptied and the very same rows of phase 2 are written with one raw
   COPY, three times, in the same run on the same machine; the best of the three counts. The
   ratio compares the platform with what PostgreSQL alone takes.

The last line is:

    ingest: <N> obs/s end-to-end, COPY <M> rows/s, ratio <R>, p99 latency <L> ms
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from mqttload import RawPublisher, publish_packet

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/parvis_bench_ingest"
PROPERTIES = ("no2", "pm10", "pm25", "o3", "temperature")
PROBE_EVERY = 20
PROGRESS_EVERY = 0.02  # seconds between the consumers' progress lines


def django_setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["PARVIS_DATABASE_URL"] = database_url
    os.environ.setdefault("PARVIS_LOG_LEVEL", "WARNING")
    os.environ["PARVIS_DEBUG"] = "false"  # as deployed: no SQL recorded per query
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(devices: int) -> dict[str, tuple[str, dict[str, int]]]:
    """Migrate, create a territory and the stations; returns key -> (token, datastream ids)."""
    from django.core.management import call_command

    from parvis.sensors.choices import DeviceKind
    from parvis.sensors.services import thing_register
    from parvis.testing.factories import TerritoryFactory

    call_command("migrate", verbosity=0)
    territory = TerritoryFactory(name="Bench", slug="bench")
    stations = {}
    for index in range(devices):
        thing, token = thing_register(
            territory=territory,
            key=f"bench-{index:05d}",
            kind=DeviceKind.AIR_QUALITY,
            name=f"Station {index}",
            latitude=47.0 + index * 1e-4,
            longitude=4.8,
            operator="Bench",
            purpose="Bench",
        )
        stations[thing.key] = (token, {s.senml_name: s.pk for s in thing.datastreams.all()})
    return stations


def packs(stations, count: int, start: float):
    """`count` packs of 10 records, devices in turn, each device's times moving forward."""
    keys = sorted(stations)
    for index in range(count):
        key = keys[index % len(keys)]
        round_ = index // len(keys)
        base = start + round_ * 2  # two instants per pack, never reused by the device
        yield (
            key,
            [{"bn": f"{key}:", "bt": base, "bu": "ug/m3", "n": "no2", "v": 20.0 + index % 7}]
            + [{"n": prop, "v": 10.0 + (index + i) % 9} for i, prop in enumerate(PROPERTIES[1:4])]
            + [{"n": "temperature", "u": "Cel", "v": 12.5}]
            + [
                {"n": prop, "t": 1, "v": 11.0 + (index + i) % 5}
                for i, prop in enumerate(PROPERTIES[:4])
            ]
            + [{"n": "temperature", "t": 1, "u": "Cel", "v": 12.0}],
        )


def rows_of(stations, key, pack):
    streams = stations[key][1]
    base = pack[0]["bt"]
    return [(streams[r["n"]], base + r.get("t", 0), r["v"]) for r in pack]


def start_consumers(
    count: int, database_url: str, group: str, connections: int = 1, counter=None
) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "PARVIS_DATABASE_URL": database_url,
        "PARVIS_LOG_LEVEL": "WARNING",
        "PARVIS_DEBUG": "false",  # as deployed: no SQL recorded per query
    }
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                *(sys.executable, "-m", "parvis", "ingest", "--group", group),
                *("--client-id", client, "--connections", str(connections)),
                *("--progress", str(PROGRESS_EVERY)),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for client in (f"{group}-{index}" for index in range(count))
    ]
    # Publishing before the broker has the subscriptions would lose messages: wait for each
    # consumer's "Subscribed" line (its output is echoed here).
    ready = [threading.Event() for _ in processes]

    def echo(index: int, process: subprocess.Popen, event: threading.Event) -> None:
        for line in process.stdout:
            if line.startswith("Progress: "):
                if counter is not None:
                    counter.report(index, json.loads(line.removeprefix("Progress: "))["stored"])
                continue
            print(line, end="", flush=True)
            if line.startswith("Subscribed"):
                event.set()

    for index, (process, event) in enumerate(zip(processes, ready, strict=True)):
        threading.Thread(target=echo, args=(index, process, event), daemon=True).start()
    for event in ready:
        if not event.wait(60):
            raise SystemExit("a consumer did not subscribe within 60 s")
    return processes


class Poller(threading.Thread):
    """Finds probe rows as soon as they are queryable; records when."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        import psycopg

        self.connection = psycopg.connect(database_url, autocommit=True)
        self.pending: dict[tuple[int, dt.datetime], float] = {}
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.done = threading.Event()

    def expect(self, datastream_id: int, when: float, published: float) -> None:
        with self.lock:
            self.pending[(datastream_id, dt.datetime.fromtimestamp(when, tz=dt.UTC))] = published

    def run(self) -> None:
        while not self.done.is_set():
            with self.lock:
                keys = list(self.pending)[:50]  # the oldest probes: rows arrive in order
            if keys:
                found = self.connection.execute(
                    "SELECT datastream_id, phenomenon_time FROM sensors_observation "
                    "WHERE (datastream_id, phenomenon_time) IN "
                    "(SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]))",
                    ([k[0] for k in keys], [k[1] for k in keys]),
                ).fetchall()
                now = time.perf_counter()
                with self.lock:
                    for key in found:
                        published = self.pending.pop(key, None)
                        if published is not None:
                            self.latencies.append(now - published)
            time.sleep(0.01)


class Counter:
    """Observations stored so far, from the consumers' `--progress` lines (the closed-loop
    publisher's feedback and the end of the throughput phase).

    Each consumer prints its counts every PROGRESS_EVERY seconds; "stored" counts rows once
    their transaction committed, so they are queryable. Polling the database instead cost a
    tenth of a core (a query every 20 ms); the table itself is counted once at the end of each
    phase, to check that every observation was stored exactly once.
    """

    def __init__(self) -> None:
        self._stored: dict[int, int] = {}

    def report(self, consumer: int, stored: int) -> None:
        self._stored[consumer] = stored

    @property
    def stored(self) -> int:
        return sum(self._stored.values())


def count_rows(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM sensors_observation").fetchone()[0]


def rollups_caught_up(database_url: str, timeout: float = 60.0) -> tuple[float, int]:
    """Wait until no observation is pending a rollup merge; returns the seconds waited and
    the observations the daily rollups count (every stored one, when the merges are exact)."""
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.perf_counter() - began < timeout:
            pending = connection.execute(
                "SELECT count(*) FROM sensors_observation_pending"
            ).fetchone()[0]
            if not pending:
                break
            time.sleep(0.05)
        waited = time.perf_counter() - began
        counted = connection.execute(
            "SELECT coalesce(sum(count), 0) FROM sensors_rollup WHERE resolution = 'day'"
        ).fetchone()[0]
    return waited, counted


def checkpoint(database_url: str) -> None:
    """Flush PostgreSQL's dirty pages now, so that no measured phase pays for an earlier
    one's (a checkpoint falling inside one COPY made it a third slower than the next)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def publish(stations, *, total: int, start: float, rate=None, poller=None, counter=None, window=0):
    """Publish `total` packs: at `rate` observations/s, or closed-loop with at most `window`
    packs published and not yet stored (so the broker's per-client queue, 1,000 messages by
    default in Mosquitto, never overflows). Returns (packs, first publish time, seconds).

    The packets are encoded before the clock starts and written raw (`mqttload`): the load
    generator must not take the CPU the platform needs."""
    sent = list(packs(stations, total, start))
    packets = [
        publish_packet(
            f"parvis/devices/{key}/senml",
            json.dumps(pack).encode(),
            packet_id=index % 65535 + 1,
            token=stations[key][0],
        )
        for index, (key, pack) in enumerate(sent)
    ]
    publisher = RawPublisher(client_id=f"bench-publisher-{uuid.uuid4().hex[:6]}")
    stored_before = counter.stored if counter else 0
    done = 0
    first = time.perf_counter()
    while done < total:
        if rate:
            due = min(total, int((time.perf_counter() - first) * rate / 10) + 1)
        else:
            due = min(total, (counter.stored - stored_before) // 10 + window)
        if due <= done:
            time.sleep(0.0005)
            continue
        now = time.perf_counter()
        publisher.send(packets[done:due])
        if poller is not None:
            for index in range(done, due):
                if index % PROBE_EVERY == 0:
                    key, pack = sent[index]
                    poller.expect(stations[key][1]["no2"], pack[0]["bt"], now)
        done = due
    publisher.wait_acked(60)
    published_in = time.perf_counter() - first
    publisher.close()
    return sent, first, published_in


def wait_stored(counter: Counter, expected: int, timeout: float = 120) -> int:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and counter.stored < expected:
        time.sleep(0.01)
    return counter.stored


COPY_RUNS = 3


def copy_baseline(database_url: str, rows: list[tuple[int, float, float]]) -> list[float]:
    """COPY_RUNS raw COPYs of the same rows into the emptied table, each after a checkpoint,
    in rows/s. The best counts: one COPY moved by ±15% from run to run on a shared host, and
    the ratio with it; the best of three is the least disturbed, and the hardest baseline for
    the platform."""
    return [_copy_once(database_url, rows) for _ in range(COPY_RUNS)]


def _copy_once(database_url: str, rows: list[tuple[int, float, float]]) -> float:
    """Empty the table and COPY the same rows into it in one transaction; returns rows/s."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        connection.execute("TRUNCATE sensors_observation")
        connection.commit()
        connection.execute("CHECKPOINT")
        connection.commit()
        values = [(ds, dt.datetime.fromtimestamp(t, tz=dt.UTC), v, 0) for ds, t, v in rows]
        began = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY sensors_observation (datastream_id, phenomenon_time, value, quality) "
                "FROM STDIN"
            ) as copy,
        ):
            for row in values:
                copy.write_row(row)
        connection.commit()
        return len(values) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_PG_URL)
    parser.add_argument("--rate", type=float, default=10_000, help="Observations/s offered.")
    parser.add_argument("--duration", type=float, default=30, help="Seconds of publishing.")
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument(
        "--consumers",
        type=int,
        default=os.cpu_count() or 1,
        help="parvis ingest processes (default: one per core, as deployed).",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=2,
        help="Broker connections of each consumer (parvis ingest --connections).",
    )
    parser.add_argument(
        "--throughput-observations",
        type=int,
        default=300_000,
        help="Observations of the throughput phase.",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=None,
        help="Packs in flight in the throughput phase (default: a full batch of 500 messages "
        "for every consumer connection, 500 x consumers x connections).",
    )
    args = parser.parse_args()
    if args.window is None:
        args.window = 500 * args.consumers * args.connections

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    recreate_database(args.database_url)
    django_setup(args.database_url)
    stations = prepare(args.devices)
    print(
        f"{args.devices} stations, {5 * args.devices} datastreams; {args.consumers} x parvis "
        f"ingest --connections {args.connections}"
    )
    # A group of its own: persistent sessions of other consumers on this broker (a stopped
    # `parvis run`, say) would otherwise be given their share of the messages.
    group = f"bench-{uuid.uuid4().hex[:8]}"
    counter = Counter()
    consumers = start_consumers(
        args.consumers, args.database_url, group, args.connections, counter=counter
    )
    poller = Poller(args.database_url)
    poller.start()
    start = time.time() - 20 * 86400  # history: no record is in the future
    try:
        # 0. Warm-up, not measured: one pack per device, so each consumer has loaded its device
        # directory and PostgreSQL its partitions, as on a consumer that has been running.
        publish(
            stations, total=len(stations), start=start - 15 * 86400, counter=counter, window=200
        )
        warm = wait_stored(counter, 10 * len(stations))
        # 1. Latency at the offered rate.
        latency_packs = int(args.rate * args.duration / 10)
        _offered, first, published_in = publish(
            stations, total=latency_packs, start=start, rate=args.rate, poller=poller
        )
        stored_a = wait_stored(counter, warm + 10 * latency_packs) - warm
        elapsed_a = time.perf_counter() - first
        time.sleep(0.2)
        poller.done.set()
        in_table_a = count_rows(args.database_url)
        # 2. Throughput: as fast as the platform stores, closed loop.
        checkpoint(args.database_url)
        base = counter.stored
        total = int(args.throughput_observations / 10)
        sent, first, _ = publish(
            stations,
            total=total,
            start=start - 10 * 86400,
            counter=counter,
            window=args.window,
        )
        stored_b = wait_stored(counter, base + 10 * total) - base
        elapsed_b = time.perf_counter() - first
        in_table_b = count_rows(args.database_url)
        merge_lag, in_rollups = rollups_caught_up(args.database_url)
    finally:
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(10)
    end_to_end = stored_b / elapsed_b
    rows = [row for key, pack in sent for row in rows_of(stations, key, pack)]
    copy_rates = copy_baseline(args.database_url, rows)
    copy_rate = max(copy_rates)
    latencies = sorted(poller.latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    # Exactly once: what the consumers stored, and what the table holds, are what was published.
    expected_a = 10 * (len(stations) + latency_packs)
    once_a = stored_a == 10 * latency_packs and in_table_a == expected_a
    once_b = stored_b == 10 * total and in_table_b == expected_a + 10 * total
    rollups_exact = in_rollups == in_table_b
    print()
    print("| measure | value |")
    print("|---|---|")
    print(
        f"| latency phase: offered | {args.rate:,.0f} obs/s for {args.duration:g} s "
        f"({10 * latency_packs:,} obs in {latency_packs:,} packs of 10), "
        f"published in {published_in:.1f} s |"
    )
    print(f"| latency phase: stored | {stored_a:,} obs in {elapsed_a:.1f} s (all: {once_a}) |")
    print(
        f"| publish-to-queryable latency p50 / p99 | {p50:.0f} / {p99:.0f} ms "
        f"({len(latencies)} probes) |"
    )
    print(
        f"| throughput phase: stored | {stored_b:,} of {10 * total:,} obs (all: {once_b}), "
        f"closed loop, window {args.window} packs |"
    )
    print(f"| end-to-end (MQTT QoS 1 -> parvis ingest -> PostgreSQL) | {end_to_end:,.0f} obs/s |")
    print(
        f"| rollups and latest values (merged by the consumers every second) | caught up "
        f"{merge_lag:.1f} s after the last row; daily rollups count {in_rollups:,} obs "
        f"(all: {rollups_exact}) |"
    )
    print(
        f"| raw COPY, same rows, same table (best of {COPY_RUNS}) | {copy_rate:,.0f} rows/s "
        f"({', '.join(f'{rate:,.0f}' for rate in copy_rates)}) |"
    )
    print()
    if not (once_a and once_b):
        print("ERROR: observations missing (see the broker log: queue limits?)")
    if not rollups_exact:
        print("ERROR: the rollups do not count every stored observation once")
    print(
        f"ingest: {end_to_end:,.0f} obs/s end-to-end, COPY {copy_rate:,.0f} rows/s, "
        f"ratio {end_to_end / copy_rate:.2f}, p99 latency {p99:.0f} ms"
    )


if __name__ == "__main__":
    main()
