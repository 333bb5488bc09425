"""Upkeep of the database itself."""

from __future__ import annotations

from django.db import connections


def database_statistics_refresh(*, using: str = "default") -> None:
    """Refresh the statistics the database's query planner chooses its indexes with.

    SQLite keeps none until `ANALYZE` runs. Without them its planner takes any index with an
    equality on it, however unselective ("reports of these four communes"), over the index that
    would give the rows already in the requested order, and then sorts the whole table: at
    100,000 reports a page of the public list took 0.3 s instead of 5 ms. The periodic job runs
    this every night, `parvis demo` after loading. PostgreSQL's autovacuum analyses tables as
    they change; running it there as well is harmless.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 0")  # exact: sampled statistics misled it
        cursor.execute("ANALYZE")
