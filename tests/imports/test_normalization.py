"""One normalisation for every format: CSV as pandas writes it, the producer template, trimming."""

import csv
import json
from datetime import date, datetime

import pytest
from django.core.management.base import CommandError

from imports.models import ImportRun, RejectedRecord
from imports.normalization import normalize
from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

ATELIER = "dora--atelier numérique #1"


def write_csv(path, records, delimiter=","):
    """As pandas' to_csv: comma, minimal quoting with doubled quotes, lists as Python repr."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(list(records[0]))
        for record in records:
            writer.writerow(["" if value is None else value for value in record.values()])


def test_a_quote_far_into_the_csv_is_read(dataset, run_import, tmp_path):
    """The dialect is not guessed from the first kilobytes: a doubled quote met later parses."""
    template = dataset.service(ATELIER)
    many = [dict(template, id=f"dora--atelier-{number}", nom=f"Atelier numérique {number}") for number in range(80)]
    many[-1]["description"] = 'Un atelier "pour tous", le mercredi ; venez avec "votre" téléphone.'
    write_csv(tmp_path / "services.csv", many)
    write_csv(tmp_path / "structures.csv", dataset.structures)
    assert (tmp_path / "services.csv").stat().st_size > 20_000
    run_import(tmp_path)
    assert Service.objects.count() == 80
    assert Service.objects.get(id="dora--atelier-79").description.startswith('Un atelier "pour tous"')


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_are_read_when_the_header_uses_them(dataset, run_import, tmp_path, delimiter):
    write_csv(tmp_path / "services.csv", dataset.services, delimiter)
    write_csv(tmp_path / "structures.csv", dataset.structures, delimiter)
    run_import(tmp_path)
    assert Service.objects.get(id=ATELIER).modes_mobilisation == ["se-presenter", "telephoner"]


def test_csv_errors_give_the_physical_line(dataset, run_import, tmp_path):
    dataset.service(ATELIER)["description"] = "Première ligne\nDeuxième ligne\nTroisième ligne"
    write_csv(tmp_path / "services.csv", dataset.services)
    with (tmp_path / "services.csv").open("a", encoding="utf-8") as handle:
        handle.write("dora--x,dora--y,trop,de,colonnes," + "," * 40 + "\n")
    write_csv(tmp_path / "structures.csv", dataset.structures)
    # header: line 1; the atelier spans lines 2-4; two more services: lines 5 and 6; the bad row: line 7.
    with pytest.raises(CommandError, match="services.csv, ligne 7 : plus de colonnes"):
        run_import(tmp_path)
    assert not Structure.objects.exists()


def test_the_producer_template_comma_separated_lists_are_lists(dataset, run_import, tmp_path):
    atelier = dataset.service(ATELIER)
    atelier["modes_accueil"] = "en-presentiel, a-distance"
    atelier["zone_eligibilite"] = "59350, 59512"
    dataset.services = [atelier]
    run_import(dataset.write())
    service = Service.objects.get(id=ATELIER)
    assert service.modes_accueil == ["a-distance", "en-presentiel"]
    assert service.zone_eligibilite == ["59350", "59512"]


def test_text_is_trimmed_and_the_same_record_untrimmed_is_no_change(dataset, run_import):
    run_import(dataset.write())
    atelier = dataset.service(ATELIER)
    atelier["nom"] = f"  {atelier['nom']} \n"
    atelier["id"] = f" {ATELIER} "
    run_import(dataset.write())
    assert Service.objects.get(id=ATELIER).nom == "Ateliers numériques pour débutants"
    assert ImportRun.objects.first().counts["services"]["mises_a_jour"] == 0


def test_score_float_noise_is_rounded(dataset, run_import):
    dataset.service(ATELIER)["score_qualite"] = 0.8699999999999999
    run_import(dataset.write())
    assert Service.objects.get(id=ATELIER).score_qualite == 0.87


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_a_missing_required_field_is_said_to_be_obligatoire(dataset, run_import, empty):
    dataset.service(ATELIER)["description"] = empty
    dataset.service(ATELIER)["nom"] = empty
    run_import(dataset.write())
    reasons = dict(RejectedRecord.objects.filter(record_id=ATELIER).values_list("field", "message"))
    assert reasons == {"description": "Ce champ est obligatoire.", "nom": "Ce champ est obligatoire."}


@pytest.mark.parametrize(
    "value",
    [1712016000000, 1712016000000.0, "2024-04-02", " 2024-04-02 ", date(2024, 4, 2), datetime(2024, 4, 2, 0, 0)],
)
def test_dates_of_every_format_normalise_alike(value):
    assert normalize("service", {"date_maj": value})["date_maj"] == "2024-04-02"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"nombre_semaines": 3.0, "latitude": "50.5"}, {"nombre_semaines": 3, "latitude": 50.5}),
        ({"nombre_semaines": "3.0", "latitude": float("nan")}, {"nombre_semaines": 3, "latitude": None}),
        ({"thematiques": "['b', 'a']"}, {"thematiques": ["a", "b"]}),
        ({"thematiques": ["b", " a", "a", ""]}, {"thematiques": ["a", "b"]}),
        ({"zone_eligibilite": '["75", "92"]'}, {"zone_eligibilite": ["75", "92"]}),
        ({"zone_eligibilite": ""}, {"zone_eligibilite": None}),
    ],
)
def test_numbers_and_lists_of_every_format_normalise_alike(raw, expected):
    normalised = normalize("service", raw)
    assert {name: normalised[name] for name in expected} == expected


def test_a_v0_csv_header_is_refused_whole(dataset, run_import, tmp_path):
    v0 = [{"id": "dora--x", "source": "dora", "nom": "X", "date_maj": "2024-01-01", "presentation_resume": "…"}]
    write_csv(tmp_path / "structures.csv", v0)
    (tmp_path / "services.json").write_text(json.dumps(dataset.services))
    with pytest.raises(CommandError, match="structures au format du schéma data·inclusion v0"):
        run_import(tmp_path)
    assert not Structure.objects.exists()
