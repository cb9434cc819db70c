"""Producers: their share of the offer, the shape of their local ids and of their links.

Ids are « <source>--<local id> ». A few percent of local ids carry characters that URLs and
HTML must escape (« / », spaces, accents, « ? », « # », « % », « : »), as real producers'
ids sometimes do.
"""

import uuid
from urllib.parse import quote

# Share of the structures of each producer that carry a SIRET.
SIRET_RATE = {
    "dora": 0.85,
    "soliguide": 0.25,
    "emplois-de-linclusion": 0.99,
    "france-travail": 0.95,
    "mediation-numerique": 0.55,
    "monenfant": 0.5,
    "action-logement": 0.95,
    "mission-locale": 0.85,
    "fredo": 0.5,
    "cd35": 0.7,
    "agefiph": 0.8,
    "reseau-alpha": 0.4,
    "ma-boussole-aidants": 0.6,
}

# How each producer numbers its records: "uuid", "number", "objectid" (24 hex digits) or "slug".
STRUCTURE_ID_STYLE = {
    "dora": "slug",
    "soliguide": "number",
    "emplois-de-linclusion": "number",
    "france-travail": "number",
    "mediation-numerique": "uuid",
    "monenfant": "number",
    "action-logement": "slug",
    "mission-locale": "number",
    "fredo": "number",
    "cd35": "uuid",
    "agefiph": "uuid",
    "reseau-alpha": "number",
    "ma-boussole-aidants": "number",
}
SERVICE_ID_STYLE = {
    "dora": "uuid",
    "soliguide": "objectid",
    "emplois-de-linclusion": "number",
    "france-travail": "slug",
    "mediation-numerique": "uuid",
    "monenfant": "number",
    "action-logement": "slug",
    "mission-locale": "number",
    "fredo": "number",
    "cd35": "uuid",
    "agefiph": "uuid",
    "reseau-alpha": "number",
    "ma-boussole-aidants": "number",
}

STRUCTURE_LINKS = {
    "dora": "https://dora.inclusion.beta.gouv.fr/structures/{id}",
    "soliguide": "https://soliguide.fr/fr/fiche/{id}",
    "emplois-de-linclusion": "https://emplois.inclusion.beta.gouv.fr/company/{id}/card",
    "france-travail": "https://www.francetravail.fr/annuaire/{id}",
    "mediation-numerique": "https://cartographie.societenumerique.gouv.fr/cartographie/{id}/details",
    "monenfant": "https://monenfant.fr/que-recherchez-vous/mode-d-accueil/{id}",
    "action-logement": "https://www.actionlogement.fr/implantations/{id}",
    "mission-locale": "https://www.unml.info/les-missions-locales/{id}",
    "fredo": "https://www.fredo.re/structures/{id}",
    "cd35": "https://www.ille-et-vilaine.fr/annuaire/{id}",
    "agefiph": "https://www.agefiph.fr/annuaire/{id}",
    "reseau-alpha": "https://www.reseau-alpha.org/structure/apprentissage-du-francais/{id}",
    "ma-boussole-aidants": "https://www.maboussoleaidants.fr/lieux/{id}",
}
SERVICE_LINKS = {
    "dora": "https://dora.inclusion.beta.gouv.fr/services/{id}",
    "soliguide": "https://soliguide.fr/fr/fiche/{structure}",
    "emplois-de-linclusion": "https://emplois.inclusion.beta.gouv.fr/company/job_description/{id}/card",
    "mediation-numerique": "https://cartographie.societenumerique.gouv.fr/cartographie/{structure}/details",
    "monenfant": "https://monenfant.fr/que-recherchez-vous/mode-d-accueil/{structure}",
    "action-logement": "https://www.actionlogement.fr/aides/{id}",
    "mission-locale": "https://www.unml.info/les-missions-locales/{structure}",
    "cd35": "https://www.ille-et-vilaine.fr/annuaire/{structure}",
    "reseau-alpha": "https://www.reseau-alpha.org/structure/apprentissage-du-francais/{structure}/formation/{id}",
    "ma-boussole-aidants": "https://www.maboussoleaidants.fr/lieux/{structure}",
}

UNUSUAL_ID_SHARE = 0.03
UNUSUAL_WORDS = ("antenne", "été", "épicerie", "Lille centre", "siège", "accueil jour", "n°2", "Saint-Étienne")


def unusual(rng, local_id: str) -> str:
    """The local id with characters a URL must escape."""
    word = rng.choice(UNUSUAL_WORDS)
    return rng.choice(
        (
            f"{word}/{local_id}",
            f"{local_id}/{word}",
            f"{word} {local_id}",
            f"{local_id} – {word}",
            f"{local_id}?ref={word}",
            f"{local_id}#{rng.randrange(1, 10)}",
            f"100%-{local_id}",
            f"{local_id}%20bis",
            f"AidantsConnect:{local_id}",
            f"{slug_accents(word)}-{local_id}",
        )
    )


def slug_accents(word: str) -> str:
    return word.lower().replace(" ", "-")


class IdFactory:
    """Unique ids per producer, in each producer's own style."""

    def __init__(self):
        self.used: set[str] = set()
        self.numbers: dict[str, int] = {}

    def make(self, rng, source: str, style: str, slug: str) -> str:
        while True:
            local_id = self._local(rng, source, style, slug)
            if rng.random() < UNUSUAL_ID_SHARE:
                local_id = unusual(rng, local_id)
            record_id = f"{source}--{local_id}"
            if record_id not in self.used:
                self.used.add(record_id)
                return record_id

    def _local(self, rng, source: str, style: str, slug: str) -> str:
        if style == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if style == "objectid":
            return f"{rng.getrandbits(96):024x}"
        if style == "number":
            # Increasing numbers with gaps, like a database sequence after deletions.
            number = self.numbers.get(source, rng.randrange(100, 5000)) + rng.randrange(1, 8)
            self.numbers[source] = number
            return str(number)
        suffix = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(4))
        return f"{slug[:50].rstrip('-')}-{suffix}"


def link(template: str | None, local_id: str, structure_local_id: str = "") -> str | None:
    if template is None:
        return None
    return template.format(id=quote(local_id, safe=""), structure=quote(structure_local_id, safe=""))
