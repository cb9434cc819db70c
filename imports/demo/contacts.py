"""Telephone numbers, SIRET numbers, e-mail addresses and websites as producers send them."""

import zlib

from imports.demo.geography import Place

# First digit after 0 by region: 01 Île-de-France, 02 north-west, 03 north-east,
# 04 south-east, 05 south-west.
REGION_PHONE_PREFIX = {
    "11": "1",
    "24": "2",
    "28": "2",
    "52": "2",
    "53": "2",
    "27": "3",
    "32": "3",
    "44": "3",
    "84": "4",
    "93": "4",
    "94": "4",
    "75": "5",
    "76": "5",
}
DEPARTEMENT_PHONE_PREFIX = {
    # The eastern half of Occitanie dials 04.
    "11": "4",
    "30": "4",
    "34": "4",
    "48": "4",
    "66": "4",
    "971": "590",
    "972": "596",
    "973": "594",
    "974": "262",
    "976": "269",
    "977": "590",
    "978": "590",
}
OVERSEAS_MOBILE_PREFIX = {
    "971": "690",
    "972": "696",
    "973": "694",
    "974": "692",
    "976": "639",
    "977": "690",
    "978": "690",
}


def _digits(rng, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def telephone(rng, place: Place) -> str:
    """A French number in one of the formats producers use (« 03 20 12 34 56 », « +33320123456»…)."""
    if place.departement == "975":
        return f"+508 41 {_digits(rng, 2)} {_digits(rng, 2)}"
    if rng.random() < 0.15:
        prefix = OVERSEAS_MOBILE_PREFIX.get(place.departement) or rng.choice("67")
    else:
        prefix = DEPARTEMENT_PHONE_PREFIX.get(place.departement) or REGION_PHONE_PREFIX.get(place.region, "1")
    national = prefix + _digits(rng, 9 - len(prefix))  # nine digits after the leading 0
    style = rng.random()
    if style < 0.55:
        return "0" + national[0] + " " + " ".join(national[i : i + 2] for i in range(1, 9, 2))
    if style < 0.75:
        return "0" + national
    if style < 0.83:
        return "+33 " + national[0] + " " + " ".join(national[i : i + 2] for i in range(1, 9, 2))
    if style < 0.93:
        return "+33" + national
    return "0" + national[0] + "." + ".".join(national[i : i + 2] for i in range(1, 9, 2))


def luhn_complete(payload: str) -> str:
    """payload followed by the digit that makes it pass the Luhn check, as SIREN and SIRET do."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return payload + str(-total % 10)


def siren_of(rng, strategy: str, kind_key: str, place: Place) -> str:
    if strategy == "commune" or strategy == "ccas":
        # Public bodies: 21… for communes, 26… for CCAS, derived from the commune code.
        code = place.code_insee.replace("2A", "20").replace("2B", "20")
        return luhn_complete(("21" if strategy == "commune" else "26") + code + "0")
    if strategy == "departement":
        # One legal entity per département (the CAF du Nord, the CIDFF du Nord…).
        number = zlib.crc32(f"{kind_key}:{place.departement}".encode()) % 90_000_000 + 10_000_000
        return luhn_complete(str(number))
    if len(strategy) == 9 and strategy.isdigit():
        return strategy
    return luhn_complete(str(rng.randrange(3, 9)) + _digits(rng, 7))


def siret_of(siren: str, establishment: int) -> str:
    """The establishment's SIRET: its SIREN, a NIC numbered from 1, the Luhn digit."""
    return luhn_complete(siren + f"{establishment % 10_000:04d}")


def fill(template: str, commune_slug: str, name_slug: str, departement: str) -> str:
    return template.format(c=commune_slug, n=name_slug, d=departement.lower())
