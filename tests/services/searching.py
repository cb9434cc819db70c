"""Searching in tests: the communes the search tests share, and searches with the engine."""

from communes.models import Commune
from services import results
from services.engine import Search
from services.search import Origin, SearchParams
from tests.communes.factories import CommuneFactory

MEL = "200093201"  # Métropole européenne de Lille


def communes() -> dict[str, Commune]:
    """Communes of the Nord, Paris with an arrondissement, and Rennes and Laval (53: a region and a département)."""

    def commune(code, nom, lat, lon, epci, **kwargs):
        return CommuneFactory(
            code_insee=code, nom=nom, latitude=lat, longitude=lon, epci=epci, departement=code[:2], **kwargs
        )

    paris = commune("75056", "Paris", 48.85613, 2.35603, "200054781")
    return {
        "lille": commune("59350", "Lille", 50.63046, 3.07134, MEL),
        "roubaix": commune("59512", "Roubaix", 50.69096, 3.17405, MEL),
        "hazebrouck": commune("59295", "Hazebrouck", 50.72275, 2.5367, "200040947"),
        "dunkerque": commune("59183", "Dunkerque", 51.03774, 2.37665, "245900428"),
        "paris": paris,
        "paris11": commune(
            "75111", "Paris 11e Arrondissement", 48.85876, 2.3792, None, type=Commune.Type.ARRONDISSEMENT, parent=paris
        ),
        "rennes": commune("35238", "Rennes", 48.11198, -1.68186, "243500139", region="53"),
        "laval": commune("53130", "Laval", 48.0707, -0.7703, "245300330"),
    }


def params(place: Commune | None = None, **changes) -> SearchParams:
    return SearchParams(origin=None if place is None else Origin.for_commune(place)).replace(**changes)


def find(place: Commune | None = None, **changes) -> list:
    """The services a search finds, in order, with distance_km and on_site."""
    search = Search.of(params(place, **changes))
    return results.load(search.hits(), search.connection.alias)
