"""export_communes: the commune table in the format of import_communes, read back identically."""

import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from communes.models import Commune

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
FIELDS = ("code_insee", "type", "nom", "codes_postaux", "departement", "region", "epci", "population", "latitude")
FIELDS += ("longitude", "parent__code_insee")


def places() -> list[tuple]:
    return list(Commune.objects.searchable().order_by("code_insee", "type").values_list(*FIELDS))


def test_the_exported_file_imports_into_the_same_communes_and_arrondissements(tmp_path):
    call_command("import_communes", FIXTURES / "sample_places.csv", FIXTURES / "sample_subdivisions.csv", verbosity=0)
    before, path, out = places(), tmp_path / "export" / "communes.csv.gz", StringIO()

    call_command("export_communes", str(path), stdout=out)

    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert lines[0] == "code_insee,nom,codes_postaux,departement,region,epci,population,latitude,longitude"
    assert len(lines) == len(before) + 1  # communes and arrondissements, not the communes déléguées
    assert out.getvalue() == f"Communes : {len(before)} écrites dans {path}.\n"
    Commune.objects.all().delete()
    call_command("import_communes", str(path), verbosity=0)
    assert places() == before
    assert Commune.objects.get(code_insee="75111").parent.code_insee == "75056"
    assert Commune.objects.get(code_insee="98415").population is None


def test_an_empty_table_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="La table des communes est vide"):
        call_command("export_communes", str(tmp_path / "communes.csv"))
    assert not (tmp_path / "communes.csv").exists()
