"""The search index in each worker's memory: follows the data, never keeps a visitor waiting, shared by the workers
of a machine through files."""

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from core import data_version
from services import columns_store
from services.checks import search_columns_folder
from services.engine import Search
from services.search import SearchParams
from tests.imports.conftest import Dataset
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def found() -> list[str]:
    return [hit.service_id for hit in Search.of(SearchParams()).hits()]


def test_the_engine_follows_every_change():
    ServiceFactory(id="dora--first")
    assert found() == ["dora--first"]
    ServiceFactory(id="dora--second", score_qualite=0.99)
    assert found() == ["dora--second", "dora--first"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the copying thread has its own connection
def test_while_the_new_copy_is_made_searches_answer_from_the_one_there_is(settings, tmp_path):
    """A save starts the copy of the new version at once, in the background (this process: the admin's worker;
    the others when they next search); searches meanwhile are answered at once from the previous copy."""
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    first = ServiceFactory(id="dora--first")
    assert found() == ["dora--first"]
    settings.SEARCH_COLUMNS_WAIT = False
    next_version = data_version.current() + 1  # one save, one version
    path = columns_store.folder(columns_store.root(), columns_store.database_key(connection), next_version)
    with columns_store.building(path):  # another worker of the machine is making that copy
        ServiceFactory(id="dora--second", structure=first.structure, score_qualite=0.99)
        assert data_version.current() == next_version
        assert found() == ["dora--first"]
        assert not columns_store.ready("default")
    for thread in list(columns_store._loading.values()):
        thread.join(timeout=30)
    assert columns_store.ready("default")
    assert found() == ["dora--second", "dora--first"]


def test_workers_of_one_machine_share_the_copy_through_files(settings, tmp_path):
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    ServiceFactory(id="dora--first")
    columns_store._loaded.clear()
    copied = columns_store.current("default")
    assert copied.latitude.flags.writeable  # copied from the database
    columns_store._loaded.clear()  # another worker: same version, nothing in its memory yet
    mapped = columns_store.current("default")
    assert not mapped.latitude.flags.writeable  # mapped from the files the first one wrote
    assert mapped.service_ids(np.arange(mapped.size)) == copied.service_ids(np.arange(copied.size)) == ["dora--first"]
    ServiceFactory(id="dora--second")
    columns_store.current("default")
    folders = sorted(path.name for path in (tmp_path / "columns").iterdir() if path.is_dir())
    assert len(folders) == 1 and folders[0].endswith(f"-{data_version.current()}")  # older versions removed


def test_an_import_writes_the_new_columns_for_the_web_workers_before_it_commits(settings, tmp_path):
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    call_command("import_datainclusion", str(Dataset(tmp_path / "data").write()), verbosity=0)
    folders = [path.name for path in (tmp_path / "columns").iterdir() if path.is_dir()]
    assert folders == [f"{folders[0].rsplit('-', 1)[0]}-{data_version.current()}"]
    columns_store._loaded.clear()  # a web worker: maps the import's files, copies nothing
    assert not columns_store.current("default").latitude.flags.writeable


def test_a_folder_readable_by_others_is_made_private_and_one_of_another_user_is_said(tmp_path, caplog):
    folder = tmp_path / "columns"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert columns_store.problem(folder) is None
    assert folder.stat().st_mode & 0o777 == 0o700
    assert "made private" in caplog.text
    (tmp_path / "a-file").write_text("")
    assert "cannot be created" in columns_store.problem(tmp_path / "a-file" / "below")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the copying thread has its own connection
def test_readiness_says_when_the_worker_holds_the_current_index(client, settings):
    ServiceFactory(id="dora--first")
    columns_store._loaded.clear()
    settings.SEARCH_COLUMNS_WAIT = False
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    for thread in list(columns_store._loading.values()):
        thread.join(timeout=30)
    assert client.get("/sante/pret/").status_code == 200


def test_check_deploy_says_when_the_folder_cannot_be_shared(settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "a-file" / "columns")
    errors = search_columns_folder(None)
    assert [error.id for error in errors] == ["services.E001"]
    settings.SEARCH_COLUMNS_DIR = str(tmp_path / "columns")
    assert search_columns_folder(None) == []
