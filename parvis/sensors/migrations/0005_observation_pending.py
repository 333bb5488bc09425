"""Observations waiting to be merged into the rollups and latest values (PostgreSQL).

The MQTT consumer copies each batch's new rows here, in the batch's transaction, and merges them
into `sensors_rollup` and the datastreams' latest values every second or so, in one statement
(`store.rollups_merge`): per observation, one more row copied into a table without index instead
of two rollup upserts and a latest-value update. No index, no key: the merge reads it whole and
empties it. SQLite keeps updating the rollups in the batch's transaction.
"""

from django.db import migrations

CREATE = (
    "CREATE TABLE IF NOT EXISTS sensors_observation_pending (datastream_id bigint NOT NULL, "
    "phenomenon_time timestamptz NOT NULL, value double precision NOT NULL, "
    "quality smallint NOT NULL)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS sensors_observation_pending")


class Migration(migrations.Migration):
    dependencies = [("sensors", "0004_room_for_updates")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
