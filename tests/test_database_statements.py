"""Statements bound and prepared by PostgreSQL (inclusion_site.settings.base.database_config)."""

import pytest
from django.db import connection

from inclusion_site.settings.base import database_config

URL = "postgres://postgres@127.0.0.1:5432/inclusion"


@pytest.mark.django_db
def test_a_statement_run_again_and_again_is_prepared_on_the_connection():
    sql = "SELECT count(*) FROM services_service WHERE id = %s"
    with connection.cursor() as cursor:
        for attempt in range(6):
            cursor.execute(sql, [f"inconnu-{attempt}"])
            assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"{sql[:40]}%"])
        assert cursor.fetchone() == (1,)


def test_prepared_statements_can_be_turned_off_for_an_old_pooler(monkeypatch):
    for name in ("DATABASE_PREPARED_STATEMENTS", "DATABASE_STATEMENT_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)
    assert database_config(URL)["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert database_config(URL)["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}
