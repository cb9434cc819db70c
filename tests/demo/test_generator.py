"""python -m demo: a realistic, valid and deterministic data·inclusion dataset, without Django."""

import datetime
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from data_inclusion.schema import v1

from demo import vocabulary
from demo.__main__ import main
from demo.generator import Generator
from demo.geography import Geography

COMMUNES = Path(__file__).parent / "fixtures" / "sample_places.csv"


def generate(out: Path, *args: str) -> tuple[list[dict], list[dict]]:
    main(["--communes", str(COMMUNES), "--out", str(out), *args])
    return load(out)


def load(out: Path) -> tuple[list[dict], list[dict]]:
    return tuple(json.loads((out / name).read_text(encoding="utf-8")) for name in ("structures.json", "services.json"))


@pytest.fixture(scope="module")
def mid_size(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("mid"), "--structures", "2000", "--services", "2800", "--seed", "7")


def test_writes_the_requested_counts_and_says_so_in_french(tmp_path, capsys):
    structures, services = generate(tmp_path / "demo", "--structures", "1000", "--services", "1400")

    assert (len(structures), len(services)) == (1000, 1400)
    assert capsys.readouterr().out.startswith(
        f"Jeu de démonstration : 1 000 structures, 1 400 services écrits dans {tmp_path / 'demo'} en "
    )


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
    sources = {record["id"]: record["source"] for record in structures}
    assert all(record["source"] == sources[record["structure_id"]] for record in services)
    assert all(record["id"].startswith(record["source"] + "--") for record in structures + services)


def test_same_seed_gives_the_same_files_another_seed_does_not(tmp_path):
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        generate(tmp_path / name, "--structures", "200", "--services", "300", "--seed", seed)

    def content(name):
        return [(tmp_path / name / file).read_bytes() for file in ("structures.json", "services.json")]

    assert content("a") == content("b")
    assert content("a") != content("c")


def test_reads_gzip_communes_and_restricts_the_departements(tmp_path):
    compressed = tmp_path / "communes.csv.gz"
    compressed.write_bytes(gzip.compress(COMMUNES.read_bytes()))
    main(["--communes", str(compressed), "--out", str(tmp_path), "--departements", "48", "--structures", "600"])
    structures, services = load(tmp_path)

    assert {record["commune"] for record in structures} == {"Mende", "Le Pompidou"}
    assert {record["code_insee"] for record in structures + services} <= {"48095", "48146", None}
    assert {record["code_postal"] for record in structures} <= {"48000", "48110"}
    # A village of 96 people still has some structures, not a France Travail agency.
    pompidou = [record for record in structures if record["commune"] == "Le Pompidou"]
    assert pompidou
    assert not any("France Travail" in record["nom"] for record in pompidou)
    zone_codes = {code for record in services for code in record["zone_eligibilite"] or []}
    assert zone_codes <= {"48095", "48146", "200069946", "48", "france", "99100"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--departements", "59,2a"], "sample_places.csv : aucune commune du ou des départements 2A."),
        (["--departements", "987"], "aucune commune du ou des départements 987."),  # the Pacific is left out
        (["--structures", "0", "--services", "5"], "impossible de générer des services sans structure"),
        (["--structures", "-1"], "ne peuvent pas être négatifs"),
        (["--communes", "/nulle/part.csv"], "fichier des communes introuvable : /nulle/part.csv. Indiquez-le"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["--communes", str(COMMUNES), "--out", str(tmp_path / "out"), *arguments])

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_file_without_the_columns_of_import_communes_is_refused(tmp_path, capsys):
    (tmp_path / "communes.csv").write_text("code,nom\n59350,Lille\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--communes", str(tmp_path / "communes.csv"), "--out", str(tmp_path / "out")])

    assert "colonne(s) manquante(s) : code_insee, codes_postaux, departement" in capsys.readouterr().err


def test_a_failed_run_leaves_the_previous_files_untouched(tmp_path):
    structures, services = generate(tmp_path, "--structures", "10", "--services", "10")
    generator = Generator(vocabulary.load(), Geography.from_csv(COMMUNES), seed=1)
    with pytest.raises(ValueError, match="services need structures"):
        generator.write(tmp_path, structures=0, services=5)

    assert load(tmp_path) == (structures, services)


def test_coordinates_stay_near_the_commune_and_arrondissements_stand_for_their_city(mid_size):
    structures, services = mid_size
    lille = [record for record in structures if record["code_insee"] == "59350" and record["latitude"]]
    assert lille
    assert all(abs(record["latitude"] - 50.63046) < 0.03 for record in lille)
    assert all(abs(record["longitude"] - 3.07134) < 0.045 for record in lille)
    assert 0 < sum(record["latitude"] is None for record in structures) < 0.1 * len(structures)
    assert 0 < sum(record["latitude"] is None for record in services) < 0.2 * len(services)
    # Paris is its arrondissement (its people are counted once), named Paris; some producers give Paris's code.
    paris = [record for record in structures if record["commune"] == "Paris"]
    assert Counter(record["code_insee"] for record in paris).most_common(1)[0][0] == "75111"
    assert {"75111", "75056"} <= {record["code_insee"] for record in paris} <= {"75111", "75056", None}
    assert "Papeete" not in {record["commune"] for record in structures}


def test_ids_with_special_characters_are_a_few_percent(mid_size):
    structures, services = mid_size
    ids = [record["id"] for record in structures + services]

    unusual = [record_id for record_id in ids if not record_id.isascii() or any(c in record_id for c in "/ ?#%")]
    assert 0.01 < len(unusual) / len(ids) < 0.06
    for character in ("/", " ", "?", "#", "%"):
        assert any(character in record_id for record_id in ids), character
    assert any(not record_id.isascii() for record_id in ids)


def test_every_value_of_the_schema_appears_with_realistic_frequencies(mid_size):
    structures, services = mid_size

    categories = {value.split("--")[0] for record in services for value in record["thematiques"] or []}
    assert categories == {categorie.value for categorie in v1.Categorie}
    thematiques = {value for record in services for value in record["thematiques"] or []}
    assert len(thematiques) > 0.9 * len(v1.Thematique)
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
    assert {tuple(record["mobilisable_par"] or ()) for record in services} == {
        ("usagers",),
        ("professionnels",),
        ("usagers", "professionnels"),
        (),
    }
    frais = Counter(record["frais"] for record in services)
    assert frais["gratuit"] > frais["payant"] + frais[None]
    publics = Counter(tuple(record["publics"] or ()) for record in services)
    assert publics.most_common(1)[0][0] == ("tous-publics",)
    assert all(
        record["publics"] == ["tous-publics"] for record in services if "tous-publics" in (record["publics"] or [])
    )
    thematiques_count = Counter(len(record["thematiques"] or ()) for record in services)
    assert thematiques_count[1] > thematiques_count[2] > thematiques_count[3] > thematiques_count[0] > 0


def test_eligibility_zones_go_from_the_commune_to_the_country(mid_size):
    _, services = mid_size

    def level(zone):
        if zone is None or zone in (["france"], ["99100"]):
            return zone and zone[0]
        if len(zone) > 1:
            return "communes" if len(zone[0]) == 5 else "region"
        return {5: "commune", 9: "epci", 2: "departement"}[len(zone[0])]

    levels = Counter(level(record["zone_eligibilite"]) for record in services)
    assert set(levels) == {"commune", "communes", "epci", "departement", "region", "france", "99100", None}
    assert levels["departement"] > levels["region"] > levels["99100"]
    # Roubaix shares Lille's EPCI: a list of communes is the commune and others of its EPCI.
    assert any(set(record["zone_eligibilite"] or ()) == {"59350", "59512"} for record in services)
    assert ["59", "62"] in [record["zone_eligibilite"] for record in services]  # the region Hauts-de-France


def test_remote_services_and_services_elsewhere(mid_size):
    structures, services = mid_size
    addresses = {record["id"]: record["adresse"] for record in structures}

    remote_only = [record for record in services if record["modes_accueil"] == ["a-distance"]]
    without_address = [record for record in remote_only if record["adresse"] is None and record["commune"] is None]
    assert 0.2 * len(remote_only) < len(without_address) < 0.6 * len(remote_only)
    own_address = sum(
        record["adresse"] is not None and record["adresse"] != addresses[record["structure_id"]] for record in services
    )
    assert 0.03 * len(services) < own_address < 0.3 * len(services)


def test_descriptions_hours_and_contacts_vary_as_producers_write_them(mid_size):
    structures, services = mid_size

    lengths = [len(record["description"]) for record in services]
    assert any(length < 50 for length in lengths)
    assert any(length > 2000 for length in lengths)
    assert sum(200 <= length <= 2000 for length in lengths) > 0.6 * len(lengths)
    assert any("\n- " in record["description"] for record in services)  # bullet lists
    horaires = Counter(record["horaires_accueil"] for record in structures + services)
    assert horaires[None] > 0
    assert horaires["Mo-Fr 09:00-12:00,14:00-17:00"] > 0
    assert any(value in horaires for value in ("Mo-Fr 9h-12h", "sur rendez-vous", "Mo-Fr 09:00-"))
    telephones = [record["telephone"] for record in structures if record["telephone"]]
    assert any(number.startswith("+33") for number in telephones)
    assert any(number.startswith("03 20") or number.startswith("03.") for number in telephones)
    assert "3949" in telephones  # France Travail's national number
    courriels = {record["courriel"].split("@")[1] for record in structures if record["courriel"]}
    assert "gmail.com" in courriels
    assert any(domain.startswith("ville-") for domain in courriels)


def test_cross_source_duplicates_share_a_siret_or_a_name_and_address(mid_size):
    structures, _ = mid_size

    def cross_source_groups(key):
        groups = {}
        for record in structures:
            if value := key(record):
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


def test_structure_names_networks_and_sirets_match(mid_size):
    structures, _ = mid_size

    ccas = [record for record in structures if record["nom"].startswith("CCAS de ")]
    assert ccas
    assert all("ccas-cias" in (record["reseaux_porteurs"] or ["ccas-cias"]) for record in ccas)
    assert any(record["nom"].startswith("CCAS de Lille – antenne ") for record in structures)
    agencies = [record for record in structures if record["nom"].startswith("France Travail ")]
    assert agencies
    assert all(record["reseaux_porteurs"] == ["france-travail"] for record in agencies)
    assert any(record["siret"] and record["siret"].startswith("130005481") for record in agencies)
    missions = [record for record in structures if record["nom"].startswith("Mission locale")]
    assert missions
    assert all(record["reseaux_porteurs"] == ["mission-locale"] for record in missions)
