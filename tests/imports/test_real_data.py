"""The real-record set (tests/fixtures/real) as data·inclusion publishes it: JSON, CSV and Parquet.

The files are those written by tests/fixtures/real/build.py with pandas, under the published
names (structures-inclusion-YYYY-MM-DD.*, services-inclusion-YYYY-MM-DD.*). The few real records the
import must refuse are named in source/rejected-on-purpose.json; every other record is published.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from imports.models import ImportRun
from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

REAL = Path(__file__).parents[1] / "fixtures" / "real"
PUBLISHED = REAL / "published"
FORMATS = ("json", "csv", "parquet")


def published_folder(tmp_path: Path, fmt: str) -> Path:
    folder = tmp_path / fmt
    folder.mkdir()
    for path in PUBLISHED.glob(f"*.{fmt}"):
        shutil.copy(path, folder / path.name)
    return folder


def published_ids() -> tuple[list[str], list[str]]:
    return (
        sorted(Structure.objects.filter(is_published=True).values_list("id", flat=True)),
        sorted(Service.objects.filter(is_published=True).values_list("id", flat=True)),
    )


def source_ids() -> tuple[list[str], list[str]]:
    """The ids of the set, read from the published JSON with the standard library."""
    return tuple(
        sorted(record["id"] for record in json.loads(next(PUBLISHED.glob(f"{kind}-*.json")).read_text()))
        for kind in ("structures", "services")
    )


def rejected_on_purpose() -> set[tuple[str, str, str]]:
    """(kind, id, field) of the real records the import must refuse."""
    named = json.loads((REAL / "source" / "rejected-on-purpose.json").read_text())
    return {
        (kind, record_id, why["field"]) for kind in ("structure", "service") for record_id, why in named[kind].items()
    }


def expected_published_ids() -> tuple[list[str], list[str]]:
    refused = {(kind, record_id) for kind, record_id, _ in rejected_on_purpose()}
    structures, services = source_ids()
    return (
        [record_id for record_id in structures if ("structure", record_id) not in refused],
        [record_id for record_id in services if ("service", record_id) not in refused],
    )


def rejections() -> set[tuple[str, str, str]]:
    return set(ImportRun.objects.first().rejected_records.values_list("kind", "record_id", "field"))


def test_every_format_imports_the_same_published_records_into_an_empty_database(tmp_path, run_import):
    results = {}
    for fmt in FORMATS:
        Service.objects.all().delete()
        Structure.objects.all().delete()
        run_import(published_folder(tmp_path, fmt))
        results[fmt] = published_ids()
        assert rejections() == rejected_on_purpose(), fmt
        counts = ImportRun.objects.first().counts
        for kind, ids in zip(("structures", "services"), source_ids(), strict=True):
            assert counts[kind]["lues"] == len(ids), fmt
    # Every record of the set but those refused on purpose: no valid real record is lost.
    assert results["json"] == results["csv"] == results["parquet"] == expected_published_ids()


@pytest.mark.parametrize(("first", "second"), [("json", "csv"), ("csv", "parquet"), ("parquet", "json")])
def test_reimporting_in_another_format_changes_nothing(tmp_path, run_import, first, second):
    run_import(published_folder(tmp_path, first))
    before = sorted(Service.objects.values_list("id", "updated_at", "description", "score_qualite"))
    run_import(published_folder(tmp_path, second))
    counts = ImportRun.objects.first().counts
    for kind in ("structures", "services"):
        assert counts[kind]["creees"] == counts[kind]["mises_a_jour"] == 0
        assert counts[kind]["inchangees"] == counts[kind]["valides"] > 0
    assert sorted(Service.objects.values_list("id", "updated_at", "description", "score_qualite")) == before


def test_real_values_survive_every_format(tmp_path, run_import):
    """The tricky values of the set, read the same from each format."""
    for fmt in FORMATS:
        Service.objects.all().delete()
        Structure.objects.all().delete()
        run_import(published_folder(tmp_path, fmt))
        declic = Service.objects.get(id="dora--up emploi/session déclic #1")
        assert declic.structure_id == "dora--1d4384f6-ca66-471d-9d65-d5ac8027a9bc"
        assert 'parcours "renforcé"' in declic.description  # a doubled quote in the CSV
        assert declic.telephone == "+33667892462"
        assert declic.zone_eligibilite == ["75", "77", "78", "91", "92", "93", "94", "95"]
        assert str(declic.date_maj) == "2024-08-27"  # epoch milliseconds in the JSON
        croix_rouge = Service.objects.get(id="dora--44c2aa11-e74b-4340-ab36-b09ba90ff336")
        assert croix_rouge.zone_eligibilite is None
        assert croix_rouge.score_qualite == 0.9  # 0.9000000000000001 in the file
        assert Service.objects.get(id="dora--5e038f04-acde-4a2e-a670-182b9203cbf2").nombre_semaines == 8  # 8.0
        visale = Service.objects.get(nom="Garantie Visale")
        assert visale.description.startswith("## Visale, la garantie 100 % gratuite")
        assert "[visale.fr](https://www.visale.fr/)" in visale.description
        assert visale.thematiques == sorted(visale.thematiques)
        tremplin = Structure.objects.get(id="dora--agence web/tremplin numérique")
        assert tremplin.horaires_accueil.startswith("Mo 00:00-23:59;")
        assert Structure.objects.get(id="cd35--1066").horaires_accueil == "lundi au vendredi 9h-17h"
        assert "<!-- -->" in Structure.objects.get(id="dora--c96b24e6-3d1e-4413-9d6f-7602247ae72f").description
        # Schema v1 as the API gives it (les emplois' copies of DORA records, and their odd ones).
        immersion = Service.objects.get(id="dora--b6f651e2-56d7-4ffa-a1c6-ae7295089a9e")
        assert immersion.description.endswith(
            "[Accéder au service](<https://immersion-facile.beta.gouv.fr/?mtm_campaign=ReferencementIFDORA>)"
        )
        assert immersion.zone_eligibilite == ["france"] and immersion.commune is None
        emplois = Service.objects.get(id="dora--46f7ea19-c97b-4f45-90a9-027b44cad927")
        assert emplois.description.startswith("## **En tant que prescripteur :**\n\n- Vous trouvez")
        assert emplois.publics_precisions.startswith("Public femme en difficulté, Parent isolé")
        assert Service.objects.get(id="mission-locale--with-mobilization-link").zone_eligibilite is None
        bare = Structure.objects.get(id="emplois-de-linclusion--null")
        assert (bare.description, bare.commune, bare.longitude, bare.horaires_accueil) == (None, None, None, None)
        assert Structure.objects.get(id="dora--allowed-structure-without-email").courriel is None  # "" in the answer


def test_a_schema_v0_export_is_refused_whole(tmp_path, run_import):
    """The same records as the v0 API published them: recognised, refused, nothing written."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(PUBLISHED / "structures-inclusion-2025-06-02.json", folder)  # a valid v1 file…
    shutil.copy(REAL / "published-v0" / "services-inclusion-2024-11-05.json", folder)  # …with a v0 one
    with pytest.raises(CommandError) as refused:
        run_import(folder)
    message = str(refused.value)
    assert "schéma data·inclusion v0" in message
    assert "presentation_resume" in message
    assert "rien n'a été importé" in message and "v1" in message
    assert not Structure.objects.exists()
    assert not Service.objects.exists()


def test_the_latest_dated_export_is_taken_and_named(tmp_path, run_import, capsys):
    folder = published_folder(tmp_path, "json")
    older = folder / "services-inclusion-2024-01-01.json"
    older.write_text("[]")  # an older export beside: not read
    (folder / "structures.csv").write_text("pas lu")
    run_import(folder, verbosity=1)
    out = capsys.readouterr().out
    assert "structures : structures-inclusion-2025-06-02.json ; services : services-inclusion-2025-06-02.json" in out
    assert Service.objects.count() == len(expected_published_ids()[1])


def test_one_export_in_several_formats_is_read_once_from_parquet(tmp_path, run_import, capsys):
    folder = tmp_path / "all"
    shutil.copytree(PUBLISHED, folder)
    run_import(folder, verbosity=1)
    assert "structures-inclusion-2025-06-02.parquet ; services : services-inclusion-2025-06-02.parquet" in (
        capsys.readouterr().out
    )


def test_the_fixture_files_match_their_build_script(tmp_path):
    """published/ is what build.py writes from source/: a change to one is made to both."""
    pytest.importorskip("pandas")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_real", REAL / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    structures, services = build.v1_records()
    assert sorted(record["id"] for record in structures) == source_ids()[0]
    assert sorted(record["id"] for record in services) == source_ids()[1]
