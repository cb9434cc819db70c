"""Eligibility zones (zone_eligibilite codes) said in words: "Zone : Habitants du Nord (59)"."""

from communes.departements import DEPARTEMENTS
from communes.models import NATIONAL_CODES, Commune

UNKNOWN_ZONE = "Zone d'éligibilité non précisée"


def describe_zone(codes: list[str] | None) -> str:
    """The line the service page shows: one French phrase per code, in the order given; two queries at most.

    A null zone only says that the producer did not give it: the search treats it as eligible everywhere (see the
    search contract), the page does not pretend it is a rule.
    """
    if not codes:
        return UNKNOWN_ZONE
    if any(code in NATIONAL_CODES for code in codes):
        return "Zone : Toute la France"
    commune_codes = [code for code in codes if len(code) == 5]
    epci_codes = [code for code in codes if len(code) == 9]
    # Namesakes by their label: "Habitants de Saint-Denis (La Réunion)".
    communes = {
        commune.code_insee: commune.label if commune.has_namesake else commune.nom
        for commune in Commune.objects.searchable()
        .filter(code_insee__in=commune_codes)
        .only("code_insee", "type", "nom", "codes_postaux", "departement", "has_namesake")
    }
    names = epci_names(epci_codes)
    phrases = []
    for code in codes:
        if code in DEPARTEMENTS:
            _name, of_name = DEPARTEMENTS[code]  # "du Nord", "de l'Ain", "des Ardennes"
            phrases.append(f"Habitants {of_name} ({code})")
        elif code in communes:
            phrases.append(f"Habitants de {communes[code]}")
        elif code in names:
            phrases.append(f"Habitants de l'intercommunalité de {names[code]}")
        else:
            phrases.append(f"Zone {code}")
    return f"Zone : {', '.join(phrases)}"


def epci_names(epci_codes: list[str]) -> dict[str, str]:
    """An EPCI named after its most populous commune (the reference has no EPCI names)."""
    if not epci_codes:
        return {}
    largest = (
        Commune.objects.searchable()
        .filter(epci__in=epci_codes)
        .order_by("epci", "-population", "code_insee")
        .distinct("epci")
        .only("epci", "nom")
    )
    return {commune.epci: commune.nom for commune in largest}
