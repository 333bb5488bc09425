"""Query benchmark: latest values and series of the sensors domain at 50M observations.

Not a test: run by hand from the repository root (see bench/queries/README.md):

    bench/queries/run.sh                         # 2,000 stations, 50M observations (~12 min)
    bench/queries/run.sh --reuse                 # measure again on the database already loaded
    bench/queries/run.sh --observations 1000000  # a quick try
    bench/queries/run.sh --reuse --explain       # with EXPLAIN (ANALYZE, BUFFERS) of each query

Issue 5's targets, at 50M observations: the latest values of 10,000 datastreams in < 100 ms,
one year of hourly values of one datastream in < 50 ms (judged on p95).

Load: a scratch PostgreSQL database is migrated and given `--stations` air-quality stations
(`thing_register`, 5 datastreams each). Observations are written with one binary COPY into the
partitioned `sensors_observation`, in time order (all datastreams at 15-minute steps, as
ingestion would have stored them): `--observations` spread over the datastreams, the last
~52 days at 50M, plus a full year of raw values for `--year-streams` of them. The hourly and
daily rollups ingestion would have kept are built with set-based SQL, the latest values with
`store.latest_update`; then VACUUM ANALYZE. The load is kept for `--reuse`.

Measure: each query `--repeat` times after `--warmup` runs, the SQL the selector sends replayed
as is (rows as tuples) and the selector itself (Python objects), each against a baseline
computed from raw observations in the same run; "candidate" rows measure the changes
bench/queries/results.md proposes where a target is missed. The last line is:

    queries: latest 10k <X> ms (target 100), year hourly <Y> ms (target 50)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/parvis_bench_queries"
PROPERTIES = ("no2", "pm10", "pm25", "o3", "temperature")
STEP = dt.timedelta(minutes=15)
YEAR_STEPS = 365 * 96
CHUNK_STEPS = 48
LATEST_TARGET_MS = 100
YEAR_TARGET_MS = 50
META_TABLE = "bench_queries_load"
SERVER_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "jit",
    "max_parallel_workers_per_gather",
    "autovacuum",
)
LOAD_VERSION = 2  # bumped when the load changes: --reuse then loads again
PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# One row of PostgreSQL's binary COPY: field count, then (length, big-endian value) per column.
COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("ds_len", ">i4"),
        ("ds", ">i8"),
        ("t_len", ">i4"),
        ("t", ">i8"),
        ("v_len", ">i4"),
        ("v", ">f8"),
        ("q_len", ">i4"),
        ("q", ">i2"),
    ]
)
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"


def django_setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["PARVIS_DATABASE_URL"] = database_url
    os.environ.setdefault("PARVIS_LOG_LEVEL", "WARNING")
    # As in production: no query log kept by Django's cursor.
    os.environ.setdefault("PARVIS_DEBUG", "false")
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


def loaded(database_url: str) -> dict | None:
    """What the scratch database holds (the record of its last complete load), or None."""
    import psycopg

    try:
        with psycopg.connect(database_url) as connection:
            if connection.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()[0] is None:
                return None
            row = connection.execute(f"SELECT params FROM {META_TABLE}").fetchone()  # noqa: S608
    except psycopg.OperationalError:
        return None
    return row[0] if row else None


def free_bytes(database_url: str) -> int | None:
    """Free space where PostgreSQL keeps its data (when that directory is visible here)."""
    import psycopg

    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres") as connection:
        try:
            path = connection.execute("SHOW data_directory").fetchone()[0]
        except psycopg.Error:
            return None
    return shutil.disk_usage(path).free if os.path.isdir(path) else None


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Streams:
    """The datastreams of the bench territory, in id order, with the property each observes."""

    territory_id: int
    ids: np.ndarray
    codes: list[str]
    year: np.ndarray  # positions (in `ids`) of the datastreams given a year of raw values


def prepare(stations: int, year_streams: int) -> Streams:
    """Migrate, create a territory and its stations through the service that registers them."""
    from django.core.management import call_command

    from parvis.sensors.choices import DeviceKind
    from parvis.sensors.services import thing_register
    from parvis.testing.factories import TerritoryFactory

    call_command("migrate", verbosity=0)
    territory = TerritoryFactory(name="Bench", slug="bench")
    for index in range(stations):
        thing_register(
            territory=territory,
            key=f"bench-{index:05d}",
            kind=DeviceKind.AIR_QUALITY,
            name=f"Station {index:05d}",
            latitude=45.0 + (index % 100) * 1e-2,
            longitude=4.0 + (index // 100) * 1e-2,
            operator="Bench",
            purpose="Bench",
        )
    return streams_of(territory.pk, stations, year_streams)


def streams_of(territory_id: int, stations: int, year_streams: int) -> Streams:
    from parvis.sensors.models import Datastream

    rows = list(
        Datastream.objects.filter(territory_id=territory_id)
        .order_by("pk")
        .values_list("pk", "senml_name")
    )
    ids = np.array([pk for pk, _ in rows], dtype=np.int64)
    codes = [code for _, code in rows]
    # The NO2 datastream of evenly spread stations: they get a year of raw values.
    every = max(1, stations // year_streams)
    no2 = [position for position, code in enumerate(codes) if code == "no2"]
    year = np.array(no2[::every][:year_streams], dtype=np.int64)
    return Streams(territory_id, ids, codes, year)


class Weather:
    """Plausible values for air-quality datastreams, one 15-minute step at a time.

    Each station has its own level per pollutant (traffic stations see more NO2); values follow
    daily (rush hours for NO2, afternoon for ozone), weekly and seasonal cycles, times a slowly
    wandering AR(1) noise per datastream. Rounded to 0.1 as stations report them.
    """

    LEVELS = {"no2": (12, 45), "pm10": (12, 28), "pm25": (6, 16), "o3": (40, 70)}

    def __init__(self, codes: list[str], seed: int) -> None:
        from parvis.sensors.catalogue import PROPERTIES as PROPERTY_SPECS

        self.rng = np.random.default_rng(seed)
        self.prop = np.array([PROPERTIES.index(code) for code in codes])
        self.level = np.ones(len(codes))
        for code, (low, high) in self.LEVELS.items():
            mask = self.prop == PROPERTIES.index(code)
            self.level[mask] = self.rng.uniform(low, high, mask.sum())
        temperature = self.prop == PROPERTIES.index("temperature")
        self.level[temperature] = self.rng.normal(0, 1.0, temperature.sum())
        self.temperature = temperature
        self.noise = self.rng.normal(0, 0.3, len(codes))
        expected = [PROPERTY_SPECS[code].expected for code in codes]
        self.expected_min = np.array([low for low, _ in expected], dtype=float)
        self.expected_max = np.array([high for _, high in expected], dtype=float)
        self.paris = ZoneInfo("Europe/Paris")

    def cycles(self, when: dt.datetime) -> np.ndarray:
        """Multiplier of each pollutant (and temperature in °C) at this local time."""
        local = when.astimezone(self.paris)
        hour = local.hour + local.minute / 60
        season = 2 * math.pi * (local.timetuple().tm_yday - 15) / 365  # 0 mid-January

        def bump(centre: float, width: float) -> float:
            return math.exp(-((hour - centre) ** 2) / (2 * width**2))

        weekend = local.weekday() >= 5
        no2 = (0.75 + 0.6 * bump(8, 1.5) + 0.5 * bump(19, 2)) * (0.75 if weekend else 1.0)
        particles = 0.9 + 0.2 * bump(9, 2) + 0.25 * bump(20, 3)
        o3 = 0.5 + 0.8 * bump(15, 3)
        return np.array(
            [
                no2 * (1 + 0.25 * math.cos(season)),
                particles * (1 + 0.2 * math.cos(season)),
                particles * (1 + 0.25 * math.cos(season)),
                o3 * (1 - 0.35 * math.cos(season)),
                12 - 8 * math.cos(season - 0.5) + 4 * math.sin(2 * math.pi * (hour - 9) / 24),
            ]
        )

    def step(self, when: dt.datetime, subset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and quality flags of the datastreams at positions `subset` at `when`."""
        noise = 0.98 * self.noise[subset] + self.rng.normal(0, 0.06, len(subset))
        self.noise[subset] = noise
        cycle = self.cycles(when)[self.prop[subset]]
        warm = self.temperature[subset]
        values = np.where(
            warm, cycle + self.level[subset] + 3 * noise, self.level[subset] * cycle * np.exp(noise)
        )
        values = np.round(values, 1)
        # SUSPECT as ingestion flags it: outside the catalogue's expected range.
        suspect = (values < self.expected_min[subset]) | (values > self.expected_max[subset])
        return values, suspect.astype(np.int16)


def partitions_create(first: dt.datetime, last: dt.datetime) -> None:
    """The monthly partitions of the whole period, through the store (as ingestion does)."""
    from django.db import transaction

    from parvis.sensors import store

    days = (last - first).days + 1
    with transaction.atomic():
        store.partitions_forget()
        store.partitions_ensure([first + dt.timedelta(days=d) for d in range(days)] + [last])


def indexes_drop(cursor, table: str) -> list[str]:
    """Drop the B-tree indexes (and primary key) of `table`; returns the statements to rebuild.

    A bulk load in time order would otherwise update them at random places, row by row; they
    are rebuilt identical (same names, same definitions) by sorting once.
    """
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'p'",
        [table],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND i.indexdef LIKE '%%USING btree%%' AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _ in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    rebuild = [f"ALTER TABLE {table} ADD CONSTRAINT {name} {sql}" for name, sql in keys]
    return rebuild + [sql for _, sql in indexes]


def observations_copy(connection, streams: Streams, *, per_stream: int, end: dt.datetime, seed):
    """COPY the observations, step by step in time order; returns (rows, values at the end)."""
    weather = Weather(streams.codes, seed)
    everyone = np.arange(len(streams.ids))
    total_steps = max(per_stream, YEAR_STEPS if len(streams.year) else 0)
    bulk_from = total_steps - per_stream
    first = end - total_steps * STEP
    rows = 0
    latest = np.zeros(len(streams.ids))
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY sensors_observation (datastream_id, phenomenon_time, value, quality) "
            "FROM STDIN (FORMAT BINARY)"
        ) as copy,
    ):
        copy.write(COPY_SIGNATURE)
        for chunk in range(0, total_steps, CHUNK_STEPS):
            steps = range(chunk, min(chunk + CHUNK_STEPS, total_steps))
            subsets = [everyone if k >= bulk_from else streams.year for k in steps]
            block = np.empty(sum(len(s) for s in subsets), COPY_ROW)
            block["fields"] = 4
            block["ds_len"] = block["t_len"] = block["v_len"] = 8
            block["q_len"] = 2
            at = 0
            for k, subset in zip(steps, subsets, strict=True):
                when = first + k * STEP
                values, quality = weather.step(when, subset)
                part = block[at : at + len(subset)]
                part["ds"] = streams.ids[subset]
                part["t"] = (when - PG_EPOCH) // dt.timedelta(microseconds=1)
                part["v"] = values
                part["q"] = quality
                latest[subset] = values
                at += len(subset)
            copy.write(block.tobytes())
            rows += len(block)
        copy.write(COPY_TRAILER)
    return rows, latest


def rollups_build(cursor, *, months: list[tuple[dt.datetime, dt.datetime]], time_zone: str):
    """Hourly rollups from the observations, month by month in time order; daily ones from them.

    The daily bucket is the start of the local day, as `store.day_bucket` computes it.
    """
    q = '"count", "sum", "min", "max"'
    for start, end in months:
        cursor.execute(
            f"INSERT INTO sensors_rollup (datastream_id, resolution, bucket, {q}) "  # noqa: S608
            "SELECT datastream_id, 'hour', date_trunc('hour', phenomenon_time, 'UTC'), "
            "count(*), sum(value), min(value), max(value) FROM sensors_observation "
            "WHERE phenomenon_time >= %s AND phenomenon_time < %s GROUP BY 1, 3 ORDER BY 3, 1",
            [start, end],
        )
    cursor.execute(
        f"INSERT INTO sensors_rollup (datastream_id, resolution, bucket, {q}) "  # noqa: S608
        "SELECT datastream_id, 'day', date_trunc('day', bucket, %s), "
        'sum("count"), sum("sum"), min("min"), max("max") FROM sensors_rollup '
        "WHERE resolution = 'hour' GROUP BY 1, 3 ORDER BY 3, 1",
        [time_zone],
    )


def months_between(first: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    months = []
    start = first.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while start < end:
        following = (start + dt.timedelta(days=32)).replace(day=1)
        months.append((start, following))
        start = following
    return months


def load(args, database_url: str) -> dict:
    """Build the scratch database; returns what was loaded, with the time of each step."""
    import psycopg
    from django.conf import settings
    from django.db import connection as django_connection
    from django.db import transaction

    from parvis.sensors import store
    from parvis.sensors.models import Thing

    timings: dict[str, float] = {}  # kept as pairs below: jsonb reorders an object's keys
    began = time.perf_counter()
    streams = prepare(args.stations, args.year_streams)
    timings["stations (thing_register)"] = time.perf_counter() - began

    per_stream = args.observations // len(streams.ids)
    end = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    total_steps = max(per_stream, YEAR_STEPS if len(streams.year) else 0)
    first = end - total_steps * STEP
    partitions_create(first, end - STEP)
    django_connection.close()

    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        # Rows are valid by construction: skip the per-row foreign-key triggers (superuser).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '2GB'")
        cursor.execute("SET work_mem = '512MB'")
        rebuild = indexes_drop(cursor, "sensors_observation")
        connection.commit()
        began = time.perf_counter()
        rows, latest = observations_copy(
            connection, streams, per_stream=per_stream, end=end, seed=args.seed
        )
        connection.commit()
        timings["observations COPY"] = time.perf_counter() - began
        began = time.perf_counter()
        for sql in rebuild:
            cursor.execute(sql)
        connection.commit()
        timings["observations primary key"] = time.perf_counter() - began

        began = time.perf_counter()
        rebuild = indexes_drop(cursor, "sensors_rollup")
        rollups_build(cursor, months=months_between(first, end), time_zone=settings.TIME_ZONE)
        connection.commit()
        timings["rollups (hour, day)"] = time.perf_counter() - began
        began = time.perf_counter()
        for sql in rebuild:
            cursor.execute(sql)
        connection.commit()
        timings["rollups indexes"] = time.perf_counter() - began

    began = time.perf_counter()
    last = end - STEP
    with transaction.atomic():
        store.latest_update(
            [
                store.Row(int(pk), last, float(value))
                for pk, value in zip(streams.ids, latest, strict=True)
            ]
        )
        Thing.objects.filter(territory_id=streams.territory_id).update(last_seen_at=last)
    timings["latest values (store.latest_update)"] = time.perf_counter() - began
    django_connection.close()

    began = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    timings["VACUUM ANALYZE"] = time.perf_counter() - began

    params = {
        "version": LOAD_VERSION,
        "stations": args.stations,
        "observations": args.observations,
        "year_streams": args.year_streams,
        "seed": args.seed,
        "rows": rows,
        "per_stream": per_stream,
        "end": end.isoformat(),
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "timings": list(timings.items()),
    }
    with psycopg.connect(database_url) as connection:
        connection.execute(f"CREATE TABLE {META_TABLE} (params jsonb NOT NULL)")
        connection.execute(
            f"INSERT INTO {META_TABLE} VALUES (%s)",  # noqa: S608
            [json.dumps(params)],
        )
    return params


def rollups_check(streams: Streams, end: dt.datetime) -> str:
    """Compare the stored rollups of two days of one datastream with `store.aggregate`."""
    from parvis.sensors import store
    from parvis.sensors.models import Observation, Rollup

    pk = int(streams.ids[streams.year[0]] if len(streams.year) else streams.ids[0])
    start = store.day_bucket(end - dt.timedelta(days=3))
    stop = store.day_bucket(end - dt.timedelta(hours=1))
    rows = [
        store.Row(pk, time, value, quality)
        for time, value, quality in Observation.objects.filter(
            datastream_id=pk, phenomenon_time__gte=start, phenomenon_time__lt=stop
        ).values_list("phenomenon_time", "value", "quality")
    ]
    expected = store.aggregate(rows)
    stored = {
        (pk, resolution, bucket): (count, total, low, high)
        for resolution, bucket, count, total, low, high in Rollup.objects.filter(
            datastream_id=pk, bucket__gte=start, bucket__lt=stop
        ).values_list("resolution", "bucket", "count", "sum", "min", "max")
    }
    wrong = [
        key
        for key, agg in expected.items()
        if key not in stored
        or stored[key][0] != agg.count
        or not math.isclose(stored[key][1], agg.sum, rel_tol=1e-9)
        or stored[key][2:] != (agg.min, agg.max)
    ]
    if wrong or len(stored) != len(expected):
        return f"MISMATCH ({len(wrong)} of {len(expected)} buckets differ)"
    return f"match store.aggregate ({len(expected)} buckets of datastream {pk})"


def sizes(database_url: str) -> list[tuple[str, int]]:
    import psycopg

    with psycopg.connect(database_url) as connection:

        def total(table: str, part: str) -> int:
            return connection.execute(
                f"SELECT coalesce(sum(pg_{part}_size(relid)), 0) FROM "  # noqa: S608
                "(SELECT relid FROM pg_partition_tree(%s) UNION SELECT %s::regclass) AS tree",
                [table, table],
            ).fetchone()[0]

        return [
            ("observations, table", total("sensors_observation", "table")),
            ("observations, indexes", total("sensors_observation", "indexes")),
            ("rollups, table", total("sensors_rollup", "table")),
            ("rollups, indexes", total("sensors_rollup", "indexes")),
            (
                "whole database",
                connection.execute("SELECT pg_database_size(current_database())").fetchone()[0],
            ),
        ]


# --- measure -------------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    query: str
    path: str
    rows: int
    times: list[float]
    target: float | None = None
    baseline: str | None = None
    sql: list[str] = field(default_factory=list)
    other_cpu: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


class OtherCpu:
    """Share of the machine's CPU used by other processes than this one and its PostgreSQL
    backend between `start()` and `stop()` (Linux /proc; parallel query workers count as other).
    """

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]
        self.tick = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> tuple[float, float]:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        try:
            with open(f"/proc/{self.backend}/stat") as stat:
                backend = sum(int(x) for x in stat.read().rsplit(")", 1)[1].split()[11:13])
        except OSError:
            backend = 0
        own = sum(os.times()[:2]) * self.tick
        return busy - backend - own, sum(fields)

    def start(self) -> None:
        self.began = self.snapshot()

    def stop(self) -> float:
        other, total = self.snapshot()
        return max(0.0, (other - self.began[0]) / max(1, total - self.began[1]) * 100)


def timed(calls: list[Callable[[], int]], *, repeat: int, warmup: int) -> tuple[list[float], int]:
    """Run the calls in turn (`warmup` unmeasured first); returns ms per run and rows returned.

    A full garbage collection before each run (not timed): a run pays for the collections its
    own objects cause, not for the garbage of the runs before it.
    """
    rows = 0
    for index in range(warmup):
        rows = calls[index % len(calls)]()
    times = []
    for index in range(repeat):
        gc.collect()
        began = time.perf_counter()
        rows = calls[index % len(calls)]()
        times.append((time.perf_counter() - began) * 1000)
    return times, rows


def captured_sql(run: Callable[[], object]) -> str:
    """The SQL a selector sends, as sent (parameters bound client-side by Django's backend)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    assert len(queries.captured_queries) == 1, queries.captured_queries
    return queries.captured_queries[0]["sql"]


def fetch(sql: str, params=None, *, fast_times: bool = False, make=None) -> Callable[[], int]:
    """A call running `sql` on Django's connection; returns the number of rows (or of `make(rows)`).

    `fast_times` puts psycopg's compiled timestamptz loader on the cursor: Django registers its
    own, derived from psycopg's pure-Python one (Django ticket #36960). Django keeps the
    connection in UTC, so both give the same datetimes.
    """
    from django.db import connection
    from psycopg.types.datetime import TimestamptzLoader

    def run() -> int:
        with connection.cursor() as cursor:
            if fast_times:
                cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return len(make(rows) if make else rows)

    return run


# What the map and the feed read of each datastream (parvis/sensors/views.py, its templates).
MAP_FIELDS = (
    "pk",
    "thing_id",
    "name",
    "unit_symbol",
    "privacy_class",
    "latest_time",
    "latest_value",
    "thing__key",
    "thing__name",
    "thing__kind",
    "thing__place",
    "thing__latitude",
    "thing__longitude",
    "observed_property__code",
    "observed_property__name",
)

LATEST_DISTINCT_ON = (
    "SELECT DISTINCT ON (datastream_id) datastream_id, phenomenon_time, value "
    "FROM sensors_observation WHERE datastream_id IN "
    "(SELECT id FROM sensors_datastream WHERE territory_id = %s) "
    "ORDER BY datastream_id, phenomenon_time DESC"
)
LATEST_LATERAL = (
    "SELECT d.id, o.phenomenon_time, o.value FROM sensors_datastream d CROSS JOIN LATERAL "
    "(SELECT phenomenon_time, value FROM sensors_observation WHERE datastream_id = d.id "
    "ORDER BY phenomenon_time DESC LIMIT 1) o WHERE d.territory_id = %s"
)
HOURLY_FROM_RAW = (
    "SELECT date_trunc('hour', phenomenon_time, 'UTC'), count(*), sum(value), min(value), "
    "max(value) FROM sensors_observation WHERE datastream_id = %s "
    "AND phenomenon_time >= %s AND phenomenon_time < %s GROUP BY 1 ORDER BY 1"
)


def measure(args, streams: Streams, end: dt.datetime) -> list[Result]:
    from parvis.sensors.models import Datastream
    from parvis.sensors.selectors import (
        Point,
        datastream_latest_values,
        datastream_list_latest,
        series,
    )

    territories = [streams.territory_id]
    repeat, warmup = args.repeat, args.warmup
    slow = {"repeat": args.baseline_repeat, "warmup": 1}
    results = []

    cpu = OtherCpu()

    def add(key, query, path, calls, target=None, baseline=None, sql=(), **how):
        cpu.start()
        times, rows = timed(calls, **(how or {"repeat": repeat, "warmup": warmup}))
        other = cpu.stop()
        results.append(Result(key, query, path, rows, times, target, baseline, list(sql), other))
        print(f"  {key} {path}: p50 {statistics.median(times):.1f} ms", flush=True)

    latest = "latest values of 10k datastreams"

    def latest_selector():
        return list(datastream_list_latest(territory_ids=territories, public=False))

    sql = captured_sql(latest_selector)
    add(
        "1a",
        latest,
        "SQL of the selector, rows as tuples",
        [fetch(sql)],
        LATEST_TARGET_MS,
        "1c",
        [sql],
    )
    add(
        "1b",
        latest,
        "selector `datastream_list_latest`, list()",
        [lambda: len(latest_selector())],
        LATEST_TARGET_MS,
        "1c",
    )
    add(
        "1c",
        latest,
        "baseline: DISTINCT ON over observations",
        [fetch(LATEST_DISTINCT_ON, [streams.territory_id])],
        sql=[LATEST_DISTINCT_ON % streams.territory_id],
        **slow,
    )
    add(
        "1d",
        latest,
        "baseline: LATERAL top-1 per datastream",
        [fetch(LATEST_LATERAL, [streams.territory_id])],
        sql=[LATEST_LATERAL % streams.territory_id],
        **slow,
    )

    def latest_columns():
        streams = datastream_list_latest(territory_ids=territories, public=False)
        return list(streams.values_list(*MAP_FIELDS))

    add(
        "1e",
        latest,
        "candidate: selector + `values_list` of the 15 fields the map uses",
        [lambda: len(latest_columns())],
        LATEST_TARGET_MS,
        "1c",
    )
    narrow = captured_sql(latest_columns)
    add(
        "1f",
        latest,
        "candidate: the SQL of 1e, compiled timestamptz loader",
        [fetch(narrow, fast_times=True)],
        LATEST_TARGET_MS,
        "1c",
        [narrow],
    )

    add(
        "1g",
        latest,
        "selector `datastream_latest_values` (light rows, compiled timestamp loader)",
        [lambda: len(datastream_latest_values(territory_ids=territories, public=False))],
        LATEST_TARGET_MS,
        "1c",
    )

    year = "one year of hourly values of one datastream"
    start = end - dt.timedelta(days=365)
    year_streams = list(Datastream.objects.filter(pk__in=streams.ids[streams.year].tolist()))

    def year_selector(stream):
        return lambda: len(series(datastream=stream, start=start, end=end, resolution="hour"))

    year_sql = [captured_sql(year_selector(stream)) for stream in year_streams]
    add(
        "2a",
        year,
        "SQL of the selector, rows as tuples",
        [fetch(s) for s in year_sql],
        YEAR_TARGET_MS,
        "2c",
        year_sql[:1],
    )
    add(
        "2b",
        year,
        '`series(resolution="hour")`, Points',
        [year_selector(stream) for stream in year_streams],
        YEAR_TARGET_MS,
        "2c",
    )
    raw_year = [fetch(HOURLY_FROM_RAW, [stream.pk, start, end]) for stream in year_streams]
    add(
        "2c",
        year,
        "baseline: date_trunc GROUP BY over observations",
        raw_year,
        sql=[HOURLY_FROM_RAW % (year_streams[0].pk, f"'{start}'", f"'{end}'")],
    )

    def points(rows):
        return [Point(bucket, total / n, low, high, n) for bucket, n, total, low, high in rows]

    add(
        "2d",
        year,
        "candidate: the SQL of 2a, compiled timestamptz loader, Points",
        [fetch(s, fast_times=True, make=points) for s in year_sql],
        YEAR_TARGET_MS,
        "2c",
    )

    day = "one day of raw values of one datastream"
    rng = np.random.default_rng(args.seed)
    picked = rng.choice(streams.ids, size=min(50, len(streams.ids)), replace=False).tolist()
    day_streams = list(Datastream.objects.filter(pk__in=picked))
    day_start = end - dt.timedelta(days=1)

    def day_selector(stream):
        return lambda: len(series(datastream=stream, start=day_start, end=end, resolution="raw"))

    day_sql = [captured_sql(day_selector(stream)) for stream in day_streams]
    add(
        "3a",
        day,
        "SQL of the selector, rows as tuples",
        [fetch(s) for s in day_sql],
        sql=day_sql[:1],
    )
    add(
        "3b",
        day,
        '`series(resolution="raw")`, Points',
        [day_selector(stream) for stream in day_streams],
    )
    return results


def explain(results: list[Result]) -> None:
    from django.db import connection

    for result in results:
        for sql in result.sql:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [line for (line,) in cursor.fetchall()]
            print(f"\n### {result.key} {result.path}\n")
            print("```")
            print(sql if len(sql) < 1200 else sql[:1200] + " ...")
            print()
            print("\n".join(plan))
            print("```")


def times_faster(ratio: float) -> str:
    return f"{ratio:,.0f} x" if ratio >= 10 else f"{ratio:.1f} x"


def report(results: list[Result]) -> None:
    by_key = {result.key: result for result in results}
    print()
    print(
        "| # | query | path | rows | p50 ms | p95 ms | max ms | runs | target (p95) | verdict "
        "| baseline p50 ÷ p50 | other CPU % |"
    )
    print("|---|---|---|--:|--:|--:|--:|--:|--:|:-:|--:|--:|")
    for r in results:
        p50 = statistics.median(r.times)
        if r.target is None:
            verdict, target = ("baseline" if r.path.startswith("baseline") else "—"), "—"
        else:
            verdict = "OK" if r.percentile(0.95) < r.target else "MISSED"
            target = f"< {r.target}"
        ratio = "—"
        if r.baseline:
            base = statistics.median(by_key[r.baseline].times)
            ratio = f"{times_faster(base / p50)} ({r.baseline})"
            if r.baseline == "1c" and "1d" in by_key:
                ratio += f", {times_faster(statistics.median(by_key['1d'].times) / p50)} (1d)"
        print(
            f"| {r.key} | {r.query} | {r.path} | {r.rows:,} | {p50:.1f} | "
            f"{r.percentile(0.95):.1f} | {max(r.times):.1f} | {len(r.times)} | {target} | "
            f"{verdict} | {ratio} | {r.other_cpu:.0f} |"
        )
    latest, year = by_key["1g"], by_key["2b"]
    print()
    print(
        f"queries: latest 10k {latest.percentile(0.95):.0f} ms (target {LATEST_TARGET_MS}), "
        f"year hourly {year.percentile(0.95):.0f} ms (target {YEAR_TARGET_MS}) "
        "[p95 through the selectors: datastream_latest_values, series]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_PG_URL)
    parser.add_argument("--stations", type=int, default=2000, help="5 datastreams each.")
    parser.add_argument(
        "--observations", type=int, default=50_000_000, help="Spread over the datastreams."
    )
    parser.add_argument(
        "--year-streams", type=int, default=10, help="Datastreams given a year of raw values too."
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep a database loaded alike.")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--baseline-repeat", type=int, default=5, help="Runs of the slow baselines 1c and 1d."
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS).")
    args = parser.parse_args()
    if args.observations // (5 * args.stations) < 96:
        parser.error("need at least 96 observations (a day) per datastream")

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}"
    )
    wanted = {
        "version": LOAD_VERSION,
        "stations": args.stations,
        "observations": args.observations,
        "year_streams": args.year_streams,
        "seed": args.seed,
    }
    params = loaded(args.database_url) if args.reuse else None
    if params and all(params.get(key) == value for key, value in wanted.items()):
        django_setup(args.database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"reusing the load of {params['loaded_at']}")
    else:
        free = free_bytes(args.database_url)
        need = args.observations * 200
        if free is not None and free < need:
            sys.exit(f"{free / 2**30:.1f} GiB free for PostgreSQL, ~{need / 2**30:.0f} needed")
        recreate_database(args.database_url)
        django_setup(args.database_url)
        params = load(args, args.database_url)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute(
            "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) "
            "FROM pg_settings WHERE name = ANY(%s)",
            [list(SERVER_SETTINGS)],
        )
        print(f"{version}: {cursor.fetchone()[0]}")
        cursor.execute("SELECT id FROM territories_territory WHERE slug = 'bench'")
        territory_id = cursor.fetchone()[0]
    streams = streams_of(territory_id, args.stations, args.year_streams)
    end = dt.datetime.fromisoformat(params["end"])
    print(
        f"{args.stations:,} stations, {len(streams.ids):,} datastreams; {params['rows']:,} "
        f"observations: {params['per_stream']:,} per datastream (every 15 min) up to "
        f"{end:%Y-%m-%d %H:%M} UTC, and a year ({YEAR_STEPS:,}) for {len(streams.year)} of them"
    )
    print("\n| load step | seconds |\n|---|--:|")
    for step, seconds in params["timings"]:
        print(f"| {step} | {seconds:,.1f} |")
    print("\n| size | GiB |\n|---|--:|")
    for name, size in sizes(args.database_url):
        print(f"| {name} | {size / 2**30:.2f} |")
    print(f"\nrollups: {rollups_check(streams, end)}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = measure(args, streams, end)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report(results)
    if args.explain:
        explain(results)


if __name__ == "__main__":
    main()
