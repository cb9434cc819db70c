"""Only what a curator really changed becomes a correction.

Browsers send a textarea's line endings as CRLF, whatever the stored text has: saving a form must not turn
every multi-line field into a correction (the field would stop following the source). And the corrections
saved that way before are repaired by `manage.py drop_spurious_corrections`.
"""

import pytest
from django.core.management import call_command

from curation import corrections
from services.models import Service
from tests.curation.test_corrections import ATELIER, PAGNOL, edit
from tests.imports.conftest import Dataset

pytestmark = pytest.mark.django_db

DESCRIPTION = "Apprendre à utiliser un ordinateur.\n\nEn petits groupes, avec un médiateur numérique.\nGratuit."
NEW_DESCRIPTION = "Ateliers numériques : ordinateur, boîte mail, démarches en ligne.\nSur inscription."
STRUCTURE_DESCRIPTION = "Centre social du quartier.\nAccueil de loisirs, ateliers, permanences."


def as_browser_sends(text: str) -> str:
    """A textarea posted back by a browser: CRLF line endings (HTML's form submission rules)."""
    return text.replace("\n", "\r\n")


@pytest.fixture
def dataset(tmp_path):
    dataset = Dataset(tmp_path / "data")
    dataset.service(ATELIER)["description"] = DESCRIPTION
    dataset.structure(PAGNOL)["description"] = STRUCTURE_DESCRIPTION
    return dataset


@pytest.fixture
def imported(dataset):
    call_command("import_datainclusion", str(dataset.write()), verbosity=0)
    return dataset


def test_a_form_posted_by_a_browser_records_only_the_real_changes(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(
        admin_client,
        atelier,
        description=as_browser_sends(DESCRIPTION),
        telephone="03 20 99 99 99",
        horaires_accueil="Mo-Fr 09:00-12:00",
    )
    atelier.refresh_from_db()
    assert set(atelier.curated_fields) == {"telephone", "horaires_accueil"}
    assert atelier.description == DESCRIPTION  # as the source wrote it
    assert "description" not in atelier.upstream_values


def test_surrounding_whitespace_and_line_endings_are_no_correction(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description="\r\n  " + as_browser_sends(DESCRIPTION) + " \r\n\r\n")
    atelier.refresh_from_db()
    assert atelier.curated_fields == []
    assert atelier.description == DESCRIPTION
    structure = atelier.structure
    edit(admin_client, structure, description=as_browser_sends(STRUCTURE_DESCRIPTION).replace("\r\n", "\r"))
    structure.refresh_from_db()
    assert structure.curated_fields == []


def test_a_field_left_alone_follows_the_source(admin_client, imported, tmp_path):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description=as_browser_sends(DESCRIPTION), telephone="03 20 99 99 99")
    imported.service(ATELIER)["description"] = NEW_DESCRIPTION
    call_command("import_datainclusion", str(imported.write()), verbosity=0)
    atelier.refresh_from_db()
    assert atelier.description == NEW_DESCRIPTION
    assert atelier.telephone == "03 20 99 99 99"  # the real correction is kept


def test_a_real_multi_line_change_is_a_correction_stored_with_the_sources_line_endings(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description=as_browser_sends(NEW_DESCRIPTION))
    atelier.refresh_from_db()
    assert atelier.curated_fields == ["description"]
    assert atelier.description == NEW_DESCRIPTION
    assert atelier.upstream_values == {"description": DESCRIPTION}
    # Saved again from the browser, unchanged: still the same correction, same text.
    edit(admin_client, atelier, description=as_browser_sends(NEW_DESCRIPTION))
    atelier.refresh_from_db()
    assert atelier.curated_fields == ["description"]
    assert atelier.description == NEW_DESCRIPTION


def record_corrections_before_the_fix(record, columns, stored):
    """curation.corrections.record_corrections as it was: any difference, line endings included, was a
    correction. Kept here to make the data it made."""
    curated = list(record.curated_fields or [])
    upstream = dict(record.upstream_values or {})
    for column in columns:
        if column not in curated:
            curated.append(column)
            upstream[column] = stored.get(column)
        if corrections.as_json(getattr(record, column)) == upstream.get(column):
            curated.remove(column)
            upstream.pop(column, None)
    record.curated_fields = curated
    record.upstream_values = upstream


@pytest.fixture
def legacy_admin(monkeypatch):
    monkeypatch.setattr(corrections, "record_corrections", record_corrections_before_the_fix)


def test_the_repair_drops_corrections_equal_to_the_source(admin_client, imported, legacy_admin, monkeypatch):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description=as_browser_sends(DESCRIPTION), telephone="03 20 99 99 99")
    edit(admin_client, atelier.structure, description=as_browser_sends(STRUCTURE_DESCRIPTION))
    atelier.refresh_from_db()
    assert set(atelier.curated_fields) == {"description", "telephone"}  # what the bug did
    monkeypatch.undo()

    call_command("drop_spurious_corrections", "--dry-run", verbosity=0)
    atelier.refresh_from_db()
    assert set(atelier.curated_fields) == {"description", "telephone"}  # a dry run changes nothing

    call_command("drop_spurious_corrections", verbosity=0)
    atelier.refresh_from_db()
    assert atelier.curated_fields == ["telephone"]
    assert atelier.description == DESCRIPTION
    assert set(atelier.upstream_values) == {"telephone"}
    assert atelier.structure.curated_fields == []
    assert atelier.history.first().history_change_reason.startswith("Correction sans changement réel retirée")


def test_the_repair_applies_the_source_changes_a_spurious_correction_held_back(
    admin_client, imported, legacy_admin, monkeypatch
):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description=as_browser_sends(DESCRIPTION))
    monkeypatch.undo()
    imported.service(ATELIER)["description"] = NEW_DESCRIPTION
    call_command("import_datainclusion", str(imported.write()), verbosity=0)
    atelier.refresh_from_db()
    assert atelier.description == as_browser_sends(DESCRIPTION)  # the source's change was not applied

    call_command("drop_spurious_corrections", verbosity=0)
    atelier.refresh_from_db()
    assert atelier.curated_fields == []
    assert atelier.description == NEW_DESCRIPTION


def test_the_repair_keeps_real_corrections(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, description=as_browser_sends(NEW_DESCRIPTION), nom="Atelier corrigé")
    imported.service(ATELIER)["description"] = DESCRIPTION + "\nMis à jour."
    call_command("import_datainclusion", str(imported.write()), verbosity=0)
    call_command("drop_spurious_corrections", verbosity=0)
    atelier.refresh_from_db()
    assert set(atelier.curated_fields) == {"description", "nom"}
    assert atelier.description == NEW_DESCRIPTION
