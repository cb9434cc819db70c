"""generate_demo_data: a realistic, valid and deterministic data·inclusion dataset."""

import datetime
import io
import json
from collections import Counter

import pytest
from data_inclusion.schema import v1
from django.core.management import call_command
from django.core.management.base import CommandError

from communes.models import Commune
from imports.demo import vocabulary

pytestmark = pytest.mark.django_db

SPECIAL_CHARACTERS = ("/", " ", "?", "#", "%")


@pytest.fixture
def demo_communes():
    """Two big towns of one EPCI, a region of two départements, Paris split into an
    arrondissement, a small town and a village."""
    common = {"type": Commune.Type.COMMUNE}
    lille = Commune.objects.create(
        code_insee="59350",
        nom="Lille",
        codes_postaux=["59000", "59160", "59260", "59777", "59800"],
        departement="59",
        region="32",
        epci="200093201",
        population=238_246,
        latitude=50.63046,
        longitude=3.07134,
        **common,
    )
    Commune.objects.create(
        code_insee="59512",
        nom="Roubaix",
        codes_postaux=["59100"],
        departement="59",
        region="32",
        epci="200093201",
        population=98_089,
        latitude=50.68778,
        longitude=3.18266,
        **common,
    )
    Commune.objects.create(
        code_insee="62041",
        nom="Arras",
        codes_postaux=["62000"],
        departement="62",
        region="32",
        epci="246200364",
        population=41_555,
        latitude=50.29017,
        longitude=2.76563,
        **common,
    )
    paris = Commune.objects.create(
        code_insee="75056",
        nom="Paris",
        codes_postaux=["75011"],
        departement="75",
        region="11",
        epci="200054781",
        population=2_103_778,
        latitude=48.85613,
        longitude=2.35603,
        **common,
    )
    Commune.objects.create(
        code_insee="75111",
        nom="Paris 11e Arrondissement",
        type=Commune.Type.ARRONDISSEMENT,
        parent=paris,
        codes_postaux=["75011"],
        departement="75",
        region="11",
        epci="200054781",
        population=139_806,
        latitude=48.85941,
        longitude=2.38005,
    )
    Commune.objects.create(
        code_insee="48095",
        nom="Mende",
        codes_postaux=["48000"],
        departement="48",
        region="76",
        epci="200069946",
        population=15_072,
        latitude=44.5181,
        longitude=3.50133,
        **common,
    )
    Commune.objects.create(
        code_insee="48146",
        nom="Le Pompidou",
        codes_postaux=["48110"],
        departement="48",
        region="76",
        epci=None,
        population=96,
        latitude=44.19972,
        longitude=3.6575,
        **common,
    )
    # Not a place where people live: must never be used.
    Commune.objects.create(
        code_insee="59350",
        nom="Lomme",
        type=Commune.Type.ASSOCIEE,
        parent=lille,
        departement="59",
        region="32",
        population=None,
        latitude=50.64,
        longitude=2.99,
    )


def generate(out, *args, **options) -> str:
    stdout = io.StringIO()
    call_command("generate_demo_data", "--out", str(out), *args, stdout=stdout, **options)
    return stdout.getvalue()


def load(out) -> tuple[list[dict], list[dict]]:
    return (
        json.loads((out / "structures.json").read_text(encoding="utf-8")),
        json.loads((out / "services.json").read_text(encoding="utf-8")),
    )


@pytest.fixture
def mid_size(demo_communes, tmp_path):
    out = tmp_path / "mid"
    generate(out, "--structures", "2000", "--services", "2800", "--seed", "7", verbosity=0)
    return load(out)


def test_default_run_writes_the_requested_counts_and_says_so_in_french(demo_communes, tmp_path):
    out = tmp_path / "demo"
    output = generate(out)

    structures, services = load(out)
    assert len(structures) == 1000
    assert len(services) == 1400
    assert output == f"Jeu de démonstration : 1 000 structures, 1 400 services écrits dans {out}.\n"
    assert generate(tmp_path / "quiet", "--structures", "3", "--services", "4", verbosity=0) == ""


def test_every_record_is_valid_for_the_official_models(mid_size):
    structures, services = mid_size

    for record in structures:
        assert list(record) == list(v1.Structure.model_fields)
        v1.Structure.model_validate(record)
    for record in services:
        assert list(record) == list(v1.Service.model_fields)
        v1.Service.model_validate(record)
    structure_ids = [record["id"] for record in structures]
    service_ids = [record["id"] for record in services]
    assert len(set(structure_ids)) == len(structure_ids)
    assert len(set(service_ids)) == len(service_ids)
    assert {record["structure_id"] for record in services} <= set(structure_ids)
    sources = {record["id"]: record["source"] for record in structures}
    assert all(record["source"] == sources[record["structure_id"]] for record in services)
    assert all(record["id"].startswith(record["source"] + "--") for record in structures + services)
    assert all(not record["nom"].endswith(".") for record in structures + services)


def test_same_seed_gives_the_same_files_another_seed_does_not(demo_communes, tmp_path):
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        generate(tmp_path / name, "--structures", "200", "--services", "300", "--seed", seed, verbosity=0)

    def content(name):
        return [(tmp_path / name / file).read_bytes() for file in ("structures.json", "services.json")]

    assert content("a") == content("b")
    assert content("a") != content("c")


def test_departements_restrict_the_geography(demo_communes, tmp_path):
    out = tmp_path / "lozere"
    generate(out, "--structures", "600", "--services", "800", "--departements", "48", verbosity=0)
    structures, services = load(out)

    assert {record["code_insee"] for record in structures} <= {"48095", "48146", None}
    assert {record["code_postal"] for record in structures} <= {"48000", "48110"}
    assert {record["code_insee"] for record in services} <= {"48095", "48146", None}
    assert {record["commune"] for record in structures} == {"Mende", "Le Pompidou"}
    # A village of 96 people still has some structures, not a France Travail agency.
    pompidou = [record for record in structures if record["commune"] == "Le Pompidou"]
    assert pompidou
    assert not any("France Travail" in record["nom"] for record in pompidou)
    zone_codes = {code for record in services for code in record["zone_eligibilite"] or []}
    assert zone_codes <= {"48095", "48146", "200069946", "48", "france", "99100"}


def test_unknown_departement_is_refused_in_french(demo_communes, tmp_path):
    with pytest.raises(CommandError, match="Aucune commune importée pour le\\(s\\) département\\(s\\) : 2A"):
        generate(tmp_path / "x", "--departements", "59,2a")


def test_coordinates_stay_near_the_commune_and_arrondissements_are_used(mid_size):
    structures, _ = mid_size
    lille = [record for record in structures if record["code_insee"] == "59350" and record["latitude"]]
    assert lille
    assert all(abs(record["latitude"] - 50.63046) < 0.03 for record in lille)
    assert all(abs(record["longitude"] - 3.07134) < 0.045 for record in lille)
    assert sum(record["latitude"] is None for record in structures) > 0
    paris = [record for record in structures if record["commune"] == "Paris"]
    assert {record["code_insee"] for record in paris} <= {"75111", "75056", None}
    assert Counter(record["code_insee"] for record in paris).most_common(1)[0][0] == "75111"
    assert "Lomme" not in {record["commune"] for record in structures}


def test_ids_with_special_characters_are_a_few_percent(demo_communes, tmp_path):
    generate(tmp_path / "demo", verbosity=0)
    structures, services = load(tmp_path / "demo")
    ids = [record["id"] for record in structures + services]

    unusual = [record_id for record_id in ids if not record_id.isascii() or any(c in record_id for c in "/ ?#%")]
    assert 0.01 < len(unusual) / len(ids) < 0.06
    for character in SPECIAL_CHARACTERS:
        assert any(character in record_id for record_id in ids), character
    assert any(not record_id.isascii() for record_id in ids)


def test_a_mid_size_run_uses_every_value_with_realistic_frequencies(mid_size):
    structures, services = mid_size

    categories = {value.split("--")[0] for record in services for value in record["thematiques"] or []}
    assert categories == {categorie.value for categorie in v1.Categorie}
    assert {record["frais"] for record in services} == {frais.value for frais in v1.Frais} | {None}
    assert {record["type"] for record in services} == {type_.value for type_ in v1.TypeService} | {None}
    assert {tuple(record["modes_accueil"] or ()) for record in services} == {
        ("en-presentiel",),
        ("a-distance",),
        ("en-presentiel", "a-distance"),
        (),
    }
    assert {p for record in services for p in record["publics"] or []} == {public.value for public in v1.Public}
    assert {m for record in services for m in record["modes_mobilisation"] or []} == {
        mode.value for mode in v1.ModeMobilisation
    }
    assert {tuple(record["mobilisable_par"] or ()) for record in services} >= {
        ("usagers",),
        ("professionnels",),
        ("usagers", "professionnels"),
        (),
    }

    frais = Counter(record["frais"] for record in services)
    assert frais["gratuit"] > frais["payant"] + frais[None]
    publics = Counter(tuple(record["publics"] or ()) for record in services)
    assert publics.most_common(1)[0][0] == ("tous-publics",)
    thematiques_count = Counter(len(record["thematiques"] or ()) for record in services)
    assert thematiques_count[1] > thematiques_count[2] > thematiques_count[3] > 0
    assert all(
        record["publics"] == ["tous-publics"] for record in services if "tous-publics" in (record["publics"] or [])
    )

    zones = Counter(_zone_kind(record["zone_eligibilite"]) for record in services)
    assert set(zones) == {"commune", "epci", "departement", "region", "france", "pays", None}

    lengths = [len(record["description"]) for record in services]
    assert any(length < 50 for length in lengths)
    assert any(length > 2000 for length in lengths)
    assert sum(200 <= length <= 2000 for length in lengths) > 0.6 * len(lengths)

    horaires = Counter(record["horaires_accueil"] for record in structures)
    assert horaires[None] > 0
    assert horaires["Mo-Fr 09:00-12:00,14:00-17:00"] > 0
    assert any(value in horaires for value in ("Mo-Fr 9h-12h", "sur rendez-vous", "Mo-Fr 09:00-"))
    addresses = {record["id"]: record["adresse"] for record in structures}
    own_address = sum(
        record["adresse"] is not None and record["adresse"] != addresses[record["structure_id"]] for record in services
    )
    assert 0.03 * len(services) < own_address < 0.3 * len(services)


def _zone_kind(zone):
    if zone is None:
        return None
    if zone in (["france"], ["99100"]):
        return "france" if zone == ["france"] else "pays"
    if len(zone) > 1 and all(len(code) <= 3 for code in zone):
        return "region"
    return {5: "commune", 9: "epci", 2: "departement", 3: "departement"}[len(zone[0])]


def test_cross_source_duplicates_share_a_siret_or_a_name_and_address(mid_size):
    structures, _ = mid_size

    def cross_source_groups(key):
        groups = {}
        for record in structures:
            value = key(record)
            if value:
                groups.setdefault(value, set()).add(record["source"])
        return [sources for sources in groups.values() if len(sources) > 1]

    by_siret = cross_source_groups(lambda record: record["siret"])
    by_place = cross_source_groups(
        lambda record: record["adresse"] and (record["nom"].lower(), record["adresse"], record["commune"])
    )
    assert len(by_siret) > 0.005 * len(structures)
    assert len(by_place) > 0.01 * len(structures)
    assert len(by_siret) + len(by_place) < 0.1 * len(structures)


def test_dates_spread_over_three_years_never_in_the_future(mid_size):
    structures, services = mid_size
    dates = [datetime.date.fromisoformat(record["date_maj"]) for record in structures + services]
    today = datetime.date.today()

    assert max(dates) <= today
    assert min(dates) >= today - datetime.timedelta(days=3 * 366)
    assert sum(date < today - datetime.timedelta(days=365) for date in dates) > 0.2 * len(dates)


def test_structure_names_and_networks_match(mid_size):
    structures, _ = mid_size
    by_name = {record["nom"]: record for record in structures}

    ccas = [record for name, record in by_name.items() if name.startswith("CCAS de ")]
    assert ccas
    assert all("ccas-cias" in (record["reseaux_porteurs"] or ["ccas-cias"]) for record in ccas)
    agencies = [record for name, record in by_name.items() if name.startswith("France Travail ")]
    assert agencies
    assert all(record["reseaux_porteurs"] == ["france-travail"] for record in agencies)
    assert any(record["siret"] and record["siret"].startswith("130005481") for record in agencies)
    missions = [record for name, record in by_name.items() if name.startswith("Mission locale")]
    assert missions
    assert all(record["reseaux_porteurs"] == ["mission-locale"] for record in missions)


def test_vocabulary_names_a_service_for_every_thematique():
    assert set(vocabulary.SERVICES) == {thematique.value for thematique in v1.Thematique}
    assert set(vocabulary.CATEGORY_SENTENCES) == {categorie.value for categorie in v1.Categorie}
    assert {template.type for templates in vocabulary.SERVICES.values() for template in templates} <= {
        type_.value for type_ in v1.TypeService
    }


def test_empty_commune_table_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="Importez d'abord les communes : python manage.py import_communes"):
        generate(tmp_path / "demo")
    assert not (tmp_path / "demo").exists()


def test_services_need_structures(demo_communes, tmp_path):
    with pytest.raises(CommandError, match="sans structure"):
        generate(tmp_path / "demo", "--structures", "0", "--services", "5")
