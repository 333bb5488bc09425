"""The observations store: the one seam where SQLite and PostgreSQL differ.

Batch writes on PostgreSQL COPY the rows straight into the table inside a savepoint; when the
unique index refuses them (a redelivered MQTT message), the savepoint is rolled back and the
rows go through a temporary staging table and one `INSERT ... SELECT ... ON CONFLICT DO
NOTHING RETURNING`, as they always do on SQLite (filled with executemany there): rows already
stored are skipped, and only the rows really inserted feed the rollups, so redelivery never
counts twice. Callers hold the transaction.

The rollups and latest values are updated in the batch's transaction (`rollups_add`,
`latest_update`), or, for the MQTT consumer on PostgreSQL, deferred: the new rows are copied to
the pending table with the raw ones, and `rollups_merge` moves them into the rollups and latest
values every second in one statement.

On PostgreSQL `sensors_observation` is partitioned by month (migration 0002); partitions are
created ahead of the data by `partitions_ensure`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parvis.sensors.choices import Resolution

UTC = dt.UTC


@dataclass(slots=True)
class Row:
    """One observation to store: datastream id, time (aware), value, quality flag.

    Not frozen: one is built per observation, and a frozen dataclass costs three times as much.
    """

    datastream_id: int
    time: dt.datetime
    value: float
    quality: int = 0


@dataclass(frozen=True, slots=True)
class MeterRow:
    datastream_id: int
    pseudonym: str
    key_version: int
    time: dt.datetime
    value: float


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _db_time(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _array(values: Iterable) -> str:
    """A PostgreSQL array literal of numbers or times, built with C-level formatting.

    psycopg dumps a Python list element by element in Python (a regular expression per element
    to decide on quoting): at 2,000 rollup rows a batch that was most of the rollups' cost.
    Numbers and ISO times never need quoting. Cast it in SQL (`%s::bigint[]`).
    """
    return "{" + ",".join(map(_literal, values)) + "}"


class _IsoTexts(dict):
    """time -> ISO text, formatted once per distinct time (a batch's rows share few instants;
    `isoformat` costs more than a microsecond)."""

    def __missing__(self, time: dt.datetime) -> str:
        text = self[time] = time.isoformat()
        return text


def _text_array(texts: Iterable[str]) -> str:
    """An array literal of texts that need no quoting (numbers, ISO times, resolution names)."""
    return "{" + ",".join(texts) + "}"


def _literal(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def hour_bucket(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_bucket(value: dt.datetime) -> dt.datetime:
    """Start of the local (territory's) day containing `value`, as an aware UTC time."""
    local = timezone.localtime(value)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return timezone.make_aware(start.replace(tzinfo=None)).astimezone(UTC)


def rollups_deferrable() -> bool:
    """Whether `observations_write(..., pending=True)` and `rollups_merge` apply (PostgreSQL)."""
    return _is_postgres()


def _copy_text(rows: Iterable[Row]) -> str:
    """Tab-separated rows for COPY, built with C-level formatting (~5x faster than write_row)."""
    iso = _IsoTexts()
    return "".join(
        f"{row.datastream_id}\t{iso[row.time]}\t{row.value!r}\t{row.quality}\n" for row in rows
    )


def observations_write(rows: Sequence[Row], *, pending: bool = False) -> list[Row]:
    """Insert the rows not stored yet; return those inserted (first of duplicates in a batch).

    On PostgreSQL the rows are first copied straight into the table, in a savepoint: nearly
    always none is stored yet, and that is as cheap as a write can be. When one is (a message
    redelivered after a crash), the unique index refuses the copy, the savepoint is rolled
    back, and the rows go the careful way: staging table, `ON CONFLICT DO NOTHING RETURNING`.

    With `pending` (PostgreSQL), the inserted rows are also copied to the pending table, in the
    same transaction, for `rollups_merge` to add to the rollups and latest values: the caller
    then skips `rollups_add` and `latest_update`.
    """
    if not rows:
        return []
    assert connection.in_atomic_block, "observations are written inside the caller's transaction"
    unique: dict[tuple[int, dt.datetime], Row] = {}
    for row in rows:
        unique.setdefault((row.datastream_id, row.time), row)
    pending = pending and _is_postgres()
    if _is_postgres():
        text = _copy_text(unique.values())
        try:
            with transaction.atomic(), connection.wrap_database_errors:
                _copy(text, "sensors_observation")
            if pending:
                _copy(text, PENDING_TABLE)
            return list(unique.values())
        except IntegrityError:
            pass  # some are stored already: the careful way
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sensors_observation_in "
                "(datastream_id bigint, phenomenon_time timestamptz, value double precision, "
                "quality smallint) ON COMMIT DELETE ROWS"
            )
            _copy(text, "sensors_observation_in")
        else:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sensors_observation_in "
                "(datastream_id integer, phenomenon_time text, value real, quality integer)"
            )
            cursor.executemany(
                "INSERT INTO sensors_observation_in VALUES (%s, %s, %s, %s)",
                [
                    (row.datastream_id, _db_time(row.time), row.value, row.quality)
                    for row in unique.values()
                ],
            )
        cursor.execute(
            "INSERT INTO sensors_observation (datastream_id, phenomenon_time, value, quality) "
            "SELECT datastream_id, phenomenon_time, value, quality FROM sensors_observation_in "
            "WHERE true ON CONFLICT DO NOTHING RETURNING datastream_id, phenomenon_time"
        )
        inserted = cursor.fetchall()
        cursor.execute("DELETE FROM sensors_observation_in")
    rows = [unique[(datastream_id, _aware(time))] for datastream_id, time in inserted]
    if pending and rows:
        _copy(_copy_text(rows), PENDING_TABLE)
    return rows


def _copy(text: str, table: str) -> None:
    """COPY tab-separated rows of observations into `table` (PostgreSQL)."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} (datastream_id, phenomenon_time, value, quality) FROM STDIN"
        ) as copy,
    ):
        copy.write(text)


def meter_readings_write(rows: Sequence[MeterRow]) -> list[MeterRow]:
    """Insert pseudonymous meter readings not stored yet; return those inserted."""
    if not rows:
        return []
    unique: dict[tuple, MeterRow] = {}
    for row in rows:
        unique.setdefault((row.datastream_id, row.pseudonym, _db_time(row.time)), row)
    with connection.cursor() as cursor:
        before = _count_meter_rows(cursor, unique.values())
        cursor.executemany(
            "INSERT INTO sensors_meterreading "
            "(datastream_id, pseudonym, key_version, phenomenon_time, value) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (row.datastream_id, row.pseudonym, row.key_version, key[2], row.value)
                for key, row in unique.items()
            ],
        )
    return [row for key, row in unique.items() if key not in before]


def _count_meter_rows(cursor, rows: Iterable[MeterRow]) -> set[tuple]:
    """Keys among `rows` already stored (meter flows are small: a plain look-up is enough)."""
    rows = list(rows)
    found: set[tuple] = set()
    for datastream_id in {row.datastream_id for row in rows}:
        times = [_db_time(row.time) for row in rows if row.datastream_id == datastream_id]
        cursor.execute(
            "SELECT pseudonym, phenomenon_time FROM sensors_meterreading "
            "WHERE datastream_id = %s AND phenomenon_time >= %s AND phenomenon_time <= %s",
            [datastream_id, min(times), max(times)],
        )
        for pseudonym, time in cursor.fetchall():
            found.add((datastream_id, pseudonym, _db_time(_aware(time))))
    return found


def _aware(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


@dataclass(slots=True)
class Aggregate:
    count: int
    sum: float
    min: float
    max: float


def aggregate(rows: Iterable[Row]) -> dict[tuple[int, str, dt.datetime], Aggregate]:
    """Hourly and daily aggregates of rows, keyed by (datastream, resolution, bucket)."""
    buckets: dict[tuple[int, str, dt.datetime], Aggregate] = {}
    # time -> (hour, local day): rows share few instants, and time zones are slow.
    periods: dict[dt.datetime, tuple[dt.datetime, dt.datetime]] = {}
    days: dict[dt.datetime, dt.datetime] = {}
    hour_key, day_key = Resolution.HOUR.value, Resolution.DAY.value
    for row in rows:
        period = periods.get(row.time)
        if period is None:
            hour = hour_bucket(row.time)
            day = days.get(hour)
            if day is None:
                day = days[hour] = day_bucket(hour)
            period = periods[row.time] = (hour, day)
        value = row.value
        for key in (
            (row.datastream_id, hour_key, period[0]),
            (row.datastream_id, day_key, period[1]),
        ):
            current = buckets.get(key)
            if current is None:
                buckets[key] = Aggregate(1, value, value, value)
            else:
                current.count += 1
                current.sum += value
                if value < current.min:
                    current.min = value
                if value > current.max:
                    current.max = value
    return buckets


def _rollup_columns() -> str:
    q = connection.ops.quote_name
    return f"(datastream_id, resolution, bucket, {q('count')}, {q('sum')}, {q('min')}, {q('max')})"


def _rollup_upsert() -> str:
    """The ON CONFLICT clause adding aggregates to stored rollups; `{least}`/`{greatest}` are
    left to fill with the database's functions (LEAST/GREATEST, MIN/MAX on SQLite)."""
    q = connection.ops.quote_name
    count, total, low, high = q("count"), q("sum"), q("min"), q("max")
    return (
        f"ON CONFLICT (datastream_id, resolution, bucket) DO UPDATE SET "
        f"{count} = sensors_rollup.{count} + excluded.{count}, "
        f"{total} = sensors_rollup.{total} + excluded.{total}, "
        f"{low} = {{least}}(sensors_rollup.{low}, excluded.{low}), "
        f"{high} = {{greatest}}(sensors_rollup.{high}, excluded.{high})"
    )


def rollups_add(buckets: dict[tuple[int, str, dt.datetime], Aggregate]) -> None:
    """Add aggregates of newly inserted rows to the stored rollups (upsert, in key order).

    Key order makes concurrent consumers lock rollup rows in the same order (no deadlock).
    PostgreSQL gets one statement over arrays; SQLite, in-process, an executemany.
    """
    if not buckets:
        return
    items = sorted(buckets.items())
    columns, upsert = _rollup_columns(), _rollup_upsert()
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                f"INSERT INTO sensors_rollup {columns} "  # noqa: S608 - fixed identifiers
                "SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], "
                "%s::integer[], %s::float8[], %s::float8[], %s::float8[]) "
                + upsert.format(least="LEAST", greatest="GREATEST"),
                [
                    _text_array(str(key[0]) for key, _ in items),
                    _text_array(key[1] for key, _ in items),
                    _text_array(map(_IsoTexts().__getitem__, (key[2] for key, _ in items))),
                    _text_array(str(agg.count) for _, agg in items),
                    _text_array(repr(agg.sum) for _, agg in items),
                    _text_array(repr(agg.min) for _, agg in items),
                    _text_array(repr(agg.max) for _, agg in items),
                ],
            )
        else:
            cursor.executemany(
                f"INSERT INTO sensors_rollup {columns} "  # noqa: S608 - fixed identifiers
                "VALUES (%s, %s, %s, %s, %s, %s, %s) " + upsert.format(least="MIN", greatest="MAX"),
                [
                    (key[0], key[1], _db_time(key[2]), agg.count, agg.sum, agg.min, agg.max)
                    for key, agg in items
                ],
            )


def meter_rollups_refresh(rows: Iterable[MeterRow]) -> None:
    """Recompute the rollups of the buckets touched by new meter readings, with distinct meters.

    Distinct counts cannot be added up, so touched buckets are recomputed from the readings.
    """
    touched: set[tuple[int, str, dt.datetime]] = set()
    for row in rows:
        touched.add((row.datastream_id, Resolution.HOUR.value, hour_bucket(row.time)))
        touched.add((row.datastream_id, Resolution.DAY.value, day_bucket(row.time)))
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for datastream_id, resolution, bucket in sorted(touched):
            end = bucket + (dt.timedelta(hours=1) if resolution == "hour" else dt.timedelta(days=1))
            end = day_bucket(end + dt.timedelta(hours=3)) if resolution == "day" else end
            cursor.execute(
                "SELECT count(*), sum(value), min(value), max(value), count(DISTINCT pseudonym) "
                "FROM sensors_meterreading WHERE datastream_id = %s "
                "AND phenomenon_time >= %s AND phenomenon_time < %s",
                [datastream_id, _db_time(bucket), _db_time(end)],
            )
            n, total, low, high, subjects = cursor.fetchone()
            cursor.execute(
                f"INSERT INTO sensors_rollup (datastream_id, resolution, bucket, {q('count')}, "  # noqa: S608
                f"{q('sum')}, {q('min')}, {q('max')}, subjects) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (datastream_id, resolution, bucket) DO UPDATE SET "
                f"{q('count')} = excluded.{q('count')}, {q('sum')} = excluded.{q('sum')}, "
                f"{q('min')} = excluded.{q('min')}, {q('max')} = excluded.{q('max')}, "
                "subjects = excluded.subjects",
                [datastream_id, resolution, _db_time(bucket), n, total, low, high, subjects],
            )


def latest_update(rows: Iterable[Row]) -> None:
    """Move each datastream's latest value forward (never backward: late rows don't count)."""
    latest: dict[int, Row] = {}
    for row in rows:
        if row.datastream_id not in latest or latest[row.datastream_id].time < row.time:
            latest[row.datastream_id] = row
    if not latest:
        return
    ordered = sorted(latest.values(), key=lambda row: row.datastream_id)
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                "UPDATE sensors_datastream AS d SET latest_time = u.t, latest_value = u.v "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[]) AS u(id, t, v) "
                "WHERE d.id = u.id AND (d.latest_time IS NULL OR d.latest_time < u.t)",
                [
                    _array(row.datastream_id for row in ordered),
                    _array(row.time for row in ordered),
                    _array(row.value for row in ordered),
                ],
            )
        else:
            cursor.executemany(
                "UPDATE sensors_datastream SET latest_time = %s, latest_value = %s "
                "WHERE id = %s AND (latest_time IS NULL OR latest_time < %s)",
                [
                    (_db_time(row.time), row.value, row.datastream_id, _db_time(row.time))
                    for row in ordered
                ],
            )


PENDING_TABLE = "sensors_observation_pending"
# pg_advisory_xact_lock key of the merge: one merge at a time, whichever consumer runs it.
MERGE_LOCK = 0x5041525649530001


def rollups_merge() -> int | None:
    """Add the pending observations to the hourly and daily rollups and move the datastreams'
    latest values forward, emptying the pending table, in one transaction (PostgreSQL).

    Returns the number of observations merged, or None when another merge is running (it takes
    them all). The rollups are then what `rollups_add` and `latest_update` would have made,
    batch after batch: sums, counts, minimums and maximums merge in any order, and a latest
    value only moves forward. Rollup rows are upserted in key order (no deadlock with a batch
    written the immediate way). Hours are UTC hours, days the platform's local days, as
    `hour_bucket` and `day_bucket` compute them.
    """
    if not _is_postgres():
        return 0
    zone = timezone.get_current_timezone_name()
    upsert = _rollup_upsert().format(least="LEAST", greatest="GREATEST")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [MERGE_LOCK])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            f"""
            WITH moved AS (
                DELETE FROM {PENDING_TABLE} RETURNING datastream_id, phenomenon_time, value
            ),
            known AS (  -- a datastream deleted meanwhile has no rollups to keep
                SELECT * FROM moved
                WHERE EXISTS (SELECT 1 FROM sensors_datastream AS d WHERE d.id = datastream_id)
            ),
            buckets AS (
                SELECT datastream_id, 'hour' AS resolution,
                       date_trunc('hour', phenomenon_time AT TIME ZONE 'UTC')
                           AT TIME ZONE 'UTC' AS bucket,
                       count(*) AS n, sum(value) AS total, min(value) AS low,
                       max(value) AS high
                FROM known GROUP BY 1, 3
                UNION ALL
                SELECT datastream_id, 'day',
                       date_trunc('day', phenomenon_time AT TIME ZONE %(zone)s)
                           AT TIME ZONE %(zone)s,
                       count(*), sum(value), min(value), max(value)
                FROM known GROUP BY 1, 3
            ),
            rolled AS (
                INSERT INTO sensors_rollup {_rollup_columns()}
                SELECT * FROM buckets ORDER BY 1, 2, 3 {upsert}
            ),
            latest AS (
                SELECT DISTINCT ON (datastream_id) datastream_id, phenomenon_time, value
                FROM known ORDER BY datastream_id, phenomenon_time DESC
            ),
            moved_forward AS (  -- data-modifying CTEs run whether read or not
                UPDATE sensors_datastream AS d
                SET latest_time = latest.phenomenon_time, latest_value = latest.value
                FROM latest
                WHERE d.id = latest.datastream_id
                  AND (d.latest_time IS NULL OR d.latest_time < latest.phenomenon_time)
            )
            SELECT count(*) FROM moved
            """,  # noqa: S608 - fixed identifiers
            {"zone": zone},
        )
        return cursor.fetchone()[0]


def rows_fast(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset, with psycopg's compiled timestamp loader.

    Django 5.2 loads every `timestamptz` through its own pure-Python loader (about 3 µs a
    value): for the 10,000 latest values of a territory or a year of hourly points that is most
    of the time. The connection's time zone is UTC, so psycopg's compiled loader gives the same
    aware datetimes. SQLite keeps Django's path.
    """
    if not _is_postgres():
        return list(queryset)
    from psycopg.types.datetime import TimestamptzLoader

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


# Months whose partition is known to exist, in this process.
_partitions: set[tuple[int, int]] = set()


def partitions_ensure(times: Iterable[dt.datetime]) -> None:
    """Create the monthly partitions (PostgreSQL) that rows at `times` need. No-op on SQLite."""
    if not _is_postgres():
        return
    months = {(t.astimezone(UTC).year, t.astimezone(UTC).month) for t in times} - _partitions
    if not months:
        return
    with connection.cursor() as cursor:
        for year, month in sorted(months):
            start = dt.datetime(year, month, 1, tzinfo=UTC)
            end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            name = f"sensors_observation_{year}{month:02d}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                # A savepoint: when the default partition already holds rows of this month,
                # creating the partition fails and the rows keep living in the default one.
                cursor.execute("SAVEPOINT parvis_partition")
                try:
                    # DDL takes no bound parameters; the bounds are formatted from integers.
                    cursor.execute(
                        f"CREATE TABLE {name} PARTITION OF sensors_observation "
                        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                    )
                    cursor.execute("RELEASE SAVEPOINT parvis_partition")
                except Exception:
                    cursor.execute("ROLLBACK TO SAVEPOINT parvis_partition")
            _partitions.add((year, month))


def partitions_forget() -> None:
    """Forget the cache of existing partitions (tests that recreate the database)."""
    _partitions.clear()


__all__ = [
    "MeterRow",
    "Row",
    "aggregate",
    "day_bucket",
    "hour_bucket",
    "latest_update",
    "meter_readings_write",
    "meter_rollups_refresh",
    "observations_write",
    "partitions_ensure",
    "rollups_add",
    "rollups_deferrable",
    "rollups_merge",
]
