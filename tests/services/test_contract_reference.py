"""The engine (services.engine) and the brute-force implementation of the contract (contract_reference) give the
same answers: same services in the same order with the same distances and totals, and facet counts equal to the
results of the search with the option chosen — on random data and searches built to hit the contract's edges
(shared points, tied scores, duplicate groups, preferred structures, null arrays, region codes, arrondissements,
points given, remote services without coordinates, sub-needs of chosen needs)."""

import datetime
import random
import zoneinfo

import pytest
from data_inclusion.schema import v1

from services import search_index
from services.engine import Search
from services.models import Service
from services.search import FACETS, RADII_KM, Origin, SearchParams
from structures.models import Structure
from tests.services import contract_reference
from tests.services.factories import ServiceFactory
from tests.services.searching import communes
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

SEARCHES = 320
FACET_SEARCHES = 60
THEMATIQUES = [t.value for t in v1.Thematique]
CATEGORIES = [c.value for c in v1.Categorie]
PUBLICS = [p.value for p in v1.Public]
FRAIS = [f.value for f in v1.Frais]
TYPES = [t.value for t in v1.TypeService]
MODES = [m.value for m in v1.ModeAccueil]
SOURCES = ["dora", "soliguide", "france-travail"]
HOURS = [None, "Mo-Fr 09:00-12:00,14:00-17:00; PH off", "24/7", "Tu 13:00-18:00", "lundi 9h", '"Sur rendez-vous"']
WORDS = ["permis de conduire", "numérique", "emploi", "atelier CV", "aide alimentaire", "mobilité"]
MOMENT = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def some(rng, values, most=3, empty=0.15, null=0.1):
    draw = rng.random()
    if draw < null:
        return None
    if draw < null + empty:
        return []
    return rng.sample(values, rng.randint(1, most))


def zone(rng, place):
    return rng.choice(
        [
            None,
            ["france"],
            ["99100"],
            [place.departement],
            [place.epci or "200054781"],
            [place.code_insee],
            [place.code_insee, place.departement],
            ["53"],  # a region code: never matches (it is also Mayenne's département code)
            [],
        ]
    )


def build_data(rng, places):
    structures = []
    for index in range(60):
        group = f"group-{index // 3}" if index < 24 else None
        structures.append(
            StructureFactory.build(
                id=f"{rng.choice(SOURCES)}--structure-{index:02d}",
                nom=f"Structure {index}",
                date_maj=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 3)),
                duplicate_group=group,
                preferred_in_group=group is not None and rng.random() < 0.1,
                horaires_accueil=rng.choice(HOURS),
            )
        )
    Structure.objects.bulk_create(structures)
    points = [(p.latitude + rng.uniform(-0.3, 0.3), p.longitude + rng.uniform(-0.4, 0.4)) for p in places * 4]
    services = []
    for index in range(800):
        place = rng.choice(places)
        latitude, longitude = rng.choice(points) if rng.random() < 0.85 else (None, None)
        structure = rng.choice(structures)
        services.append(
            ServiceFactory.build(
                id=f"{structure.source}--{rng.choice(['a', 'B', 'é', 'z'])}{index:03d}",
                structure=structure,
                source=structure.source,
                nom=f"{rng.choice(WORDS)} {index}",
                latitude=latitude,
                longitude=longitude,
                modes_accueil=some(rng, MODES, most=2),
                zone_eligibilite=zone(rng, place),
                thematiques=some(rng, THEMATIQUES, most=4),
                publics=some(rng, PUBLICS),
                frais=rng.choice([None, *FRAIS]),
                type=rng.choice([None, *TYPES]),
                score_qualite=rng.choice([None, 0.3, 0.5, 0.5, 0.8]),
                horaires_accueil=rng.choice(HOURS),
            )
        )
    Service.objects.bulk_create(services)
    # Written in bulk, as imports do: the writer then derives texts, scores and the index of every row.
    search_index.refresh()


def needs(rng):
    values = rng.sample(CATEGORIES * 3 + THEMATIQUES, rng.choice([0, 0, 0, 1, 2]))
    if values and rng.random() < 0.3:  # a sub-need of a chosen need, or a need and a sub-need of another
        category = rng.choice(CATEGORIES)
        values = [category, rng.choice([t for t in THEMATIQUES if t.startswith(f"{category}--")])]
    return values


def random_params(rng, places) -> SearchParams:
    origin = None
    if rng.random() < 0.9:
        place = rng.choice(places)
        if rng.random() < 0.2:
            origin = Origin.for_commune(place, place.latitude + 0.05, place.longitude - 0.05)
        else:
            origin = Origin.for_commune(place)
    return SearchParams(origin=origin, radius_km=rng.choice(RADII_KM), at=MOMENT).replace(
        thematiques=needs(rng),
        publics=rng.sample(PUBLICS, rng.choice([0, 0, 0, 1, 2])),
        frais=rng.sample(FRAIS, rng.choice([0, 0, 0, 1])),
        types=rng.sample(TYPES, rng.choice([0, 0, 0, 1])),
        modes_accueil=rng.sample(MODES, rng.choice([0, 0, 0, 1])),
        sources=rng.sample(SOURCES, rng.choice([0, 0, 0, 1])),
        score_qualite_minimum=rng.choice([None, None, None, 0.5]),
        # Stemmed, several words, only a stop word, an unknown word.
        q=rng.choice(["", "", "", "", "permis", "numerique", "ateliers", "emploi aide", "le", "xyzzy"]),
        ouvert=rng.choice(["", "", "", "", "maintenant", "aujourdhui"]),
        collapse_duplicates=rng.random() < 0.8,
    )


@pytest.fixture
def random_data():
    rng = random.Random(2026)
    places = list(communes().values())
    build_data(rng, places)
    return rng, places


def test_the_engine_answers_every_search_as_the_contract_says(random_data):
    rng, places = random_data
    found = 0
    for _ in range(SEARCHES):
        params = random_params(rng, places)
        search = Search.of(params)
        expected = contract_reference.search(params)
        hits = search.hits()
        assert search.count == len(expected), (params, [h.service_id for h in search.hits()])
        assert [hit.service_id for hit in hits] == [service_id for service_id, _, _ in expected], params
        for hit, (_, distance, on_site) in zip(hits, expected, strict=True):
            assert hit.on_site == on_site
            assert hit.distance_km == pytest.approx(distance, abs=1e-9)
        assert search.hits(20, 40) == hits[20:40]
        found += bool(expected)
    assert found > SEARCHES * 0.4  # many searches found something: the comparison means something


def test_a_page_of_hits_is_the_same_slice_of_the_whole_order(random_data):
    """A page sorts only the rows that may come before its end (services.engine.Search.first): ties in distance
    (shared points) and in score included, it is the slice of the whole order."""
    rng, places = random_data
    pages = 0
    for _ in range(80):
        params = random_params(rng, places)
        whole = Search.of(params).hits()
        for start, stop in ((0, 1), (0, 20), (20, 40), (15, 45), (0, len(whole) + 5)):
            assert Search.of(params).hits(start, stop) == whole[start:stop], (params, start, stop)
            pages += len(whole) > stop
    assert pages > 80  # many searches have more results than the page asked: the partial sort was taken


def test_each_facet_count_is_the_count_of_the_search_with_that_option(random_data):
    """Checked against the engine's own results (which the test above checks against the contract), and for a
    few searches against the brute-force implementation directly."""
    rng, places = random_data
    compared = 0
    for index in range(FACET_SEARCHES):
        params = random_params(rng, places)
        counts = Search.of(params).facet_counts()
        for facet in FACETS:
            for value, count in counts[facet].items():
                with_option = params.with_option(facet, value)
                assert count == Search.of(with_option).count, (facet, value, params)
                if index < 3:
                    assert count == len(contract_reference.search(with_option)), (facet, value, params)
                compared += count > 0
    assert compared > 1000
