"""Eligibility zones (zone_eligibilite codes) said in words: "Habitants du Nord (59)"."""

from communes.departements import DEPARTEMENTS
from communes.models import NATIONAL_CODES, Commune


def describe_zone(codes: list[str] | None) -> list[str]:
    """One French phrase per code, in the order given; two queries at most."""
    if not codes:
        return ["Sans condition de lieu de résidence"]
    if any(code in NATIONAL_CODES for code in codes):
        return ["Toute la France"]
    commune_codes = [code for code in codes if len(code) == 5]
    epci_codes = [code for code in codes if len(code) == 9]
    communes = {
        commune.code_insee: commune.nom
        for commune in Commune.objects.searchable().filter(code_insee__in=commune_codes).only("code_insee", "nom")
    }
    epci_names = _epci_names(epci_codes)
    phrases = []
    for code in codes:
        if code in DEPARTEMENTS:
            _name, of_name = DEPARTEMENTS[code]  # "du Nord", "de l'Ain", "des Ardennes"
            phrases.append(f"Habitants {of_name} ({code})")
        elif code in communes:
            phrases.append(f"Habitants de {communes[code]}")
        elif code in epci_names:
            phrases.append(f"Habitants de l'intercommunalité de {epci_names[code]}")
        else:
            phrases.append(f"Zone {code}")
    return phrases


def _epci_names(epci_codes: list[str]) -> dict[str, str]:
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
