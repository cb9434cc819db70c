"""Identifiers, telephone numbers, SIRET numbers and links, as producers send them."""

import uuid
import zlib
from collections import Counter
from urllib.parse import quote

from demo.geography import Place
from demo.text import slugify

UNUSUAL_ID_SHARE = 0.03
SLUG_SUFFIX_CHARACTERS = "abcdefghijkmnpqrstuvwxyz23456789"


def telephone(rng, place: Place, phone: dict) -> str:
    """A French number in one of the formats producers use (« 03 20 12 34 56 », « +33320123456 »…)."""
    if place.departement == "975":
        return f"+508 41 {rng.randrange(10, 100)} {rng.randrange(10, 100)}"
    if rng.random() < 0.15:
        prefix = phone["overseas_mobiles"].get(place.departement) or rng.choice("67")
    else:
        prefix = phone["departements"].get(place.departement) or phone["regions"].get(place.region, "1")
    national = prefix + f"{rng.randrange(10 ** (9 - len(prefix))):0{9 - len(prefix)}d}"  # nine digits after the 0
    pairs = [national[i : i + 2] for i in range(1, 9, 2)]
    return rng.choices(*phone["formats"])[0].format(national[0], *pairs, n=national)


def luhn_complete(payload: str) -> str:
    """payload followed by the digit that makes it pass the Luhn check, as SIREN and SIRET do."""
    doubled = (int(char) * (2 - position % 2) for position, char in enumerate(reversed(payload)))
    return payload + str(-sum(digit - 9 if digit > 9 else digit for digit in doubled) % 10)


def siret(rng, kind: dict, place: Place, establishments: Counter) -> str:
    """A SIRET: the SIREN of the legal entity, a NIC numbering its establishments from 1, the Luhn digit."""
    if kind["siren"] in ("commune", "ccas"):
        # Public bodies: 21… for communes, 26… for CCAS, derived from the commune code.
        code = place.code_insee.replace("2A", "20").replace("2B", "20")
        siren = luhn_complete(("21" if kind["siren"] == "commune" else "26") + code + "0")
    elif kind["siren"] == "departement":  # one legal entity per département: the CAF du Nord, the CIDFF du Nord…
        siren = luhn_complete(str(zlib.crc32(f"{kind['key']}:{place.departement}".encode()) % 90_000_000 + 10_000_000))
    else:  # a fixed SIREN (France Travail), or an association or company of its own
        siren = kind["siren"] if kind["siren"].isdigit() else luhn_complete(str(rng.randrange(30_000_000, 90_000_000)))
    establishments[siren] += 1
    return luhn_complete(siren + f"{establishments[siren] % 10_000:04d}")


def link(template: str | None, local_id: str, structure_local_id: str = "") -> str | None:
    return template and template.format(id=quote(local_id, safe=""), structure=quote(structure_local_id, safe=""))


class Ids:
    """Unique ids « <source>--<local id> » in each producer's style; a few percent carry characters that
    URLs and HTML must escape (« / », spaces, accents, « ? », « # », « % », « : »), as real ids do."""

    def __init__(self, unusual: dict):
        self.unusual, self.used, self.numbers = unusual, set(), {}

    def make(self, rng, source: str, style: str, name: str) -> tuple[str, str]:
        """The record's id and its local id."""
        while True:
            local_id = self._local(rng, source, style, name)
            if rng.random() < UNUSUAL_ID_SHARE:
                words, patterns = self.unusual["words"], self.unusual["patterns"]
                local_id = rng.choice(patterns).format(id=local_id, word=rng.choice(words), digit=rng.randrange(1, 10))
            if (record_id := f"{source}--{local_id}") not in self.used:
                self.used.add(record_id)
                return record_id, local_id

    def _local(self, rng, source: str, style: str, name: str) -> str:
        if style == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if style == "objectid":
            return f"{rng.getrandbits(96):024x}"
        if style == "number":  # increasing, with gaps, like a database sequence after deletions
            self.numbers[source] = self.numbers.get(source, rng.randrange(100, 5000)) + rng.randrange(1, 8)
            return str(self.numbers[source])
        return f"{slugify(name)[:50].rstrip('-')}-{''.join(rng.choices(SLUG_SUFFIX_CHARACTERS, k=4))}"
