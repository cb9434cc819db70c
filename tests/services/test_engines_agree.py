"""The in-memory engine and the SQL engine give the same answers: same services in the same
order with the same distances, same totals, same facet counts, on random data and searches
built to hit the contract's edges (shared points, tied scores, duplicate groups, null arrays,
region codes, arrondissements, remote services without coordinates)."""

import datetime
import random
import zoneinfo

import pytest
from data_inclusion.schema import v1

from communes.models import Commune
from services.documents import refresh_search_documents
from services.engines import engine_for, facet_counts
from services.models import Service
from services.search import RADII_KM, Filters, Origin, Query
from structures.models import Structure
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

SEARCHES = 250
THEMATIQUES = [t.value for t in v1.Thematique]
CATEGORIES = [c.value for c in v1.Categorie]
PUBLICS = [p.value for p in v1.Public]
FRAIS = [f.value for f in v1.Frais]
TYPES = [t.value for t in v1.TypeService]
MODES = [m.value for m in v1.ModeAccueil]
SOURCES = ["dora", "soliguide", "france-travail"]
HOURS = [None, "Mo-Fr 09:00-12:00,14:00-17:00; PH off", "24/7", "Tu 13:00-18:00", "lundi 9h"]
WORDS = ["permis de conduire", "numérique", "emploi", "atelier CV", "aide alimentaire", "mobilité"]


def communes():
    def commune(code, nom, lat, lon, epci, **kwargs):
        return CommuneFactory(
            code_insee=code, nom=nom, latitude=lat, longitude=lon, epci=epci, departement=code[:2], **kwargs
        )

    paris = commune("75056", "Paris", 48.85613, 2.35603, "200054781")
    return [
        commune("59350", "Lille", 50.63046, 3.07134, "200093201"),
        commune("59512", "Roubaix", 50.69096, 3.17405, "200093201"),
        commune("59295", "Hazebrouck", 50.72275, 2.5367, "200040947"),
        paris,
        commune("75111", "Paris 11e", 48.85876, 2.3792, None, type=Commune.Type.ARRONDISSEMENT, parent=paris),
        commune("35238", "Rennes", 48.11198, -1.68186, "243500139", region="53"),
        commune("53130", "Laval", 48.0707, -0.7703, "245300330"),
    ]


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
                score_qualite=rng.choice([None, 0.5, 0.5, 0.7, 0.9]),
                date_maj=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 3)),
                duplicate_group=group,
                preferred_in_group=group is not None and rng.random() < 0.1,
                horaires_accueil=rng.choice(HOURS),
            )
        )
    Structure.objects.bulk_create(structures)
    points = [(p.latitude + rng.uniform(-0.5, 0.5), p.longitude + rng.uniform(-0.7, 0.7)) for p in places * 4]
    services = []
    for index in range(500):
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
    refresh_search_documents(service_ids=[service.id for service in services])


def random_query(rng, places) -> Query:
    origin = None
    if rng.random() < 0.9:
        place = rng.choice(places)
        if rng.random() < 0.2:
            origin = Origin.for_commune(place, place.latitude + 0.05, place.longitude - 0.05)
        else:
            origin = Origin.for_commune(place)
    filters = Filters(
        thematiques=rng.sample(THEMATIQUES + CATEGORIES, rng.choice([0, 0, 1, 2])),
        publics=rng.sample(PUBLICS, rng.choice([0, 0, 1, 2])),
        frais=rng.sample(FRAIS, rng.choice([0, 0, 1])),
        types=rng.sample(TYPES, rng.choice([0, 0, 1])),
        modes_accueil=rng.sample(MODES, rng.choice([0, 0, 1])),
        sources=rng.sample(SOURCES, rng.choice([0, 0, 0, 1])),
        score_qualite_minimum=rng.choice([None, None, None, 0.5]),
        # Stemmed, several words, only a stop word, an unknown word.
        q=rng.choice(["", "", "", "", "permis", "numerique", "ateliers", "emploi aide", "le", "xyzzy"]),
        ouvert=rng.choice(["", "", "", "", "maintenant", "aujourdhui"]),
        at=datetime.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    )
    return Query(
        origin=origin,
        radius_km=rng.choice(RADII_KM),
        filters=filters,
        collapse_duplicates=rng.random() < 0.8,
    )


def test_both_engines_answer_every_search_alike():
    rng = random.Random(2026)
    places = communes()
    build_data(rng, places)
    compared = 0
    for _ in range(SEARCHES):
        query = random_query(rng, places)
        sql, memory = engine_for(query, "sql"), engine_for(query, "memory")
        sql_ranked, sql_total = sql.ranked()
        memory_ranked, memory_total = memory.ranked()
        assert memory_total == sql_total, query
        assert [row[0] for row in memory_ranked] == [row[0] for row in sql_ranked], query
        for (_, memory_distance, memory_site), (_, sql_distance, sql_site) in zip(
            memory_ranked, sql_ranked, strict=True
        ):
            assert memory_site == sql_site
            assert memory_distance == pytest.approx(sql_distance, abs=1e-9)
        assert memory.ranked(limit=20, offset=20) == (memory_ranked[20:40], memory_total)
        assert facet_counts(memory) == facet_counts(sql), query
        compared += bool(sql_total)
    assert compared > SEARCHES * 0.4  # many searches found something: the comparison means something
