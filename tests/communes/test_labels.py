"""How places are named to people (Commune.label_for): in the suggestions, the search summary, the service page.

A city of arrondissements is not labelled with one arrondissement's postal code ("Paris (75)", not "Paris (75001)");
namesakes show their département ("Saint-Denis (93)", "Saint-Denis (La Réunion)"); the others their postal code.
"""

import json
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from communes.models import Commune
from communes.search import resolve_commune_input, suggest
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
ARRONDISSEMENT = Commune.Type.ARRONDISSEMENT


@pytest.fixture
def places():
    paris = CommuneFactory(
        code_insee="75056", nom="Paris", codes_postaux=["75001", "75002", "75011"], population=2103778
    )
    lyon = CommuneFactory(code_insee="69123", nom="Lyon", codes_postaux=["69001", "69003"], population=519127)
    return {
        "paris": paris,
        "paris11": CommuneFactory(
            code_insee="75111",
            nom="Paris 11e Arrondissement",
            codes_postaux=["75011"],
            type=ARRONDISSEMENT,
            parent=paris,
        ),
        "lyon": lyon,
        "marseille": CommuneFactory(code_insee="13055", nom="Marseille", codes_postaux=["13001", "13008"]),
        "saint_denis_93": CommuneFactory(
            code_insee="93066", nom="Saint-Denis", codes_postaux=["93200", "93210"], population=113942
        ),
        "saint_denis_974": CommuneFactory(
            code_insee="97411", nom="Saint-Denis", codes_postaux=["97400", "97490"], population=153810
        ),
        "saint_denis_11": CommuneFactory(
            code_insee="11339", nom="Saint-Denis", codes_postaux=["11310"], population=500
        ),
        "lille": CommuneFactory(code_insee="59350", nom="Lille", codes_postaux=["59000", "59800"], population=238246),
        "eparses": CommuneFactory(code_insee="98415", nom="Îles Éparses", departement="984", codes_postaux=[]),
    }


def labels(text: str) -> list[str]:
    return [commune.suggestion_label for commune in suggest(text)]


def test_labels(places):
    labelled = {name: Commune.objects.get(pk=place.pk).label for name, place in places.items()}
    assert labelled == {
        "paris": "Paris (75)",
        "paris11": "Paris 11e Arrondissement (75011)",
        "lyon": "Lyon (69)",
        "marseille": "Marseille (13)",
        "saint_denis_93": "Saint-Denis (93)",
        "saint_denis_974": "Saint-Denis (La Réunion)",
        "saint_denis_11": "Saint-Denis (11)",
        "lille": "Lille (59000)",
        "eparses": "Îles Éparses (984)",
    }


def test_suggestions(places, client):
    assert labels("saint-denis") == ["Saint-Denis (La Réunion)", "Saint-Denis (93)", "Saint-Denis (11)"]
    assert labels("paris") == ["Paris (75)", "Paris 11e Arrondissement (75011)"]
    # A postal code typed: the arrondissement with it, the city without it.
    assert labels("75011") == ["Paris 11e Arrondissement (75011)", "Paris (75)"]
    assert labels("93210") == ["Saint-Denis (93)"]
    assert labels("59800") == ["Lille (59800)"]
    answer = json.loads(client.get("/communes/autocomplete/", {"q": "saint denis", "format": "json"}).content)
    assert [suggestion["label"] for suggestion in answer][:2] == ["Saint-Denis (La Réunion)", "Saint-Denis (93)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paris (75)", "paris"),
        ("Lyon (69)", "lyon"),
        ("Saint-Denis (93)", "saint_denis_93"),
        ("Saint-Denis (La Réunion)", "saint_denis_974"),
        ("saint denis (la reunion)", "saint_denis_974"),
        ("Saint-Denis (974)", "saint_denis_974"),
        ("Saint-Denis (11)", "saint_denis_11"),
        # Labels of before, postal codes typed by hand.
        ("Saint-Denis (93210)", "saint_denis_93"),
        ("Paris (75001)", "paris"),
    ],
)
def test_labels_are_understood_back(places, text, expected):
    """The form without JavaScript submits the label as typed or as the suggestion put it in the field."""
    assert resolve_commune_input(text) == places[expected]


def test_labels_where_people_read_them(places, client):
    response = client.get("/services/", {"code_commune": "75056"})
    assert "autour de Paris (75)" in response.content.decode()
    assert 'value="Paris (75)"' in response.content.decode()
    service = ServiceFactory(latitude=48.93, longitude=2.36)
    page = client.get(f"/services/{quote(service.id, safe='')}/", {"code_commune": "93066"})
    assert "de Saint-Denis (93)" in " ".join(BeautifulSoup(page.content, "html.parser").get_text(" ").split())


def test_zones_name_namesakes_by_their_label(places, client):
    service = ServiceFactory(zone_eligibilite=["97411", "59350"])
    page = client.get(f"/services/{quote(service.id, safe='')}/")
    text = " ".join(BeautifulSoup(page.content, "html.parser").get_text(" ").split())
    assert "Zone : Habitants de Saint-Denis (La Réunion), Habitants de Lille" in text
