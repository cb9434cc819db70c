"""What a daily re-import skips, and what it must not: records read as before are neither examined nor written,
curators' corrections made since still hold, and a new schema or another format is not mistaken for "unchanged"."""

import csv
import json

import pytest

from imports import parallel, validation
from imports.models import ImportRun
from services.models import SearchEntry, Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

ATELIER = "dora--atelier numérique #1"


@pytest.fixture
def examined(monkeypatch):
    """The records examined (normalised, hashed, validated) during the test, by id."""
    seen: list[str] = []
    original = validation.examine

    def counting(job, record, raw_digest):
        seen.append(record.get("id"))
        return original(job, record, raw_digest)

    monkeypatch.setattr(parallel, "examine", counting)
    return seen


def stamps():
    return sorted(Service.objects.values_list("id", "updated_at")) + sorted(
        Structure.objects.values_list("id", "updated_at")
    )


def last_counts() -> dict:
    return ImportRun.objects.order_by("-id").first().counts


def test_an_unchanged_reimport_examines_and_writes_nothing_and_keeps_a_correction_made_since(
    dataset, run_import, examined
):
    folder = dataset.write()
    run_import(folder)
    assert len(examined) == len(dataset.structures) + len(dataset.services)
    # A curator corrects a service's name after the import (as the admin does: field, curated_fields, refresh).
    atelier = Service.objects.get(pk=ATELIER)
    atelier.upstream_values = {"nom": atelier.nom}
    atelier.nom = "Atelier corrigé par une curatrice"
    atelier.curated_fields = ["nom"]
    atelier.save()
    before = stamps()
    examined.clear()

    run_import(folder)

    assert examined == []
    assert stamps() == before  # no row written
    counts = last_counts()
    for kind, records in (("structures", dataset.structures), ("services", dataset.services)):
        assert counts[kind]["inchangees"] == len(records)
        assert counts[kind]["creees"] == counts[kind]["mises_a_jour"] == 0
    atelier.refresh_from_db()
    assert atelier.nom == "Atelier corrigé par une curatrice"
    assert SearchEntry.objects.filter(pk=ATELIER, lexemes__regex=r"\mcuratric\M").exists()


def test_a_changed_record_alone_is_examined_and_written_and_its_correction_still_holds(dataset, run_import, examined):
    run_import(dataset.write())
    atelier = Service.objects.get(pk=ATELIER)
    atelier.nom, atelier.curated_fields = "Atelier corrigé", ["nom"]
    atelier.save()
    examined.clear()
    dataset.service(ATELIER)["nom"] = "Ateliers numériques, nouvelle version"
    dataset.service(ATELIER)["frais"] = "payant"

    run_import(dataset.write())

    assert examined == [ATELIER]
    atelier.refresh_from_db()
    assert (atelier.nom, atelier.frais) == ("Atelier corrigé", "payant")
    assert atelier.upstream_values["nom"] == "Ateliers numériques, nouvelle version"
    assert last_counts()["services"]["mises_a_jour"] == 1


def test_a_new_schema_version_examines_and_writes_every_record_again(dataset, run_import, examined, monkeypatch):
    folder = dataset.write()
    run_import(folder)
    examined.clear()
    # What an upgrade of data-inclusion-schema changes: the version both hashes are salted with.
    monkeypatch.setattr(validation, "CONTENT_HASH_SALT", b"data-inclusion-schema 99.0.0|")
    monkeypatch.setattr(
        validation, "RAW_HASH_SALT", {kind: salt + b"99.0.0|" for kind, salt in validation.RAW_HASH_SALT.items()}
    )

    run_import(folder)

    assert sorted(examined) == sorted(record["id"] for record in dataset.structures + dataset.services)
    counts = last_counts()
    assert counts["structures"]["mises_a_jour"] == len(dataset.structures)
    assert counts["services"]["mises_a_jour"] == len(dataset.services)


def test_the_same_content_in_another_format_is_unchanged_and_the_next_run_of_it_skips_it(
    dataset, run_import, examined, tmp_path
):
    run_import(dataset.write())
    before = stamps()
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, records in (("structures", dataset.structures), ("services", dataset.services)):
        columns = sorted({key for record in records for key in record})
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for record in records:
                writer.writerow(
                    {key: json.dumps(value) if isinstance(value, list) else value for key, value in record.items()}
                )
    examined.clear()

    run_import(folder)

    assert len(examined) == len(dataset.structures) + len(dataset.services)  # another raw form: examined…
    assert last_counts()["services"]["inchangees"] == len(dataset.services)  # …and found unchanged
    assert stamps() == before
    examined.clear()
    run_import(folder)
    assert examined == []
