"""The place a search means: by its INSEE code (Commune.objects.by_code: a code can be shared by a commune nouvelle
and its communes déléguées, the chef-lieu keeping the code, and by a commune déléguée and a commune associée), or by
a point, "autour de moi" (Commune.objects.nearest)."""

import pytest

from communes.models import Commune
from tests.communes.factories import CommuneFactory

pytestmark = pytest.mark.django_db
TYPES = Commune.Type


def test_the_commune_comes_before_the_communes_deleguees_of_its_code():
    # Created first, so that the table's order would give the déléguée.
    CommuneFactory(code_insee="01033", nom="Bellegarde-sur-Valserine", type=TYPES.DELEGUEE)
    nouvelle = CommuneFactory(code_insee="01033", nom="Valserhône")
    CommuneFactory(code_insee="01033", nom="Châtillon-en-Michaille", type=TYPES.ASSOCIEE, parent=nouvelle)
    assert Commune.objects.by_code("01033") == nouvelle


def test_a_code_of_subdivisions_only_gives_one_of_them_always_the_same():
    parent = CommuneFactory(code_insee="49018", nom="Baugé-en-Anjou")
    CommuneFactory(code_insee="49131", nom="Fougeré", type=TYPES.DELEGUEE, parent=parent)
    associee = CommuneFactory(code_insee="49131", nom="Fougeré associée", type=TYPES.ASSOCIEE, parent=parent)
    # By the name of its type: "commune-associee" before "commune-deleguee".
    found = Commune.objects.by_code("49131")
    assert found == associee
    # What the search reads of it: its parent's codes make it eligible where its commune is.
    assert found.parent == parent
    assert found.eligibility_codes["commune"] == ["49131", "49018"]


def test_an_arrondissement_and_its_city():
    paris = CommuneFactory(code_insee="75056", nom="Paris")
    onzieme = CommuneFactory(
        code_insee="75111", nom="Paris 11e Arrondissement", type=TYPES.ARRONDISSEMENT, parent=paris
    )
    assert Commune.objects.by_code("75111") == onzieme
    assert Commune.objects.by_code("75111").parent == paris
    assert Commune.objects.by_code("75056") == paris


@pytest.mark.parametrize("code", ["99999", "", "7511", "75111'--"])
def test_no_place_for_an_unknown_code(code):
    CommuneFactory(code_insee="75111", nom="Paris 11e Arrondissement")
    assert Commune.objects.by_code(code) is None


def test_the_nearest_commune_or_arrondissement_of_a_point():
    paris = CommuneFactory(code_insee="75056", nom="Paris", latitude=48.8566, longitude=2.3522)
    onzieme = CommuneFactory(
        code_insee="75111",
        nom="Paris 11e",
        type=TYPES.ARRONDISSEMENT,
        parent=paris,
        latitude=48.8590,
        longitude=2.3800,
    )
    CommuneFactory(code_insee="94080", nom="Vincennes", latitude=48.8474, longitude=2.4390)
    # Nearer than any, but never a place people live in by itself.
    CommuneFactory(code_insee="75111", nom="Déléguée", type=TYPES.DELEGUEE, latitude=48.8591, longitude=2.3801)
    found = Commune.objects.nearest(48.8592, 2.3802)
    assert found == onzieme and found.parent == paris
    assert Commune.objects.nearest(48.8475, 2.4380).nom == "Vincennes"


def test_the_nearest_commune_far_from_a_point_and_ties_by_code():
    # 3° away: found by the widest boxes.
    CommuneFactory(code_insee="29019", nom="Brest", latitude=48.39, longitude=-4.49)
    assert Commune.objects.nearest(48.39, -1.49).nom == "Brest"
    CommuneFactory(code_insee="29018", nom="Jumelle", latitude=48.39, longitude=-4.49)
    assert Commune.objects.nearest(48.39, -1.49).nom == "Jumelle"


def test_no_commune_near_a_point():
    CommuneFactory(code_insee="29019", nom="Brest", latitude=48.39, longitude=-4.49)
    assert Commune.objects.nearest(-45.0, 120.0) is None
