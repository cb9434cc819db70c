"""The search engine: one test per rule of ../shared/docs/search-contract.md."""

import datetime
import zoneinfo

import pytest
from data_inclusion.schema import v1

from services import results
from services.engine import Search
from services.models import Service
from tests.services.factories import ServiceFactory
from tests.services.searching import MEL, find, params
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def at(place, **kwargs):
    """A service located at a commune's point."""
    kwargs.setdefault("zone_eligibilite", None)
    return ServiceFactory(latitude=place.latitude, longitude=place.longitude, **kwargs)


def search(place, **kwargs):
    return find(place, **kwargs)


def ids(results):
    return [service.id for service in results]


def test_roubaix_does_not_get_an_on_site_service_in_dunkerque(places):
    at(places["dunkerque"], id="dunkerque", modes_accueil=["en-presentiel"])
    assert search(places["roubaix"]) == []


def test_lille_to_hazebrouck_is_about_39_km(places):
    at(places["hazebrouck"], id="hazebrouck")
    (result,) = search(places["lille"])
    assert result.distance_km == pytest.approx(38.9, abs=0.5)
    assert result.on_site


def test_haversine_on_the_contract_sphere(places):
    at(places["paris"], id="paris")
    (result,) = search(places["lille"], radius_km=250)  # radius not validated at this level
    # Lille–Paris great-circle distance on a 6371.0088 km sphere.
    assert result.distance_km == pytest.approx(203.9, abs=0.3)


def test_radius_limits_on_site_services(places):
    at(places["roubaix"], id="roubaix")  # ~9 km from Lille
    assert ids(search(places["lille"], radius_km=5)) == []
    assert ids(search(places["lille"], radius_km=10)) == ["roubaix"]


def test_remote_services_come_after_on_site_ones_without_distance(places):
    at(places["dunkerque"], id="a-remote", modes_accueil=["a-distance"])
    at(places["roubaix"], id="z-roubaix")
    at(places["lille"], id="y-lille")
    results = search(places["lille"])
    assert ids(results) == ["y-lille", "z-roubaix", "a-remote"]
    assert results[2].distance_km is None and not results[2].on_site


def test_remote_only_service_nearby_has_no_distance(places):
    at(places["lille"], id="remote-here", modes_accueil=["a-distance"])
    (result,) = search(places["lille"])
    assert result.distance_km is None


def test_unknown_modes_accueil_counts_as_on_site(places):
    at(places["roubaix"], id="unknown", modes_accueil=None)
    (result,) = search(places["lille"])
    assert result.on_site and result.distance_km is not None


def test_on_site_service_without_coordinates_is_excluded(places):
    ServiceFactory(id="nowhere", latitude=None, longitude=None, zone_eligibilite=None)
    assert search(places["lille"]) == []


def test_eligibility_by_commune_epci_departement_and_national(places):
    lille = places["lille"]
    for code in ["59350", MEL, "59", "99100", "france"]:
        at(lille, id=f"zone-{code}", zone_eligibilite=[code])
    at(lille, id="zone-null", zone_eligibilite=None)
    at(lille, id="zone-elsewhere", zone_eligibilite=["62", "59512"])
    found = set(ids(search(lille)))
    assert found == {"zone-59350", f"zone-{MEL}", "zone-59", "zone-99100", "zone-france", "zone-null"}


def test_region_codes_never_match(places):
    # 53 is Bretagne's region code and Mayenne's département code.
    at(places["rennes"], id="region-53", zone_eligibilite=["53"])
    assert search(places["rennes"]) == []


def test_arrondissement_uses_parent_commune_and_its_epci(places):
    paris11 = places["paris11"]
    at(paris11, id="paris-commune", zone_eligibilite=["75056"])
    at(paris11, id="paris-epci", zone_eligibilite=["200054781"])
    at(paris11, id="paris-11", zone_eligibilite=["75111"])
    assert set(ids(search(paris11))) == {"paris-commune", "paris-epci", "paris-11"}


def test_remote_tail_orders_by_specificity_then_score_then_id(places):
    lille = places["lille"]
    far = places["rennes"]
    remote = {"modes_accueil": ["a-distance"], "latitude": far.latitude, "longitude": far.longitude}
    ServiceFactory(id="national-high", zone_eligibilite=["france"], score_qualite=0.9, **remote)
    ServiceFactory(id="national-null", zone_eligibilite=None, score_qualite=0.95, **remote)
    ServiceFactory(id="dept", zone_eligibilite=["59"], score_qualite=0.1, **remote)
    ServiceFactory(id="epci", zone_eligibilite=[MEL, "59"], score_qualite=0.1, **remote)
    ServiceFactory(id="commune", zone_eligibilite=["59", "59350"], score_qualite=0.1, **remote)
    ServiceFactory(id="b-tie", zone_eligibilite=["france"], score_qualite=0.5, **remote)
    ServiceFactory(id="B-tie", zone_eligibilite=["france"], score_qualite=0.5, **remote)
    assert ids(search(lille)) == ["commune", "epci", "dept", "national-null", "national-high", "B-tie", "b-tie"]


def test_category_expands_to_its_thematiques(places):
    at(places["lille"], id="permis", thematiques=["mobilite--preparer-un-permis"])
    at(places["lille"], id="numerique", thematiques=["numerique--acquerir-un-equipement"])
    assert ids(search(places["lille"], thematiques=["mobilite"])) == ["permis"]
    assert ids(search(places["lille"], thematiques=["mobilite--preparer-un-permis"])) == ["permis"]


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (["tous-publics"], {"for-all", "for-women", "for-nobody-said"}),
        (["femmes"], {"for-all", "for-women"}),
        (["jeunes"], {"for-all"}),
    ],
)
def test_publics_rules(places, asked, expected):
    at(places["lille"], id="for-all", publics=["tous-publics"])
    at(places["lille"], id="for-women", publics=["femmes"])
    at(places["lille"], id="for-nobody-said", publics=None)
    assert set(ids(search(places["lille"], publics=asked))) == expected


def test_scalar_and_array_filters(places):
    lille = places["lille"]
    at(lille, id="free-workshop", frais="gratuit", type="atelier", source="dora", modes_accueil=["en-presentiel"])
    at(lille, id="paid-training", frais="payant", type="formation", source="soliguide", modes_accueil=["a-distance"])
    assert ids(search(lille, frais=["gratuit"])) == ["free-workshop"]
    assert ids(search(lille, types=["formation", "information"])) == ["paid-training"]
    assert ids(search(lille, sources=["soliguide"])) == ["paid-training"]
    assert ids(search(lille, modes_accueil=["a-distance"])) == ["paid-training"]


def test_score_minimum(places):
    at(places["lille"], id="good", score_qualite=0.8)
    at(places["lille"], id="poor", score_qualite=0.3)
    at(places["lille"], id="unscored", score_qualite=None)
    assert ids(search(places["lille"], score_qualite_minimum=0.5)) == ["good"]


def test_text_search_is_accent_case_and_stem_insensitive(places):
    lille = places["lille"]
    at(lille, id="permis", nom="Aide à la MOBILITÉ", description="Des ateliers pour passer le permis.")
    for query in ["mobilite", "Mobilité", "atelier", "ateliers permis"]:
        assert ids(search(lille, q=query)) == ["permis"], query
    assert ids(search(lille, q="logement")) == []


def test_only_published_services_of_published_structures(places):
    lille = places["lille"]
    at(lille, id="visible")
    at(lille, id="hidden", is_published=False)
    at(lille, id="orphaned", structure=StructureFactory(is_published=False))
    assert ids(search(lille)) == ["visible"]


def test_without_origin_orders_by_score_then_id(places):
    ServiceFactory(id="b", score_qualite=0.5)
    ServiceFactory(id="a", score_qualite=0.5)
    ServiceFactory(id="c", score_qualite=0.9)
    ServiceFactory(id="d", score_qualite=None)
    assert ids(find()) == ["c", "a", "b", "d"]


def test_duplicate_structures_show_once_unless_asked(places):
    lille = places["lille"]
    best = StructureFactory(id="dora--x", score_qualite=0.9, duplicate_group="dora--x")
    other = StructureFactory(id="soliguide--x", score_qualite=0.5, duplicate_group="dora--x")
    at(lille, id="svc-best", structure=best)
    at(lille, id="svc-other", structure=other)
    assert ids(search(lille)) == ["svc-best"]
    assert set(ids(search(lille, collapse_duplicates=False))) == {"svc-best", "svc-other"}


def test_duplicate_choice_is_among_structures_with_a_matching_service(places):
    lille = places["lille"]
    best = StructureFactory(id="dora--x", score_qualite=0.9, duplicate_group="dora--x")
    other = StructureFactory(id="soliguide--x", score_qualite=0.5, duplicate_group="dora--x")
    at(lille, id="svc-best", structure=best, frais="payant")
    at(lille, id="svc-other", structure=other, frais="gratuit")
    assert ids(search(lille, frais=["gratuit"])) == ["svc-other"]


def test_duplicate_tie_breaks_on_date_then_id(places):
    lille = places["lille"]
    old = StructureFactory(id="a--x", score_qualite=0.5, duplicate_group="a--x", date_maj=datetime.date(2024, 1, 1))
    new = StructureFactory(id="b--x", score_qualite=0.5, duplicate_group="a--x", date_maj=datetime.date(2025, 1, 1))
    at(lille, id="svc-old", structure=old)
    at(lille, id="svc-new", structure=new)
    assert ids(search(lille)) == ["svc-new"]


def test_pages_never_overlap(places):
    lille = places["lille"]
    for index in range(45):
        at(lille, id=f"same-distance-{index:02d}", score_qualite=0.5)
    search = Search.of(params(lille))
    pages = [[hit.service_id for hit in search.hits(start, start + 20)] for start in (0, 20, 40)]
    flat = [item for page in pages for item in page]
    assert len(flat) == len(set(flat)) == 45
    assert flat == sorted(flat, key=str.encode)


def test_schema_enums_cover_the_filters():
    assert {mode.value for mode in v1.ModeAccueil} == {"a-distance", "en-presentiel"}


def test_a_curator_choice_represents_the_duplicate_group(places):
    lille = places["lille"]
    best = StructureFactory(id="dora--x", score_qualite=0.9, duplicate_group="dora--x")
    chosen = StructureFactory(id="soliguide--x", score_qualite=0.2, duplicate_group="dora--x", preferred_in_group=True)
    at(lille, id="svc-best", structure=best)
    at(lille, id="svc-chosen", structure=chosen)
    assert ids(search(lille)) == ["svc-chosen"]


PARIS_TZ = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("moment", "ouvert", "expected"),
    [
        # Tuesday 10:00: the office hours and the 24/7 line are open; the Monday one is not.
        (datetime.datetime(2026, 11, 24, 10, 0), "maintenant", {"office", "always", "structure-hours"}),
        # Tuesday 13:00: lunch break; still open at some point today.
        (datetime.datetime(2026, 11, 24, 13, 0), "maintenant", {"always", "structure-hours"}),
        (datetime.datetime(2026, 11, 24, 13, 0), "aujourdhui", {"office", "always", "structure-hours"}),
        # Monday 9:30.
        (datetime.datetime(2026, 11, 23, 9, 30), "maintenant", {"office", "always", "monday", "structure-hours"}),
        # Easter Monday 2026 (public holiday) 9:30: "PH off" closes the office; Monday hours hold.
        (datetime.datetime(2026, 4, 6, 9, 30), "maintenant", {"always", "monday", "structure-hours"}),
        # Sunday.
        (datetime.datetime(2026, 11, 29, 11, 0), "aujourdhui", {"always"}),
    ],
)
def test_open_filter(places, moment, ouvert, expected):
    lille = places["lille"]
    at(lille, id="office", horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00; PH off")
    at(lille, id="always", horaires_accueil="24/7")
    at(lille, id="monday", horaires_accueil="Mo 09:00-12:00")
    at(lille, id="no-hours", horaires_accueil=None, structure=StructureFactory(horaires_accueil=None))
    at(lille, id="garbled", horaires_accueil="lundi 9h-12h")
    at(lille, id="said-nothing", horaires_accueil='"Horaires non communiqués"')  # a comment, not "open"
    with_hours = StructureFactory(horaires_accueil="Mo-Fr 08:00-18:00")
    at(lille, id="structure-hours", horaires_accueil=None, structure=with_hours)
    found = set(ids(search(lille, ouvert=ouvert, at=moment.replace(tzinfo=PARIS_TZ))))
    assert found == expected


def test_remote_services_without_coordinates_come_after_on_site_ones(places):
    ServiceFactory(
        id="a-remote-nowhere", modes_accueil=["a-distance"], latitude=None, longitude=None, zone_eligibilite=None
    )
    far = places["rennes"]
    ServiceFactory(
        id="b-remote-far",
        modes_accueil=["a-distance"],
        latitude=far.latitude,
        longitude=far.longitude,
        zone_eligibilite=None,
    )
    at(places["roubaix"], id="z-roubaix")
    assert ids(search(places["lille"])) == ["z-roubaix", "a-remote-nowhere", "b-remote-far"]


def test_a_sub_need_inside_a_chosen_need_narrows_to_it(places):
    lille = places["lille"]
    at(lille, id="permis", thematiques=["mobilite--preparer-un-permis"])
    at(lille, id="velo", thematiques=["mobilite--mobilite-douce-partagee-collective"])
    at(lille, id="cv", thematiques=["trouver-un-emploi--repondre-a-des-offres-demploi"])
    assert set(ids(search(lille, thematiques=["mobilite"]))) == {"permis", "velo"}
    assert ids(search(lille, thematiques=["mobilite", "mobilite--preparer-un-permis"])) == ["permis"]
    # A sub-need of another need adds to the chosen need.
    both = ["mobilite", "trouver-un-emploi--repondre-a-des-offres-demploi"]
    assert set(ids(search(lille, thematiques=both))) == {"permis", "velo", "cv"}


def test_a_record_unpublished_since_the_index_was_copied_never_shows(places, settings):
    lille = places["lille"]
    at(lille, id="shown")
    at(lille, id="hidden-meanwhile")
    search = Search.of(params(lille))
    assert search.count == 2
    # Hidden without going through the writer: the index in memory still holds it.
    Service.objects.filter(pk="hidden-meanwhile").update(is_published=False)
    assert ids(results.load(search.hits(), search.connection.alias)) == ["shown"]
