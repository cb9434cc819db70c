"""The data version: bumped by every import that changes something and every single change, never reused."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections, transaction

from communes.models import Commune
from core import data_version
from tests.imports.conftest import Dataset
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
ATELIER = "dora--atelier numérique #1"


def run_import(folder):
    call_command("import_datainclusion", str(folder), verbosity=0)


def test_an_import_that_changes_something_bumps_the_version_and_an_unchanged_one_does_not(tmp_path):
    dataset = Dataset(tmp_path / "data")
    run_import(dataset.write())
    first = data_version.current()
    run_import(dataset.write())
    assert data_version.current() == first
    dataset.service(ATELIER)["nom"] = "Atelier numérique renommé"
    run_import(dataset.write())
    assert data_version.current() > first


def test_every_save_and_deletion_bumps_the_version():
    service = ServiceFactory()
    before = data_version.current()
    service.description = "Une autre description, que les cartes de résultats ne montrent pas."
    service.save()
    saved = data_version.current()
    assert saved > before
    service.delete()
    deleted = data_version.current()
    assert deleted > saved
    Commune.objects.create(code_insee="59350", nom="Lille", departement="59", latitude=50.6, longitude=3.0)
    assert data_version.current() > deleted


def test_a_rolled_back_change_never_lends_its_number_to_other_data():
    ServiceFactory()
    committed = data_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        ServiceFactory()
        rolled_back = data_version.current()
        raise RuntimeError
    assert data_version.current() == committed
    ServiceFactory()
    assert data_version.current() not in (committed, rolled_back)


# Committed, so that another connection can end this one; serialized_rollback as the other transactional tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reading_the_version_is_a_kept_connection_s_health_check(monkeypatch):
    """At a request's start, a kept connection is checked by the version's read, not by a statement of its own; one
    the server dropped meanwhile is replaced, and the version read on the new one."""
    database = connections[DEFAULT_DB_ALIAS]
    checks = []
    monkeypatch.setattr(database, "is_usable", lambda: checks.append(1) or True)
    version = data_version.bump()

    close_old_connections()  # a request starts
    assert data_version.current() == version
    assert checks == []

    with database.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        first = cursor.fetchone()[0]
    with psycopg.connect(**database.get_connection_params() | {"autocommit": True}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    close_old_connections()
    assert data_version.current() == version
    with database.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != first
    assert checks == []
