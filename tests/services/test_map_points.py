"""The map's points: GeoJSON of every result of a search that has a place to go to, from the same engine as the
pages, in the same order."""

import json

import pytest
from django.urls import reverse

from services import map_points
from services.engine import Search
from services.filters import ServiceSearchFilterSet
from services.models import Service
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
URL = "/services/carte.geojson"


def geojson(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def engine_ids(params) -> list[str]:
    filterset = ServiceSearchFilterSet(params, queryset=Service.objects.none())
    assert filterset.is_valid()
    return [hit.service_id for hit in Search.of(filterset.params()).hits()]


def test_every_result_on_site_of_the_search_not_only_a_page_in_the_pages_order(client, offer):
    params = {"code_commune": "59350"}
    data = geojson(client, params)
    assert data["type"] == "FeatureCollection"
    assert data["total"] == data["shown"] == len(data["features"]) == 25  # the 3 remote services have no place
    on_site = [service_id for service_id in engine_ids(params) if not service_id.startswith("soliguide--remote")]
    assert [feature["properties"]["url"] for feature in data["features"]] == [f"/services/{i}/" for i in on_site]
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [3.07134, 50.63046]}
    assert first["properties"] == {
        "nom": offer[0].nom,
        "structure": "Centre social <b>Pagnol</b>",  # JSON text: the map writes it as text, never as markup
        "url": "/services/dora--svc-00/",
        "distance": "à 10 m",
    }


def test_filters_apply_and_a_search_without_a_place_shows_every_result_with_coordinates(client, offer):
    data = geojson(client, {"code_commune": "59350", "frais": "gratuit"})
    assert data["total"] == 12
    assert all(service.frais == "gratuit" for service in Service.objects.filter(id__in=ids_of(data)))
    data = geojson(client, {"thematiques": "numerique"})
    assert data["total"] == len(data["features"]) == 9
    assert all("distance" not in feature["properties"] for feature in data["features"])


def ids_of(data) -> list[str]:
    return [feature["properties"]["url"].removeprefix("/services/").removesuffix("/") for feature in data["features"]]


def test_a_search_with_more_places_than_a_map_holds_gets_the_nearest_and_says_how_many(client, offer, monkeypatch):
    monkeypatch.setattr(map_points, "MAX_POINTS", 5)
    data = geojson(client, {"code_commune": "59350"})
    assert (data["total"], data["shown"]) == (25, 5)
    assert ids_of(data) == [f"dora--svc-{index:02d}" for index in range(5)]


def test_ids_that_urls_must_escape_link_to_their_page(client, lille):
    odd = ServiceFactory(id="dora--atelier/numérique #1 ?x=%20", latitude=50.63, longitude=3.07)
    data = geojson(client, {"code_commune": "59350"})
    url = data["features"][0]["properties"]["url"]
    assert url == reverse("services:detail", args=[odd.id])
    assert client.get(url).status_code == 200


def test_an_invalid_search_gets_a_french_message(client, offer):
    response = client.get(URL, {"code_commune": "99999"})
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "erreur": "Recherche invalide : Aucune commune ne porte le code « 99999 »."
    }


def test_points_are_kept_until_the_data_changes(client, offer):
    assert client.get(URL, {"code_commune": "59350"})["X-Cache"] == "MISS"
    assert client.get(URL, {"code_commune": "59350"})["X-Cache"] == "HIT"
    ServiceFactory(id="dora--new", latitude=50.631, longitude=3.0714)
    assert geojson(client, {"code_commune": "59350"})["total"] == 26


def test_the_results_carry_the_address_of_their_points(client, offer):
    """The map reads the URL of its points from the results (htmx refreshes both), with the search's parameters."""
    from bs4 import BeautifulSoup

    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get("/services/", {"code_commune": "59350", "frais": "gratuit"}, **headers)
        results = BeautifulSoup(response.content.decode(), "html.parser").find(id="services-results")
        assert results["data-map-url"] == f"{URL}?code_commune=59350&frais=gratuit"


def test_the_content_security_policy_allows_the_tiles_host_for_images_only(client):
    policy = client.get("/services/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["img-src"] == "'self' data: https://data.geopf.fr"
    assert "geopf" not in policy.replace(directives["img-src"], "")
