"""The data·inclusion import: formats, validation, upsert, unpublishing, curation, atomicity."""

import pytest
from django.core.management.base import CommandError

from imports.models import ImportRun, RejectedRecord
from services.models import SearchEntry, Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

PAGNOL = "dora--centre-social/lille é"
PAGNOL_SOLIGUIDE = "soliguide--9876"
ATELIER = "dora--atelier numérique #1"
EPICERIE = "soliguide--aide-alimentaire-1"
PERMIS = "dora--permis-roubaix"


def snapshot():
    """Everything an import could change, to prove that a run changed nothing."""
    return (
        sorted(Structure.objects.values_list("id", "nom", "is_published", "updated_at")),
        sorted(Service.objects.values_list("id", "nom", "is_published", "updated_at")),
    )


def test_json_import_creates_every_record_with_search_helpers(dataset, run_import):
    run_import(dataset.write())

    assert Structure.objects.count() == 3
    assert Service.objects.count() == 3
    atelier = Service.objects.get(id=ATELIER)
    assert atelier.structure_id == PAGNOL
    assert atelier.thematiques == [
        "numerique--acceder-a-des-services-en-ligne",
        "numerique--maitriser-les-fondamentaux-du-numerique",
    ]
    assert atelier.zone_eligibilite == ["59350"]
    assert atelier.volume_horaire_hebdomadaire == 2.0
    assert atelier.is_published
    assert 0 < atelier.score_qualite <= 1
    assert "numerique" in atelier.search_document and "é" not in atelier.search_document
    assert "numer" in SearchEntry.objects.get(pk=ATELIER).lexemes.split()
    pagnol = Structure.objects.get(id=PAGNOL)
    assert pagnol.site_web == "https://centre-pagnol.example.org"  # as given, not rewritten
    assert pagnol.search_name == "centre social marcel pagnol"
    assert pagnol.score_qualite == atelier.score_qualite  # mean of its only service

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.counts["services"]["creees"] == 3
    assert set(run.timings) >= {"read", "validate", "write", "index"}


def test_structure_without_services_scores_zero(dataset, run_import):
    dataset.services = [record for record in dataset.services if record["structure_id"] != PAGNOL_SOLIGUIDE]
    run_import(dataset.write())
    assert Structure.objects.get(id=PAGNOL_SOLIGUIDE).score_qualite == 0


def test_upstream_score_is_kept_when_given(dataset, run_import):
    dataset.service(PERMIS)["score_qualite"] = 0.37
    run_import(dataset.write())
    assert Service.objects.get(id=PERMIS).score_qualite == 0.37


def test_cross_source_duplicates_share_a_group(dataset, run_import):
    run_import(dataset.write())
    groups = dict(Structure.objects.values_list("id", "duplicate_group"))
    # Same normalised name, address and commune, different producers.
    assert groups[PAGNOL] == groups[PAGNOL_SOLIGUIDE] is not None
    assert groups["dora--mission-locale-roubaix"] is None


def test_reimport_of_unchanged_files_writes_nothing(dataset, run_import):
    folder = dataset.write()
    run_import(folder)
    before = snapshot()
    run_import(folder)
    assert snapshot() == before
    counts = ImportRun.objects.first().counts
    assert counts["structures"]["inchangees"] == 3
    assert counts["services"]["inchangees"] == 3
    assert counts["services"]["creees"] == counts["services"]["mises_a_jour"] == 0


def test_changed_record_is_updated_and_others_untouched(dataset, run_import):
    run_import(dataset.write())
    untouched = Service.objects.get(id=PERMIS).updated_at
    dataset.service(ATELIER)["nom"] = "Ateliers numériques du mercredi"
    run_import(dataset.write())
    assert Service.objects.get(id=ATELIER).nom == "Ateliers numériques du mercredi"
    assert Service.objects.get(id=PERMIS).updated_at == untouched
    assert ImportRun.objects.first().counts["services"]["mises_a_jour"] == 1


def test_invalid_records_are_rejected_with_reasons_and_the_rest_imported(dataset, run_import):
    bad_enum = dict(dataset.service(PERMIS), id="dora--typo", thematiques=["mobilite--preparer-un-permi"])
    bad_mail = dict(dataset.service(PERMIS), id="dora--mail", courriel="pas-un-courriel")
    orphan = dict(dataset.service(PERMIS), id="dora--orphelin", structure_id="dora--inconnue")
    twin_a = dict(dataset.service(PERMIS), id="dora--jumeau", nom="Premier jumeau")
    twin_b = dict(dataset.service(PERMIS), id="dora--jumeau", nom="Second jumeau")
    exact_copy = dict(dataset.service(ATELIER))
    dataset.services += [bad_enum, bad_mail, orphan, twin_a, twin_b, exact_copy]
    run_import(dataset.write())

    assert set(Service.objects.values_list("id", flat=True)) == {ATELIER, EPICERIE, PERMIS}
    reasons = {(r.record_id, r.field): r.message for r in RejectedRecord.objects.all()}
    assert reasons[("dora--typo", "thematiques")] == "« mobilite--preparer-un-permi » n'est pas une valeur autorisée."
    assert reasons[("dora--mail", "courriel")] == "Cette adresse électronique n'est pas valide."
    assert reasons[("dora--orphelin", "structure_id")] == (
        "Structure « dora--inconnue » absente du fichier et inconnue des imports précédents."
    )
    assert "plusieurs fois dans le fichier" in reasons[("dora--jumeau", "id")]
    assert not Service.objects.filter(id="dora--jumeau").exists()
    counts = ImportRun.objects.get().counts["services"]
    assert counts["rejetees"] == 4
    assert counts["doublons_identiques_ignores"] == 1


def test_services_of_a_rejected_new_structure_are_rejected(dataset, run_import):
    dataset.structure("dora--mission-locale-roubaix")["siret"] = "123"
    run_import(dataset.write())
    assert not Structure.objects.filter(id="dora--mission-locale-roubaix").exists()
    assert RejectedRecord.objects.filter(record_id=PERMIS, field="structure_id").exists()


def test_absent_records_are_unpublished_then_republished(dataset, run_import):
    full = dataset.copy()
    run_import(dataset.write())
    dataset.services = [record for record in dataset.services if record["id"] != PERMIS]
    run_import(dataset.write())
    permis = Service.objects.get(id=PERMIS)
    assert not permis.is_published
    assert permis.unpublished_reason == "retire-par-la-source"
    assert ImportRun.objects.first().counts["services"]["depubliees"] == 1

    run_import(full.write())
    permis.refresh_from_db()
    assert permis.is_published and permis.unpublished_reason == ""
    assert ImportRun.objects.first().counts["services"]["republiees"] == 1


def test_only_imported_sources_are_unpublished(dataset, run_import):
    run_import(dataset.write())
    dataset.structures = [record for record in dataset.structures if record["source"] == "dora"]
    dataset.services = [record for record in dataset.services if record["source"] == "dora"]
    run_import(dataset.write())
    assert Structure.objects.get(id=PAGNOL_SOLIGUIDE).is_published
    assert Service.objects.get(id=EPICERIE).is_published


def test_partial_import_never_unpublishes(dataset, run_import):
    run_import(dataset.write())
    dataset.services = [record for record in dataset.services if record["id"] != PERMIS]
    run_import(dataset.write(), partial=True)
    assert Service.objects.get(id=PERMIS).is_published


def test_source_option_limits_the_import(dataset, run_import):
    run_import(dataset.write(), sources=["soliguide"])
    assert set(Structure.objects.values_list("source", flat=True)) == {"soliguide"}
    assert list(Service.objects.values_list("id", flat=True)) == [EPICERIE]


def test_rejected_record_keeps_its_last_valid_version_published(dataset, run_import):
    run_import(dataset.write())
    dataset.service(PERMIS)["frais"] = "gratos"
    run_import(dataset.write())
    permis = Service.objects.get(id=PERMIS)
    assert permis.is_published and permis.frais == "gratuit"


def test_curator_correction_survives_a_reimport(dataset, run_import):
    run_import(dataset.write())
    Service.objects.filter(id=ATELIER).update(nom="Atelier numérique (corrigé)", curated_fields=["nom"])
    dataset.service(ATELIER)["nom"] = "Ateliers numériques, nouvelle version"
    dataset.service(ATELIER)["frais"] = "payant"
    run_import(dataset.write())
    atelier = Service.objects.get(id=ATELIER)
    assert atelier.nom == "Atelier numérique (corrigé)"
    assert atelier.upstream_values == {"nom": "Ateliers numériques, nouvelle version"}
    assert atelier.frais == "payant"  # fields the curator did not touch follow the source


def test_hidden_record_stays_hidden(dataset, run_import):
    run_import(dataset.write())
    Service.objects.filter(id=ATELIER).update(
        is_published=False, unpublished_reason="masque-par-un-curateur", unpublished_note="Service fermé"
    )
    dataset.service(ATELIER)["nom"] = "Ateliers numériques renommés"
    run_import(dataset.write())
    atelier = Service.objects.get(id=ATELIER)
    assert not atelier.is_published
    assert atelier.unpublished_reason == "masque-par-un-curateur"


def test_structure_rename_refreshes_its_services_words(dataset, run_import):
    run_import(dataset.write())
    dataset.structure(PAGNOL)["nom"] = "Maison des habitants Wazemmes"
    run_import(dataset.write())
    assert SearchEntry.objects.filter(pk=ATELIER, lexemes__regex=r"\mwazemm\M").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("services.json", '[{"id": "a", "nom": ', "JSON invalide ou tronqué"),
        ("services.json", '{"not": "a list"}', "un tableau JSON d'objets est attendu"),
        ("services.json", '[{"identifiant": "a"}]', "colonnes obligatoires absentes"),
    ],
)
def test_unreadable_file_aborts_and_changes_nothing(dataset, run_import, name, content, message):
    folder = dataset.write()
    run_import(folder)
    before = snapshot()
    (folder / name).write_text(content)
    with pytest.raises(CommandError, match=message):
        run_import(folder)
    assert snapshot() == before


def test_failure_during_the_write_rolls_everything_back(dataset, run_import, monkeypatch):
    run_import(dataset.write())
    before = snapshot()
    dataset.service(ATELIER)["nom"] = "Nom qui ne doit jamais apparaître"
    dataset.services = [record for record in dataset.services if record["id"] != PERMIS]

    def crash(**_arguments):
        raise RuntimeError("panne simulée pendant l'indexation")

    # After the records are written (the clusters are only computed again when structures change).
    monkeypatch.setattr("services.search_index.refresh", crash)
    with pytest.raises(RuntimeError):
        run_import(dataset.write())
    assert snapshot() == before
    failed = ImportRun.objects.first()
    assert failed.status == ImportRun.Status.FAILED
    assert "panne simulée" in failed.message


def test_dry_run_reports_but_changes_nothing(dataset, run_import, capsys):
    run_import(dataset.write(), dry_run=True, verbosity=1)
    assert Structure.objects.count() == 0
    assert not ImportRun.objects.exists()
    assert "Simulation" in capsys.readouterr().out


def test_summary_line_is_printed(dataset, run_import, capsys):
    run_import(dataset.write(), verbosity=1)
    out = capsys.readouterr().out
    assert "Structures : 3 lues, 3 valides, 3 créées" in out
    assert "Services : 3 lues" in out


def test_missing_folder_is_a_clear_error(run_import, tmp_path):
    with pytest.raises(CommandError, match="dossier introuvable"):
        run_import(tmp_path / "absent")


def index_names(table: str) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def foreign_keys(table: str) -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f'",
            [table],
        )
        return set(cursor.fetchall())


BULK_TABLES = ("services_service", "structures_structure", "services_searchentry")


def test_first_bulk_load_rebuilds_indexes_and_keeps_them(dataset, run_import, monkeypatch):
    before = [(index_names(table), foreign_keys(table)) for table in BULK_TABLES]
    monkeypatch.setattr("imports.pipeline.BULK_MIN_ROWS", 0)
    run_import(dataset.write())
    # Indexes built again and foreign keys added again (each checked by one query), as they were.
    assert [(index_names(table), foreign_keys(table)) for table in BULK_TABLES] == before
    assert "service_nom_id" in before[0][0]
    assert any("REFERENCES structures_structure(id) DEFERRABLE" in definition for _, definition in before[0][1])
    assert SearchEntry.objects.filter(lexemes__regex=r"\mnumer\M").exists()
    # A second import is no bulk load (nothing new): indexes untouched, nothing rewritten.
    run_import(dataset.write())
    assert ImportRun.objects.first().counts["services"]["inchangees"] == 3
