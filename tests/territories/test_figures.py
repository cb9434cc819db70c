"""Every figure of a territory against a brute-force count on a small built dataset, and every figure's link
against the search it leads to."""

import math
from datetime import date
from urllib.parse import urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict

from communes.models import Commune
from communes.territories import Territory
from core.geo import haversine_km
from services.engine import Search
from services.pages import search_form
from services.search import CATEGORIES
from territories import atlas
from territories.pages import TerritoryPage
from territories.reliability import months_before
from tests.territories import dataset as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return data.build()


def page_of(slug: str, query: str = "") -> TerritoryPage:
    return TerritoryPage(Territory.parse(slug), QueryDict(query), "default")


def search_of(url: str) -> Search:
    filterset = search_form(QueryDict(urlsplit(url).query))
    assert filterset.is_valid(), filterset.form.errors
    return Search.of(filterset.params())


def in_territory(territory: Territory) -> list[Commune]:
    return list(territory.places().select_related("parent"))


@pytest.mark.parametrize("slug", ["departement-59", "region-32", "epci-200093201", "departement-75", "france"])
def test_offer_by_category_and_public_is_a_brute_force_count(places, slug):
    territory = Territory.parse(slug)
    services, rows = data.published(), in_territory(territory)
    codes = {place.code_insee for place in rows}
    on_site = [service for service in services if service.code_insee in codes and data.on_site(service)]
    open_to = [service for service in services if any(data.eligible(service, data.place_codes(p)) for p in rows)]
    tables = {table.facet: table for table in page_of(slug).offer().tables()}
    for row in tables["categories"].rows:
        assert row.on_site.count == sum(row.value in data.categories(service) for service in on_site)
        assert row.open.count == sum(row.value in data.categories(service) for service in open_to)
    for row in tables["thematiques"].rows:
        assert row.on_site.count == sum(row.value in (service.thematiques or []) for service in on_site)
    for row in tables["publics"].rows:
        assert row.on_site.count == sum(data.serves_public(service, row.value) for service in on_site)
        assert row.open.count == sum(data.serves_public(service, row.value) for service in open_to)
    for row in tables["frais"].rows:
        assert row.on_site.count == sum(service.frais == row.value for service in on_site)
    assert sum(row.on_site.count for row in tables["sources"].rows) == len(on_site)


def test_rates_are_per_10000_people_counted_once_beside_the_region_and_france(places):
    offer = page_of("departement-59").offer()
    # Lille, Roubaix, Hazebrouck, Fourmies; the commune déléguée has no population of its own.
    assert offer.counts.population == 236000 + 98000 + 21000 + 12000
    assert offer.total.on_site.rate == pytest.approx(offer.total.on_site.count * 10000 / 367000)
    assert [territory.slug for territory in offer.reference_territories] == ["region-32", "france"]
    france = page_of("france").offer()
    # Paris is counted through its arrondissements only.
    assert france.counts.population == 367000 + 41000 + 67000 + 140000 + 190000
    assert offer.total.on_site.references[1] == pytest.approx(france.total.on_site.rate)


def test_every_offer_figure_links_to_a_search_with_the_same_count(places):
    offer = page_of("departement-59").offer()
    cells = [cell for table in offer.tables() for row in table.rows for cell in (row.on_site, row.open)]
    for cell in [offer.total.on_site, offer.total.open, *cells]:
        assert search_of(cell.url).count == cell.count, cell.url


def test_the_search_page_of_a_figure_says_its_count(client, places):
    offer = page_of("departement-59").offer()
    for cell in (offer.total.on_site, offer.tables()[0].rows[8].on_site):
        html = BeautifulSoup(client.get(cell.url).content, "html.parser")
        count = html.find(id="services-count").get_text(" ", strip=True)
        assert count.split()[0].replace("\u202f", "") == str(cell.count)


def test_nearest_distances_equal_a_scan_of_every_on_site_service(places):
    _, found = atlas.current("default")
    expected = data.scan()
    assert len(found.codes) == len({code for code, _ in expected}) == 8  # 6 communes, 2 arrondissements
    for index, code in enumerate(found.codes):
        for category_index, category in enumerate(CATEGORIES):
            assert found.distance[index, category_index] == pytest.approx(expected[code, category], abs=1e-6), (
                code,
                category,
            )


def test_nearest_service_named_is_at_that_distance_and_open_to_the_place(places):
    _, found = atlas.current("default")
    services = {service.id: service for service in data.published()}
    by_code = {place.code_insee: place for place in data.living_places()}
    checked = 0
    for index, code in enumerate(found.codes):
        for category_index in range(len(CATEGORIES)):
            service_id = found.service_id(int(found.nearest[index, category_index]))
            if service_id is None:
                assert math.isinf(found.distance[index, category_index])
                continue
            service, place = services[service_id], by_code[code]
            assert data.eligible(service, data.place_codes(place))
            distance = haversine_km(service.latitude, service.longitude, place.latitude, place.longitude)
            assert distance == pytest.approx(found.distance[index, category_index], abs=1e-6)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("slug", ["departement-59", "region-32", "france"])
def test_population_beyond_each_threshold_is_a_brute_force_sum(places, slug):
    nearest = data.scan()
    territory = Territory.parse(slug)
    codes = {place.code_insee for place in in_territory(territory)}
    living = [place for place in data.living_places() if place.code_insee in codes]
    total = sum(place.population for place in living)
    for need in page_of(slug).needs:
        for km in (10, 20, 50):
            beyond = sum(place.population for place in living if nearest[place.code_insee, need.category] > km)
            assert need.beyond[km] == pytest.approx(beyond / total)
            assert need.places_beyond[km] == sum(nearest[p.code_insee, need.category] > km for p in living)


def test_listed_communes_are_those_beyond_and_their_links_find_the_nearest_service_first(places):
    nearest = data.scan()
    for category in CATEGORIES:
        page = page_of("region-32", f"besoin={category}&au_dela=10&tri=distance")
        _, rows = page.place_page()
        expected = {code for (code, need), km in nearest.items() if need == category and km > 10}
        assert {row.code for row in rows} == expected & Territory.parse("region-32").commune_codes
        assert [row.distance_km or math.inf for row in rows] == sorted(
            (row.distance_km or math.inf for row in rows), reverse=True
        )
        for row in rows:
            search = search_of(row.search_url)
            first = next((hit for hit in search.hits() if hit.on_site), None)
            if row.distance_km is None:
                assert first is None
            else:
                assert first.distance_km == pytest.approx(row.distance_km, abs=1e-6)
                assert search_of(row.search_url.replace(f"rayon_km={search.params.radius_km}", "rayon_km=10"))


def test_reliability_is_a_brute_force_count_and_each_figure_links_to_its_records(places):
    territory = Territory.parse("departement-59")
    codes = territory.commune_codes
    records = [service for service in data.published() if service.code_insee in codes]
    reliability = page_of("departement-59").reliability()
    total = reliability.summary(reliability.rows)
    assert total.records.count == len(records)
    for months, figure in total.updated.items():
        cutoff = months_before(date.today(), months)
        assert figure.count == sum(service.date_maj >= cutoff for service in records)
    assert total.older.count == sum(service.date_maj < months_before(date.today(), 24) for service in records)
    no_contact = [
        s for s in records if not (s.telephone or s.courriel or s.structure.telephone or s.structure.courriel)
    ]
    assert total.missing["contact"].count == len(no_contact)
    assert total.missing["horaires"].count == sum(
        not (s.horaires_accueil or s.structure.horaires_accueil) for s in records
    )
    assert total.missing["coordonnees"].count == sum(s.latitude is None for s in records)
    scores = [s.score_qualite for s in records if s.score_qualite is not None]
    assert total.mean_score == pytest.approx(np.mean(scores))
    for row in [total, *reliability.by_source()]:
        for figure in [row.records, row.older, *row.updated.values(), *row.missing.values()]:
            assert search_of(figure.url).count == figure.count, figure.url


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)
    assert months_before(date(2026, 3, 31), 24) == date(2024, 3, 31)
