"""Counts that tell the truth, as people see them: the number shown next to an option on the results page is the
number of results of the page reached by choosing that option too — over many random searches on random data
(services open to everyone, duplicates, remote services, needs and their sub-needs…), for every kind of filter.

The engine's counts are proven against the contract in test_contract_reference.py; this proves the pages show
them where they belong, and that the page reached says the same."""

import random
import re

import pytest
from bs4 import BeautifulSoup
from data_inclusion.schema import v1

from services.search import THEMATIQUES_OF
from structures.models import Structure
from tests.services.searching import communes
from tests.services.test_contract_reference import FRAIS, MODES, PUBLICS, TYPES, build_data

pytestmark = pytest.mark.django_db

SEARCHES = 20
OPTIONS_PER_SEARCH = 12
FACET_NAMES = ("thematiques", "publics", "types", "frais", "modes_accueil", "sources")
CATEGORIES = list(THEMATIQUES_OF)
# Read with regular expressions: parsing 400 whole pages would take most of the test's time. The shapes are those
# of services.options.COUNT_BADGE and of templates/services/search.html, checked with a parser below.
BADGE = re.compile(
    r'<span id="facet-(?P<name>[a-z_]+)-(?P<value>[^"]+)" class="services-facet-count">'
    r'<span aria-hidden="true">\((?P<count>\d+)\)</span>'
)
COUNT = re.compile(r'<p id="services-count"[^>]*>\s*(?P<count>[\d\s\u202f\u00a0]+)')


def shown_count(html: str) -> int:
    """The number of results the page says it has ("1 234 services : …")."""
    return int(re.sub(r"\D", "", COUNT.search(html)["count"]))


def badges(html: str) -> dict[tuple[str, str], int]:
    """Every option's count as shown next to it, by (parameter, value)."""
    return {(match["name"], match["value"]): int(match["count"]) for match in BADGE.finditer(html)}


def random_query(rng, places, sources) -> dict[str, list[str]]:
    query = {"code_commune": [rng.choice(places).code_insee], "rayon_km": [str(rng.choice([5, 10, 20, 50, 100]))]}
    needs = rng.sample(CATEGORIES * 2 + [t.value for t in v1.Thematique], rng.choice([0, 0, 1, 2]))
    if rng.random() < 0.3:  # a need and one of its sub-needs
        category = rng.choice(CATEGORIES)
        needs = [category, rng.choice(THEMATIQUES_OF[category])]
    query["thematiques"] = list(dict.fromkeys(needs))
    query["publics"] = rng.sample(PUBLICS, rng.choice([0, 0, 1, 2]))
    query["frais"] = rng.sample(FRAIS, rng.choice([0, 0, 0, 1]))
    query["types"] = rng.sample(TYPES, rng.choice([0, 0, 0, 1]))
    query["modes_accueil"] = rng.sample(MODES, rng.choice([0, 0, 0, 1]))
    query["sources"] = rng.sample(sources, rng.choice([0, 0, 0, 1]))
    if rng.random() < 0.15:
        query["doublons"] = ["true"]
    if rng.random() < 0.1:
        query.pop("code_commune")
    return {name: values for name, values in query.items() if values}


def with_option(query: dict, name: str, value: str) -> dict:
    """The search once the option is chosen too; a chosen option alone (services.search.SearchParams.with_option)."""
    chosen = query.get(name, [])
    return {**query, name: [value] if value in chosen else [*chosen, value]}


def page_of(client, query) -> str:
    response = client.get("/services/", query)
    assert response.status_code == 200, query  # an invalid search would also be a 200, with its messages
    return response.content.decode()


@pytest.fixture
def random_offer():
    rng = random.Random(15)
    places = list(communes().values())
    build_data(rng, places)
    return rng, places, sorted(set(Structure.objects.values_list("source", flat=True)))


def test_the_count_next_to_each_option_is_the_count_of_the_page_it_leads_to(client, random_offer):
    rng, places, sources = random_offer
    checked = {name: 0 for name in FACET_NAMES}
    for _ in range(SEARCHES):
        query = random_query(rng, places, sources)
        page = page_of(client, query)
        assert "fr-alert--error" not in page, query
        shown = badges(page)
        assert {name for name, _ in shown} == set(FACET_NAMES)
        chosen = [(name, value) for name, values in query.items() if name in FACET_NAMES for value in values]
        # Options with results first, so that most comparisons are not 0 = 0; the chosen ones, and tous-publics.
        candidates = sorted(shown, key=lambda option: (shown[option] == 0, rng.random()))
        sample = [*chosen, ("publics", "tous-publics"), *candidates[:OPTIONS_PER_SEARCH]]
        for name, value in dict.fromkeys(sample):
            reached = page_of(client, with_option(query, name, value))
            assert shown[name, value] == shown_count(reached), (query, name, value)
            checked[name] += shown[name, value] > 0
    assert all(checked.values()), checked  # every kind of filter was compared on non-empty results


def test_choosing_a_sub_need_of_a_chosen_need_narrows_to_it_visibly(client, random_offer):
    """ "Mobilité" chosen, then its sub-need "Préparer un permis": the results narrow to the sub-need (they used to
    stay those of the whole need), the count next to the sub-need said so, and the page says what it searches."""
    need, sub_need = "mobilite", "mobilite--preparer-un-permis"
    query = {"thematiques": [need]}
    page = page_of(client, query)
    whole = shown_count(page)
    announced = badges(page)["thematiques", sub_need]
    narrowed = page_of(client, {"thematiques": [need, sub_need]})
    assert 0 < shown_count(narrowed) == announced < whole
    assert shown_count(narrowed) == shown_count(page_of(client, {"thematiques": [sub_need]}))
    html = BeautifulSoup(narrowed, "html.parser")
    assert "« Mobilité » limité à : Préparer un permis." in html.get_text(" ", strip=True)
    assert html.find("h1").get_text(strip=True) == "Préparer un permis"
    assert html.select_one(".services-need__details[open] .services-need__narrowed")


def test_the_expressions_read_what_a_parser_reads(client, random_offer):
    page = page_of(client, {"code_commune": "59350", "frais": "gratuit"})
    html = BeautifulSoup(page, "html.parser")
    parsed = {}
    for badge in html.select(".services-facet-count"):
        name, value = badge["id"].removeprefix("facet-").split("-", 1)
        if name == "modes":  # modes_accueil: the parameter holds an underscore, the value hyphens
            name, value = "modes_accueil", value.removeprefix("accueil-")
        parsed[name, value] = int(badge.find(attrs={"aria-hidden": "true"}).get_text().strip("()"))
    assert badges(page) == parsed and len(parsed) > 100
    text = html.find(id="services-count").get_text(" ", strip=True)
    assert shown_count(page) == int(text.split(" service")[0].replace("\u202f", "").replace(" ", ""))
