"""The place a search's INSEE code means (Commune.objects.by_code): a code can be shared by a commune nouvelle and
its communes déléguées (the chef-lieu keeps the code), and by a commune déléguée and a commune associée."""

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
