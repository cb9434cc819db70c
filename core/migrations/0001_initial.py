from django.db import migrations, models


class Migration(migrations.Migration):
    """The data version moves from services to core, its table and sequence renamed with it."""

    initial = True

    dependencies = [
        ("services", "0010_data_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("version", models.BigIntegerField(default=1)),
                        ("changed_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"verbose_name": "version des données"},
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE services_dataversion RENAME TO core_dataversion;"
                    " ALTER SEQUENCE services_data_version_seq RENAME TO core_data_version_seq",
                    "ALTER TABLE core_dataversion RENAME TO services_dataversion;"
                    " ALTER SEQUENCE core_data_version_seq RENAME TO services_data_version_seq",
                ),
            ],
        ),
    ]
