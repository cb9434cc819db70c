"""The data version (services.data_version) and the in-memory engine that follows it."""

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction

from communes.models import Commune
from services import columns, data_version
from services.engines import engine_for
from services.memory_search import MemoryQuery
from services.models import Service
from services.search import Filters, Query
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
    assert data_version.current() > saved
    Commune.objects.create(code_insee="59350", nom="Lille", departement="59", latitude=50.6, longitude=3.0)
    assert data_version.current() > saved


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


def everything() -> Query:
    return Query(origin=None, radius_km=50, filters=Filters())


def test_memory_engine_follows_every_change(settings):
    ServiceFactory(id="dora--first")
    assert [row[0] for row in engine_for(everything(), "memory").ranked()[0]] == ["dora--first"]
    ServiceFactory(id="dora--second", score_qualite=0.99)
    assert [row[0] for row in engine_for(everything(), "memory").ranked()[0]] == ["dora--second", "dora--first"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the copying thread has its own connection
def test_while_a_worker_copies_the_index_sql_answers(settings):
    """Without waiting for the copy, the first search after a change is answered by SQL (fresh
    data, never the old copy); once the copy is made, by memory."""
    settings.SEARCH_MEMORY_WAIT = False
    ServiceFactory(id="dora--first")
    first = engine_for(everything(), "memory")
    assert not isinstance(first, MemoryQuery)
    assert [row[0] for row in first.ranked()[0]] == ["dora--first"]
    for thread in list(columns._loading.values()):
        thread.join(timeout=30)
    second = engine_for(everything(), "memory")
    assert isinstance(second, MemoryQuery)
    assert [row[0] for row in second.ranked()[0]] == ["dora--first"]
    assert Service.objects.count() == 1


def test_workers_of_one_machine_share_the_copy_through_files(settings, tmp_path):
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    ServiceFactory(id="dora--first")
    columns._loaded.clear()
    copied = columns.current("default")
    assert copied.latitude.flags.writeable  # copied from the database
    columns._loaded.clear()  # another worker: same version, nothing in its memory yet
    mapped = columns.current("default")
    assert not mapped.latitude.flags.writeable  # mapped from the files the first one wrote
    assert mapped.service_ids(np.arange(mapped.size)) == copied.service_ids(np.arange(copied.size)) == ["dora--first"]
    ServiceFactory(id="dora--second")
    columns.current("default")
    folders = sorted(path.name for path in (tmp_path / "columns").iterdir() if path.is_dir())
    assert len(folders) == 1 and folders[0].endswith(f"-{data_version.current()}")  # older versions removed


def test_an_import_writes_the_new_columns_for_the_web_workers_before_it_commits(settings, tmp_path):
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    run_import(Dataset(tmp_path / "data").write())
    folders = [path.name for path in (tmp_path / "columns").iterdir() if path.is_dir()]
    assert folders == [f"{folders[0].rsplit('-', 1)[0]}-{data_version.current()}"]
    columns._loaded.clear()  # a web worker: maps the import's files, copies nothing
    assert not columns.current("default").latitude.flags.writeable
