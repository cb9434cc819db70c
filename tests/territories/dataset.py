"""A small built dataset for territories, and brute-force counts over it (plain Python loops, the contract read
literally), to check the figures against."""

import datetime
import random

from communes.models import Commune
from core.geo import haversine_km
from services import search_index
from services.models import Service
from services.search import CATEGORIES, TOUS_PUBLICS, category_of
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

NORD_EPCI = "200093201"
PARIS_EPCI = "200054781"
PUBLICS = ["jeunes", "seniors", "familles-enfants", TOUS_PUBLICS]
THEMATIQUES = [
    "mobilite--preparer-un-permis",
    "mobilite--etre-accompagne-dans-son-parcours-mobilite",
    "numerique--maitriser-les-fondamentaux-du-numerique",
    "sante--acces-aux-soins",
    "logement-hebergement--louer-un-logement",
]


def build(seed: int = 7) -> dict[str, Commune]:
    """Communes of the Nord (two EPCIs) and of the Pas-de-Calais (région 32), Paris and two arrondissements
    (région 11), a commune déléguée; ~120 services with every kind of zone, mode, coordinates and record."""
    rng = random.Random(seed)

    def commune(code, nom, lat, lon, epci, region="32", population=1000, **kwargs):
        return CommuneFactory(
            code_insee=code,
            nom=nom,
            latitude=lat,
            longitude=lon,
            epci=epci,
            region=region,
            population=population,
            departement=code[:2],
            **kwargs,
        )

    places = {
        "lille": commune("59350", "Lille", 50.63, 3.07, NORD_EPCI, population=236000),
        "roubaix": commune("59512", "Roubaix", 50.69, 3.17, NORD_EPCI, population=98000),
        "hazebrouck": commune("59295", "Hazebrouck", 50.72, 2.54, "200040947", population=21000),
        "fourmies": commune("59249", "Fourmies", 50.02, 4.05, "245901152", population=12000),
        "arras": commune("62041", "Arras", 50.29, 2.78, "200033579", population=41000),
        "calais": commune("62193", "Calais", 50.95, 1.86, "246200364", population=67000),
    }
    places["old"] = CommuneFactory(
        code_insee="59999", nom="Ancienne commune", type=Commune.Type.DELEGUEE, parent=places["lille"],
        departement="59", region="32", epci=NORD_EPCI, population=None, latitude=50.64, longitude=3.08,
    )  # fmt: skip
    paris = commune("75056", "Paris", 48.856, 2.352, PARIS_EPCI, region="11", population=2100000)
    places["paris"] = paris
    for code, lat, lon, population in (("75111", 48.859, 2.379, 140000), ("75120", 48.864, 2.398, 190000)):
        places[code] = commune(
            code, f"Paris {code[-2:]}e", lat, lon, None, region="11", population=population,
            type=Commune.Type.ARRONDISSEMENT, parent=paris,
        )  # fmt: skip
    points = [place for key, place in places.items() if key != "old"]
    zones = [None, ["59"], ["62"], ["75"], [NORD_EPCI], [PARIS_EPCI], ["59350"], ["75056"], ["75111"], ["france"]]
    zones += [["59512", "62"], ["99100"], ["32"]]  # a région's code is never matched
    modes = [["en-presentiel"], ["a-distance"], ["en-presentiel", "a-distance"], None]
    today = datetime.date.today()
    with search_index.batch():  # one refresh of the index for the whole set
        for number in range(120):
            service(rng, number, rng.choice(points), zones, modes, today)
    return places


def service(rng, number, place, zones, modes, today) -> Service:
    source = rng.choice(["dora", "soliguide"])
    structure = StructureFactory(
        id=f"{source}--s{number}", source=source, telephone=rng.choice([None, "0320000000"]), courriel=None
    )
    located = rng.random() < 0.9
    return ServiceFactory(
        id=f"{source}--svc{number:03d}",
        structure=structure,
        code_insee=place.code_insee if located else None,
        latitude=place.latitude + rng.uniform(-0.3, 0.3) if rng.random() < 0.9 else None,
        longitude=place.longitude + rng.uniform(-0.3, 0.3),
        modes_accueil=rng.choice(modes),
        zone_eligibilite=rng.choice(zones),
        thematiques=rng.sample(THEMATIQUES, rng.randint(1, 2)),
        publics=rng.choice([None, *[[value] for value in PUBLICS], ["jeunes", "seniors"]]),
        type=rng.choice(["atelier", "accompagnement", "formation"]),
        frais=rng.choice(["gratuit", "payant", None]),
        date_maj=today - datetime.timedelta(days=rng.randint(0, 1200)),
        telephone=rng.choice([None, None, "0612345678"]),
        score_qualite=rng.choice([None, 0.3, 0.5, 0.8]),
        horaires_accueil=rng.choice([None, "Mo-Fr 09:00-12:00"]),
    )


def published() -> list[Service]:
    return list(Service.objects.published().select_related("structure").order_by("id"))


def on_site(service: Service) -> bool:
    return service.latitude is not None and (service.modes_accueil is None or "en-presentiel" in service.modes_accueil)


def eligible(service: Service, codes) -> bool:
    zone = service.zone_eligibilite
    return zone is None or bool({"france", "99100", *codes} & set(zone))


def place_codes(place: Commune) -> list[str]:
    codes = place.eligibility_codes
    return [code for level in codes.values() for code in level]


def categories(service: Service) -> set[str]:
    return {category_of(value) for value in service.thematiques or []}


def serves_public(service: Service, public: str) -> bool:
    return public == TOUS_PUBLICS or bool({public, TOUS_PUBLICS} & set(service.publics or []))


def living_places() -> list[Commune]:
    """Where people live: communes but the cities of arrondissements, and arrondissements."""
    return [
        place
        for place in Commune.objects.select_related("parent").order_by("code_insee")
        if (place.type == Commune.Type.COMMUNE and place.code_insee != "75056")
        or place.type == Commune.Type.ARRONDISSEMENT
    ]


def nearest_km(place: Commune, category: str, services: list[Service]) -> float:
    """A scan of every on-site service for the need open to the place's residents."""
    codes = place_codes(place)
    distances = [
        haversine_km(service.latitude, service.longitude, place.latitude, place.longitude)
        for service in services
        if on_site(service) and category in categories(service) and eligible(service, codes)
    ]
    return min(distances, default=float("inf"))


def scan() -> dict[tuple[str, str], float]:
    services = published()
    return {
        (place.code_insee, category): nearest_km(place, category, services)
        for place in living_places()
        for category in CATEGORIES
    }
