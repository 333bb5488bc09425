"""On PostgreSQL, make `sensors_observation` a table partitioned by month of its time.

Partitions keep time-range scans and retention purges cheap (a purge can drop whole months);
a BRIN index on time suits append-mostly data. SQLite keeps the plain table of 0001.
Monthly partitions are created ahead of the data by `parvis.sensors.store.partitions_ensure`;
rows of a month without its partition land in the default partition.
"""

from django.db import migrations

PARTITIONED = """
DROP TABLE sensors_observation;
CREATE TABLE sensors_observation (
    datastream_id bigint NOT NULL
        REFERENCES sensors_datastream (id) DEFERRABLE INITIALLY DEFERRED,
    phenomenon_time timestamp with time zone NOT NULL,
    value double precision NOT NULL,
    quality smallint NOT NULL,
    PRIMARY KEY (datastream_id, phenomenon_time)
) PARTITION BY RANGE (phenomenon_time);
CREATE TABLE sensors_observation_default PARTITION OF sensors_observation DEFAULT;
CREATE INDEX sensors_observation_time_brin ON sensors_observation USING brin (phenomenon_time);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PARTITIONED)


class Migration(migrations.Migration):
    dependencies = [("sensors", "0001_initial")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
