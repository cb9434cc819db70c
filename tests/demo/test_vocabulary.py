"""The demo's vocabulary files: every value of the schema's lists they use is the schema's own, and they hold
together (every thématique has services, every kind's references exist)."""

import shutil
import string
from pathlib import Path

from data_inclusion.schema import v1

from demo import vocabulary


def values(enum) -> set[str]:
    return {member.value for member in enum}


# The keys under which the files write values of the schema's lists, wherever they are.
SCHEMA_LISTS = {
    "thematiques": values(v1.Categorie) | values(v1.Thematique),  # a catégorie stands for its thématiques
    "services": values(v1.Thematique),
    "categories": values(v1.Categorie),
    "publics": values(v1.Public),
    "publics_precisions": values(v1.Public),
    "type": values(v1.TypeService),
    "types": values(v1.TypeService),
    "frais": values(v1.Frais),
    "reseaux": values(v1.ReseauPorteur),
    "modes_accueil": values(v1.ModeAccueil),
    "modes_mobilisation": values(v1.ModeMobilisation),
    "mobilisable_par": values(v1.PersonneMobilisatrice),
}


def schema_values(files: dict) -> dict[str, set[str]]:
    """The values written under each key of SCHEMA_LISTS: strings and table keys, at any depth of its value
    (weighted lists like [[["a", "b"], 3], [[], 1]] included)."""
    found = {key: set() for key in SCHEMA_LISTS}

    def under(value) -> set[str]:
        if isinstance(value, str):
            return {value}
        if isinstance(value, dict):
            return set(value)  # their values are walked as the rest of the files
        if isinstance(value, list):
            return set().union(*map(under, value))
        return set()  # a weight

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SCHEMA_LISTS:
                    found[key] |= under(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(list(files.values()))  # each file: the name of a file is no key of its content
    return found


def unknown_schema_values(files: dict) -> dict[str, set[str]]:
    return {key: unknown for key, used in schema_values(files).items() if (unknown := used - SCHEMA_LISTS[key])}


def test_every_value_of_the_schemas_lists_is_the_schemas_own():
    files = vocabulary.read()

    assert unknown_schema_values(files) == {}
    assert all(schema_values(files).values()), "every key of SCHEMA_LISTS is used: the check reads the files"


def test_a_retyped_value_is_found(tmp_path):
    folder = shutil.copytree(vocabulary.FOLDER, tmp_path / "vocabulary")
    path = Path(folder) / "structures.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"ccas-cias"', '"ccas"', 1), encoding="utf-8")
    path = Path(folder) / "services.toml"
    text = path.read_text(encoding="utf-8").replace('type = "atelier"', 'type = "ateliers"', 1)
    path.write_text(text.replace('[["usagers"], 20]', '[["usager"], 20]'), encoding="utf-8")

    assert unknown_schema_values(vocabulary.read(folder)) == {
        "reseaux": {"ccas"},
        "type": {"ateliers"},
        "mobilisable_par": {"usager"},
    }


def test_every_thematique_and_categorie_has_its_words():
    services = vocabulary.read()["services"]

    assert set(services["services"]) == values(v1.Thematique)
    assert set(services["categories"]) == values(v1.Categorie)
    assert all(categorie["sentences"] and categorie["publics"] for categorie in services["categories"].values())
    assert set(services["types"]) == values(v1.TypeService)
    assert set(services["publics_precisions"]) == values(v1.Public)


def test_kinds_refer_to_what_exists():
    files = vocabulary.read()
    producers, profiles = files["producers"]["producers"], files["horaires"]["profiles"]
    placeholders = {"commune", "de_commune", "dept", "dept_de", "nom", "entreprise", "quartier", "secteur", "base"}

    for kind in vocabulary.load()["structures"]["kind"]:
        assert set(kind["sources"][0]) <= set(producers), kind["key"]
        # Two producers that cover every département: a duplicate always finds another one.
        assert len([source for source in kind["sources"][0] if "departements" not in producers[source]]) >= 2
        assert kind["horaires"] in profiles
        templates = [name["nom"] for name in kind["names"][0]] + kind["antennas"]
        for template in templates:
            assert {field for _, field, _, _ in string.Formatter().parse(template) if field} <= placeholders, template
        for template in kind["web"] + kind["email"]:
            assert {field for _, field, _, _ in string.Formatter().parse(template) if field} <= {"c", "n", "d"}
