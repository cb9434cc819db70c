"""The rate limits' counters (core.rate_limits.DatabaseCounters).

UNLOGGED: counters change on every limited request, and need neither the write-ahead log nor the replicas;
after a crash of PostgreSQL they start again from zero.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunSQL(
            """
            CREATE UNLOGGED TABLE rate_limit_counters (
                cache_key varchar(255) PRIMARY KEY,
                count bigint NOT NULL,
                expires timestamp with time zone NOT NULL
            );
            CREATE INDEX rate_limit_counters_expires ON rate_limit_counters (expires);
            """,
            "DROP TABLE rate_limit_counters",
        ),
    ]
